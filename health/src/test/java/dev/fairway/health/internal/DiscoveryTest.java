package dev.fairway.health.internal;

import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.Provider;
import dev.fairway.testing.ServiceDeclarations;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The three providers are found by ServiceLoader, from this module on the module path and from the jar on the class path. */
class DiscoveryTest {

    private static final String MODULE = "dev.fairway.health";

    @Test
    void serviceLoaderFindsAllThreeProvidersFromTheExpectedPath() {
        getClass().getModule().addUses(HealthCheckProvider.class);
        Map<String, HealthCheckProvider> byName = ServiceLoader.load(HealthCheckProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .collect(Collectors.toMap(Provider::name, Function.identity()));

        assertInstanceOf(HttpHealthCheckProvider.class, byName.get("http"), byName::toString);
        assertInstanceOf(GrpcHealthCheckProvider.class, byName.get("grpc_health"), byName::toString);
        assertInstanceOf(TcpHealthCheckProvider.class, byName.get("tcp"), byName::toString);

        String path = System.getProperty("test.fairway.path");
        assertNotNull(path, "system property test.fairway.path is not set: run the tests through Maven (surefire sets it)");
        for (String name : List.of("http", "grpc_health", "tcp")) {
            HealthCheckProvider provider = byName.get(name);
            Module module = provider.getClass().getModule();
            switch (path) {
                case "module" -> assertEquals(MODULE, module.getName(), provider + " came from " + module);
                case "classpath" -> assertFalse(module.isNamed(), provider + " came from " + module);
                default -> fail("unknown test.fairway.path '" + path + "': expected module or classpath");
            }
            assertEquals(Provider.DEFAULT_PRIORITY, provider.priority());
            assertTrue(provider.isAvailable());
        }
    }

    @Test
    void theModuleExportsNothingAndProvidesTheThreeChecks() throws Exception {
        Module module = HttpHealthCheckProvider.class.getModule();
        ModuleDescriptor descriptor;
        if (module.isNamed()) {
            descriptor = module.getDescriptor();
        } else { // on the class path, read the module-info.class that ships with the classes
            Path classes = Path.of(HttpHealthCheckProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (InputStream in = Files.isDirectory(classes) ? Files.newInputStream(classes.resolve("module-info.class"))
                    : new JarInputStreamOf(classes).moduleInfo()) {
                descriptor = ModuleDescriptor.read(in);
            }
        }
        assertEquals(MODULE, descriptor.name());
        assertTrue(descriptor.exports().isEmpty(), descriptor.exports().toString());
        assertEquals(List.of(HttpHealthCheckProvider.class.getName(), GrpcHealthCheckProvider.class.getName(),
                TcpHealthCheckProvider.class.getName()), descriptor.provides().iterator().next().providers());
        assertEquals(1, descriptor.provides().size());
        assertTrue(descriptor.requires().stream().anyMatch(r -> r.name().equals("dev.fairway.spi")));
    }

    /** Opens module-info.class inside a jar. */
    private record JarInputStreamOf(Path jar) {
        InputStream moduleInfo() throws IOException {
            JarFile file = new JarFile(jar.toFile());
            JarEntry entry = file.getJarEntry("module-info.class");
            assertNotNull(entry, "no module-info.class in " + jar);
            byte[] bytes;
            try (file; InputStream in = file.getInputStream(entry)) {
                bytes = in.readAllBytes();
            }
            return new ByteArrayInputStream(bytes);
        }
    }

    @Test
    void providesClausesAndServicesFileAgree() {
        ServiceDeclarations.assertConsistent(HttpHealthCheckProvider.class);
    }
}
