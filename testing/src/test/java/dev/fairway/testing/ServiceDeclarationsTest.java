package dev.fairway.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceDeclarationsTest {

    private static final String SERVICE = "dev.fairway.spi.PickerProvider";
    private static final String LISTING = "# providers\n  com.example.ZonePickerProvider   # the zone one\n\n";

    @TempDir
    Path dir;

    private static Path testingClasses() throws URISyntaxException {
        return Path.of(FakeClock.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void moduleWithoutServicesIsConsistent() {
        assertEquals(List.of(), ServiceDeclarations.mismatches(FakeClock.class));
        ServiceDeclarations.assertConsistent(FakeBackend.class);
    }

    @Test
    void servicesFileWithoutProvidesIsReportedInADirectory() throws Exception {
        Files.copy(testingClasses().resolve("module-info.class"), dir.resolve("module-info.class"));
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(SERVICE), LISTING);

        List<String> mismatches = ServiceDeclarations.mismatches(dir);

        assertEquals(1, mismatches.size(), mismatches::toString);
        String line = mismatches.get(0);
        assertTrue(line.contains(SERVICE) && line.contains("[com.example.ZonePickerProvider]")
                && line.contains("dev.fairway.testing"), line);
        AssertionError e = assertThrows(AssertionError.class, () -> ServiceDeclarations.assertConsistent(dir));
        assertTrue(e.getMessage().contains(line), e.getMessage());
    }

    @Test
    void servicesFileWithoutProvidesIsReportedInAJar() throws Exception {
        Path jar = dir.resolve("m.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            put(out, "module-info.class", Files.readAllBytes(testingClasses().resolve("module-info.class")));
            put(out, "META-INF/services/" + SERVICE, LISTING.getBytes(StandardCharsets.UTF_8));
        }

        List<String> mismatches = ServiceDeclarations.mismatches(jar);

        assertEquals(1, mismatches.size(), mismatches::toString);
        assertTrue(mismatches.get(0).contains(SERVICE) && mismatches.get(0).contains("com.example.ZonePickerProvider"),
                mismatches::toString);
    }

    @Test
    void unusableInputIsAnIllegalArgument() throws IOException {
        Files.createDirectories(dir.resolve("META-INF/services"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServiceDeclarations.mismatches(dir));
        assertTrue(e.getMessage().contains("module-info.class"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServiceDeclarations.mismatches(dir.resolve("missing")));
        assertThrows(IllegalArgumentException.class, () -> ServiceDeclarations.assertConsistent(String.class));
    }

    private static void put(JarOutputStream out, String name, byte[] content) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(content);
        out.closeEntry();
    }
}
