package dev.fairway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.InvalidModuleDescriptorException;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * Checks that a provider module declares its services the same way twice: in the {@code provides} clauses of
 * its {@code module-info.class} (used on the module path) and in its {@code META-INF/services} files (used on
 * the class path). A provider listed in only one of them is found on one path and silently missing on the other.
 *
 * {@snippet :
 * // in a test of the provider module, on either path
 * ServiceDeclarations.assertConsistent(MyPickerProvider.class);   // any main class of the module
 * }
 *
 * <p>The check reads the files at the code source of the given class (its classes directory or its jar,
 * honouring multi-release jars), not the module the class is loaded in, so it gives the same answer on the
 * module path and on the class path. For every service it requires that the {@code provides} clause and the
 * services file name exactly the same classes, and that neither exists without the other. Services files are
 * parsed as {@link java.util.ServiceLoader} does: UTF-8, {@code #} starts a comment, blank lines are ignored.
 *
 * <p>Pass a class of the module's main code: test classes usually live in another directory. Stateless and
 * thread-safe.
 */
public final class ServiceDeclarations {

    private static final String MODULE_INFO = "module-info.class";
    private static final String SERVICES = "META-INF/services/";

    private ServiceDeclarations() {
    }

    /**
     * Fails unless the module that contains {@code anyClassOfTheModule} lists the same providers per service in
     * its {@code provides} clauses and its {@code META-INF/services} files.
     *
     * @param anyClassOfTheModule a main class of the module to check
     * @throws AssertionError           naming each service whose declarations differ and the differing classes
     * @throws IllegalArgumentException if the class has no code source or no {@code module-info.class} there
     * @throws UncheckedIOException     if the files cannot be read
     */
    public static void assertConsistent(Class<?> anyClassOfTheModule) {
        Path root = codeSource(anyClassOfTheModule);
        throwIfAny(root, mismatches(root));
    }

    /**
     * Fails unless the classes directory or jar at {@code codeSource} lists the same providers per service in
     * its {@code provides} clauses and its {@code META-INF/services} files.
     *
     * @param codeSource a classes directory or a jar holding a {@code module-info.class}
     * @throws AssertionError           naming each service whose declarations differ and the differing classes
     * @throws IllegalArgumentException if there is no {@code module-info.class} at {@code codeSource}
     * @throws UncheckedIOException     if the files cannot be read
     */
    public static void assertConsistent(Path codeSource) {
        throwIfAny(codeSource, mismatches(codeSource));
    }

    /**
     * Describes how the {@code provides} clauses and the {@code META-INF/services} files of the module that
     * contains {@code anyClassOfTheModule} differ.
     *
     * @param anyClassOfTheModule a main class of the module to check
     * @return one line per service whose declarations differ, sorted by service; empty when they agree
     * @throws IllegalArgumentException if the class has no code source or no {@code module-info.class} there
     * @throws UncheckedIOException     if the files cannot be read
     */
    public static List<String> mismatches(Class<?> anyClassOfTheModule) {
        return mismatches(codeSource(anyClassOfTheModule));
    }

    /**
     * Describes how the {@code provides} clauses and the {@code META-INF/services} files at {@code codeSource}
     * differ.
     *
     * @param codeSource a classes directory or a jar holding a {@code module-info.class}
     * @return one line per service whose declarations differ, sorted by service; empty when they agree
     * @throws IllegalArgumentException if there is no {@code module-info.class} at {@code codeSource}
     * @throws UncheckedIOException     if the files cannot be read
     */
    public static List<String> mismatches(Path codeSource) {
        Objects.requireNonNull(codeSource, "codeSource");
        Declarations d;
        try {
            if (Files.isDirectory(codeSource)) {
                d = readDirectory(codeSource);
            } else if (Files.isRegularFile(codeSource)) {
                d = readJar(codeSource);
            } else {
                throw new IllegalArgumentException("code source " + codeSource + " is neither a directory nor a jar: "
                        + "give the module's classes directory or jar");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the service declarations at " + codeSource, e);
        }
        return compare(d);
    }

    private static Path codeSource(Class<?> anyClassOfTheModule) {
        Objects.requireNonNull(anyClassOfTheModule, "anyClassOfTheModule");
        CodeSource source = anyClassOfTheModule.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null) {
            throw new IllegalArgumentException(anyClassOfTheModule.getName() + " has no code source (a JDK class?): "
                    + "give a class of the provider module's main code");
        }
        try {
            return Path.of(location.toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalArgumentException("the code source " + location + " of " + anyClassOfTheModule.getName()
                    + " is not a local file or directory", e);
        }
    }

    private static void throwIfAny(Path root, List<String> mismatches) {
        if (!mismatches.isEmpty()) {
            throw new AssertionError("the provides clauses and META-INF/services files at " + root + " disagree; "
                    + "declare each provider in both:\n  " + String.join("\n  ", mismatches));
        }
    }

    private record Declarations(Path root, ModuleDescriptor descriptor, Map<String, Set<String>> files) {
    }

    private static Declarations readDirectory(Path root) throws IOException {
        Path info = root.resolve(MODULE_INFO);
        if (!Files.isRegularFile(info)) {
            throw noModuleInfo(root);
        }
        ModuleDescriptor descriptor;
        try (InputStream in = Files.newInputStream(info)) {
            descriptor = readDescriptor(root, in);
        }
        Map<String, Set<String>> files = new TreeMap<>();
        Path services = root.resolve(SERVICES);
        if (Files.isDirectory(services)) {
            try (Stream<Path> list = Files.list(services)) {
                for (Path file : list.filter(Files::isRegularFile).toList()) {
                    files.put(file.getFileName().toString(), parse(Files.readString(file, StandardCharsets.UTF_8)));
                }
            }
        }
        return new Declarations(root, descriptor, files);
    }

    private static Declarations readJar(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile(), true, ZipFile.OPEN_READ, Runtime.version())) {
            JarEntry info = file.getJarEntry(MODULE_INFO);
            if (info == null) {
                throw noModuleInfo(jar);
            }
            ModuleDescriptor descriptor;
            try (InputStream in = file.getInputStream(info)) {
                descriptor = readDescriptor(jar, in);
            }
            Map<String, Set<String>> files = new TreeMap<>();
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                String name = entry.getName();
                if (!entry.isDirectory() && name.startsWith(SERVICES) && name.indexOf('/', SERVICES.length()) < 0) {
                    try (InputStream in = file.getInputStream(entry)) {
                        files.put(name.substring(SERVICES.length()),
                                parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                    }
                }
            }
            return new Declarations(jar, descriptor, files);
        }
    }

    private static IllegalArgumentException noModuleInfo(Path root) {
        return new IllegalArgumentException("there is no " + MODULE_INFO + " at " + root
                + ": give a class of a named module's main code (with a module-info.java)");
    }

    private static ModuleDescriptor readDescriptor(Path root, InputStream in) throws IOException {
        try {
            return ModuleDescriptor.read(in);
        } catch (InvalidModuleDescriptorException e) {
            throw new IllegalArgumentException("the " + MODULE_INFO + " at " + root + " is invalid: " + e.getMessage(), e);
        }
    }

    /** Parses a services file as ServiceLoader does: comments after '#', surrounding blanks and empty lines dropped. */
    private static Set<String> parse(String content) {
        Set<String> names = new TreeSet<>();
        for (String line : content.split("\\R")) {
            int hash = line.indexOf('#');
            String name = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    private static List<String> compare(Declarations d) {
        Map<String, Set<String>> provides = new TreeMap<>();
        for (ModuleDescriptor.Provides p : d.descriptor().provides()) {
            provides.put(p.service(), new TreeSet<>(p.providers()));
        }
        String module = "module " + d.descriptor().name();
        Set<String> services = new TreeSet<>(provides.keySet());
        services.addAll(d.files().keySet());
        List<String> mismatches = new ArrayList<>();
        for (String service : services) {
            Set<String> declared = provides.get(service);
            Set<String> listed = d.files().get(service);
            String file = SERVICES + service;
            if (listed == null) {
                mismatches.add("service " + service + ": " + module + " provides it with " + declared
                        + " but there is no " + file);
            } else if (declared == null) {
                mismatches.add("service " + service + ": " + file + " lists " + listed + " but " + module
                        + " has no 'provides " + service + "' clause");
            } else if (!declared.equals(listed)) {
                Set<String> onlyProvides = new TreeSet<>(declared);
                onlyProvides.removeAll(listed);
                Set<String> onlyFile = new TreeSet<>(listed);
                onlyFile.removeAll(declared);
                mismatches.add("service " + service + ": only in the provides clause of " + module + ": " + onlyProvides
                        + "; only in " + file + ": " + onlyFile);
            }
        }
        return List.copyOf(mismatches);
    }
}
