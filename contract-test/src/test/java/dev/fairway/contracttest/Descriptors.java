package dev.fairway.contracttest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Finds Fairway's modules on the test's own path and renders their descriptors.
 *
 * <p>The modules come from what this JVM was started with, whichever path surefire chose for each jar: the
 * locations of the boot layer's modules (module path) and every class-path entry holding a {@code module-info.class}.
 * Each location is then read with {@link ModuleFinder#of}, so the descriptors are the ones in the built jars (or,
 * when only {@code mvn test} ran, the classes directories), never the boot layer's view of them.
 */
final class Descriptors {

    /** The prefix of Fairway's module names. */
    static final String FAIRWAY = "dev.fairway";
    /** This test's own module. */
    static final String SELF = "dev.fairway.contracttest";

    private static final Pattern MODULE = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>");

    private Descriptors() {
    }

    /**
     * Fairway's modules on the test path, by name, this test's own included.
     *
     * @return the module references, sorted by name
     * @throws AssertionError if two locations hold modules of the same name
     */
    static Map<String, ModuleReference> onTestPath() {
        Set<Path> locations = new LinkedHashSet<>();
        for (ResolvedModule m : ModuleLayer.boot().configuration().modules()) {
            m.reference().location().filter(uri -> uri.getScheme().equals("file")).map(Path::of).ifPresent(locations::add);
        }
        try {
            for (URL url : Collections.list(ClassLoader.getSystemClassLoader().getResources("module-info.class"))) {
                locations.add(location(url));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, ModuleReference> found = new TreeMap<>();
        for (Path location : locations) {
            for (ModuleReference reference : ModuleFinder.of(location).findAll()) {
                String name = reference.descriptor().name();
                if (name.equals(FAIRWAY) || name.startsWith(FAIRWAY + ".")) {
                    ModuleReference other = found.putIfAbsent(name, reference);
                    if (other != null && !other.location().equals(reference.location())) {
                        throw new AssertionError("module " + name + " is on the test path twice: " + other.location().orElseThrow()
                                + " and " + reference.location().orElseThrow());
                    }
                }
            }
        }
        return found;
    }

    private static Path location(URL moduleInfo) throws IOException {
        try {
            if (moduleInfo.getProtocol().equals("jar")) {
                return Path.of(((JarURLConnection) moduleInfo.openConnection()).getJarFileURL().toURI());
            }
            return Path.of(moduleInfo.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate " + moduleInfo, e);
        }
    }

    /**
     * The path of a module's jar (or classes directory).
     *
     * @param reference the module
     * @return the path
     */
    static Path path(ModuleReference reference) {
        return Path.of(reference.location().orElseThrow());
    }

    /**
     * Renders a descriptor as a module declaration: requires, exports, opens, uses and provides, each group sorted
     * (providers of one service in declaration order, which is {@link java.util.ServiceLoader}'s order); the
     * mandated {@code requires java.base} is left out, as in source. An open or automatic module, a qualified
     * export and any {@code opens} show, so that a comparison of renderings catches them.
     *
     * @param d the descriptor
     * @return the rendering, ending with a newline
     */
    static String render(ModuleDescriptor d) {
        List<List<String>> groups = new ArrayList<>();
        groups.add(d.requires().stream()
                .filter(r -> !(r.name().equals("java.base") && r.modifiers().equals(Set.of(ModuleDescriptor.Requires.Modifier.MANDATED))))
                .sorted(Comparator.comparing(ModuleDescriptor.Requires::name))
                .map(r -> "requires " + r.modifiers().stream().sorted().map(m -> m.toString().toLowerCase(java.util.Locale.ROOT) + " ").collect(Collectors.joining())
                        + r.name() + ";")
                .toList());
        groups.add(d.exports().stream().sorted(Comparator.comparing(ModuleDescriptor.Exports::source))
                .map(e -> "exports " + e.source() + targets(e.targets()) + modifiers(e.modifiers()) + ";").toList());
        groups.add(d.opens().stream().sorted(Comparator.comparing(ModuleDescriptor.Opens::source))
                .map(o -> "opens " + o.source() + targets(o.targets()) + modifiers(o.modifiers()) + ";").toList());
        groups.add(d.uses().stream().sorted().map(u -> "uses " + u + ";").toList());
        groups.add(d.provides().stream().sorted(Comparator.comparing(ModuleDescriptor.Provides::service))
                .map(p -> "provides " + p.service() + " with" + (p.providers().size() == 1 ? " " + p.providers().get(0)
                        : p.providers().stream().map(c -> "\n        " + c).collect(Collectors.joining(","))) + ";")
                .toList());
        StringBuilder out = new StringBuilder();
        if (d.isAutomatic()) {
            out.append("// automatic module: the jar has no module-info.class\n");
        }
        out.append(d.isOpen() ? "open module " : "module ").append(d.name()).append(" {\n");
        boolean first = true;
        for (List<String> group : groups) {
            if (group.isEmpty()) {
                continue;
            }
            if (!first) {
                out.append('\n');
            }
            first = false;
            group.forEach(line -> out.append("    ").append(line).append('\n'));
        }
        return out.append("}\n").toString();
    }

    private static String targets(Set<String> targets) {
        return targets.isEmpty() ? "" : " to " + String.join(", ", new java.util.TreeSet<>(targets));
    }

    private static String modifiers(Set<?> modifiers) {
        return modifiers.isEmpty() ? "" : " /* " + modifiers + " */";
    }

    /**
     * The folders of the parent pom's {@code <modules>}, as written there.
     *
     * @return the folders, in reactor order
     */
    static List<String> reactorModules() {
        Matcher m = MODULE.matcher(read(root().resolve("pom.xml")));
        List<String> modules = new ArrayList<>();
        while (m.find()) {
            modules.add(m.group(1));
        }
        return modules;
    }

    /**
     * The repository's root folder, from the system property {@code fairway.root} that the pom sets.
     *
     * @return the folder
     */
    static Path root() {
        String root = System.getProperty("fairway.root");
        if (root == null) {
            throw new AssertionError("system property fairway.root is not set: run the tests through Maven (the pom sets it)");
        }
        return Path.of(root).toAbsolutePath().normalize();
    }

    /**
     * Reads a UTF-8 file.
     *
     * @param file the file
     * @return its text
     */
    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
