package dev.fairway.balancer.leastconn.internal;

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

    private static final String MODULE = "dev.fairway.balancer.leastconn";
    private static final String SERVICE = PickerProvider.class.getName();

    @TempDir
    Path dir;

    @Test
    void serviceLoaderFindsEveryProviderFromTheExpectedPath() {
        getClass().getModule().addUses(PickerProvider.class);
        Map<String, PickerProvider> byName = ServiceLoader.load(PickerProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .collect(Collectors.toMap(Provider::name, Function.identity()));

        assertInstanceOf(LeastConnPickerProvider.class, byName.get("least_conn"), byName::toString);
        assertInstanceOf(LeastLoadedPickerProvider.class, byName.get("least_loaded"), byName::toString);
        assertInstanceOf(PeakEwmaPickerProvider.class, byName.get("peak_ewma"), byName::toString);

        String path = System.getProperty("test.fairway.path");
        assertNotNull(path, "system property test.fairway.path is not set: run the tests through Maven (surefire sets it)");
        for (String name : List.of("least_conn", "least_loaded", "peak_ewma")) {
            PickerProvider provider = byName.get(name);
            Module module = provider.getClass().getModule();
            switch (path) {
                case "module" -> assertEquals(MODULE, module.getName(), provider + " came from " + module);
                case "classpath" -> assertTrue(!module.isNamed(), provider + " came from " + module);
                default -> fail("unknown test.fairway.path '" + path + "': expected module or classpath");
            }
            assertEquals(Provider.DEFAULT_PRIORITY, provider.priority());
            assertTrue(provider.isAvailable());
        }
    }

    @Test
    void optionsAndTheirDefaults() {
        assertEquals(Map.of("choices", 2, "slow_start_window", Duration.ZERO, "slow_start_min_percent", 10),
                defaults(new LeastConnPickerProvider()));
        assertEquals(Map.of("choices", 16, "busy_ratio", 2.0, "slow_start_window", Duration.ZERO, "slow_start_min_percent", 10),
                defaults(new LeastLoadedPickerProvider()));
        assertEquals(Map.of("choices", 2, "decay", Duration.ofSeconds(10), "default_rtt", Duration.ofMillis(30),
                "slow_start_window", Duration.ZERO, "slow_start_min_percent", 10), defaults(new PeakEwmaPickerProvider()));
    }

    private static Map<String, Object> defaults(PickerProvider provider) {
        return provider.options().stream().collect(Collectors.toMap(Option::key, o -> o.defaultValue().orElseThrow()));
    }

    @Test
    void providesClausesAndServicesFileAgree() {
        ServiceDeclarations.assertConsistent(LeastConnPickerProvider.class);
    }

    @Test
    void aProviderMissingFromTheServicesFileIsNamed() throws Exception {
        Path classes = Path.of(LeastConnPickerProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Files.copy(classes.resolve("module-info.class"), dir.resolve("module-info.class"));
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(SERVICE), LeastConnPickerProvider.class.getName() + "\n"
                + LeastLoadedPickerProvider.class.getName() + "\n");
        List<String> partial = ServiceDeclarations.mismatches(dir);
        assertEquals(1, partial.size(), partial::toString);
        assertTrue(partial.get(0).contains(SERVICE) && partial.get(0).contains(PeakEwmaPickerProvider.class.getName())
                && !partial.get(0).contains(LeastConnPickerProvider.class.getName()), partial::toString);
    }
}
