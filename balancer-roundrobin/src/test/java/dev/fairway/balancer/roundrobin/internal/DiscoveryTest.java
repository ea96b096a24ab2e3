package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.PickerProvider;
import dev.fairway.spi.Provider;
import dev.fairway.testing.ServiceDeclarations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class DiscoveryTest {

    private static final String MODULE = "dev.fairway.balancer.roundrobin";
    private static final String SERVICE = PickerProvider.class.getName();

    @TempDir
    Path dir;

    @Test
    void serviceLoaderFindsEveryProviderFromTheExpectedPath() {
        getClass().getModule().addUses(PickerProvider.class);
        Map<String, PickerProvider> byName = ServiceLoader.load(PickerProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .collect(Collectors.toMap(Provider::name, Function.identity()));

        assertInstanceOf(RoundRobinPickerProvider.class, byName.get("round_robin"), byName::toString);
        assertInstanceOf(RandomPickerProvider.class, byName.get("random"), byName::toString);
        assertInstanceOf(WeightedRoundRobinPickerProvider.class, byName.get("weighted_round_robin"), byName::toString);

        String path = System.getProperty("test.fairway.path");
        assertNotNull(path, "system property test.fairway.path is not set: run the tests through Maven (surefire sets it)");
        for (PickerProvider provider : List.of(byName.get("round_robin"), byName.get("random"), byName.get("weighted_round_robin"))) {
            Module module = provider.getClass().getModule();
            switch (path) {
                case "module" -> assertEquals(MODULE, module.getName(), provider + " came from " + module);
                case "classpath" -> assertTrue(!module.isNamed(), provider + " came from " + module);
                default -> fail("unknown test.fairway.path '" + path + "': expected module or classpath");
            }
            assertEquals(Provider.DEFAULT_PRIORITY, provider.priority());
            assertTrue(provider.isAvailable());
        }
        assertEquals(List.of(), byName.get("round_robin").options());
        assertEquals(List.of(), byName.get("random").options());
        assertEquals(Map.of("slow_start_window", Duration.ZERO, "slow_start_min_percent", 10),
                byName.get("weighted_round_robin").options().stream()
                        .collect(Collectors.toMap(Option::key, o -> o.defaultValue().orElseThrow())));
    }

    @Test
    void providesClausesAndServicesFileAgree() {
        ServiceDeclarations.assertConsistent(RoundRobinPickerProvider.class);
    }

    @Test
    void aProviderMissingFromTheServicesFileIsNamed() throws Exception {
        Path classes = Path.of(RoundRobinPickerProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Files.copy(classes.resolve("module-info.class"), dir.resolve("module-info.class"));

        List<String> noFile = ServiceDeclarations.mismatches(dir);
        assertEquals(1, noFile.size(), noFile::toString);
        assertTrue(noFile.get(0).contains(SERVICE) && noFile.get(0).contains(RandomPickerProvider.class.getName())
                && noFile.get(0).contains(RoundRobinPickerProvider.class.getName())
                && noFile.get(0).contains(WeightedRoundRobinPickerProvider.class.getName()), noFile::toString);

        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(SERVICE), RoundRobinPickerProvider.class.getName() + "\n");
        List<String> partial = ServiceDeclarations.mismatches(dir);
        assertEquals(1, partial.size(), partial::toString);
        assertTrue(partial.get(0).contains(SERVICE) && partial.get(0).contains(RandomPickerProvider.class.getName())
                && partial.get(0).contains(WeightedRoundRobinPickerProvider.class.getName())
                && !partial.get(0).contains(RoundRobinPickerProvider.class.getName()), partial::toString);
    }
}
