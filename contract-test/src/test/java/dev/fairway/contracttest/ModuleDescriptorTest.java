package dev.fairway.contracttest;

import dev.fairway.testing.ServiceDeclarations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every published module's exact descriptor, read from the built jars, and the rules they all follow. */
class ModuleDescriptorTest {

    private static final Set<String> SPI_SERVICES = Set.of("dev.fairway.spi.ResolverProvider", "dev.fairway.spi.PickerProvider",
            "dev.fairway.spi.HealthCheckProvider", "dev.fairway.spi.LifetimePolicyProvider");

    /** The published modules whose folder is in the reactor: all of them must be checked. */
    static List<Published> inReactor() {
        List<String> reactor = Descriptors.reactorModules();
        return Published.ALL.stream().filter(p -> reactor.contains(p.folder())).toList();
    }

    /** The published modules on the test path, by name, in {@link Published#ALL} order. */
    static Map<String, ModuleReference> publishedOnTestPath() {
        Map<String, ModuleReference> found = Descriptors.onTestPath();
        Map<String, ModuleReference> published = new LinkedHashMap<>();
        for (Published p : Published.ALL) {
            if (found.containsKey(p.module())) {
                published.put(p.module(), found.get(p.module()));
            }
        }
        return published;
    }

    @Test
    void everyPublishedModuleOfTheReactorIsOnTheTestPath() {
        Map<String, ModuleReference> found = Descriptors.onTestPath();
        List<String> missing = new ArrayList<>();
        for (Published p : inReactor()) {
            if (!found.containsKey(p.module())) {
                missing.add(p.module() + ": add <dependency><groupId>dev.fairway</groupId><artifactId>" + p.artifactId()
                        + "</artifactId><scope>test</scope></dependency> to contract-test/pom.xml");
            }
        }
        assertEquals(List.of(), missing, "published modules of the reactor that the contract test does not see");
        assertTrue(found.containsKey(Descriptors.SELF), "the test's own module is not on the path: " + found.keySet());
    }

    @Test
    void everyReactorModuleIsEitherPublishedOrKnownNotToBe() {
        Set<String> known = new TreeSet<>(Published.UNPUBLISHED);
        Published.ALL.forEach(p -> known.add(p.folder()));
        List<String> unknown = Descriptors.reactorModules().stream().filter(m -> !known.contains(m)).toList();
        assertEquals(List.of(), unknown, "reactor modules the contract test knows nothing of: add each to Published.ALL (with its"
                + " exact descriptor) if it is published, else to Published.UNPUBLISHED");
    }

    @Test
    void noOtherFairwayModuleIsOnTheTestPath() {
        Set<String> others = new TreeSet<>(Descriptors.onTestPath().keySet());
        others.remove(Descriptors.SELF);
        Published.ALL.forEach(p -> others.remove(p.module()));
        assertEquals(Set.of(), others, "modules named dev.fairway.* that are not in Published.ALL");
    }

    @Test
    void eachDescriptorIsExactlyTheContract() {
        Map<String, ModuleReference> found = publishedOnTestPath();
        assertFalse(found.isEmpty(), "no published module on the test path");
        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, ModuleReference> e : found.entrySet()) {
            Published p = Published.byModule(e.getKey()).orElseThrow();
            checks.add(() -> assertEquals(p.descriptor(), Descriptors.render(e.getValue().descriptor()),
                    "the descriptor of " + p.module() + " in " + Descriptors.path(e.getValue()) + " differs from the contract in"
                            + " Published.java: if the change is meant, update Published.java and regenerate docs/modules.md"));
        }
        assertAll(checks);
    }

    @Test
    void descriptorsFollowTheHouseRules() {
        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, ModuleReference> e : publishedOnTestPath().entrySet()) {
            String name = e.getKey();
            ModuleDescriptor d = e.getValue().descriptor();
            checks.add(() -> assertFalse(d.isAutomatic(), name + " is an automatic module: it has no module-info.class"));
            checks.add(() -> assertFalse(d.isOpen(), name + " is an open module"));
            checks.add(() -> assertEquals(Set.of(), d.opens(), name + " opens packages"));
            checks.add(() -> assertEquals(Set.of(), d.packages().stream().filter(p -> !p.equals(name) && !p.startsWith(name + "."))
                    .collect(Collectors.toSet()), name + " has packages outside its root package " + name));
            // API is the root package only; an internal package may be exported to a JDK module that needs it (JFR events)
            checks.add(() -> assertTrue(d.exports().stream().allMatch(x -> x.modifiers().isEmpty() && (x.isQualified()
                            ? x.source().startsWith(name + ".internal") && x.targets().stream().allMatch(t -> t.startsWith("jdk."))
                            : x.source().equals(name))),
                    name + " exports more than its root package (or an internal package to a JDK module): " + d.exports()));
            boolean provider = !name.equals("dev.fairway") && d.provides().stream().anyMatch(p -> SPI_SERVICES.contains(p.service()));
            if (provider) {
                checks.add(() -> assertEquals(Set.of(), d.exports(), "provider module " + name + " exports packages"));
                checks.add(() -> assertEquals(Set.of("dev.fairway.spi"), d.requires().stream().map(ModuleDescriptor.Requires::name)
                        .filter(r -> r.startsWith(Descriptors.FAIRWAY)).collect(Collectors.toSet()),
                        "provider module " + name + " must require dev.fairway.spi and no other Fairway module"));
            }
            if (!d.provides().isEmpty()) {
                // provides clauses and META-INF/services agree, so that the module works on the class path too
                checks.add(() -> ServiceDeclarations.assertConsistent(Descriptors.path(e.getValue())));
            }
        }
        assertAll(checks);
    }

    @Test
    void theBlackBoxModuleRequiresOnlyDevFairway() {
        ModuleDescriptor self = Descriptors.onTestPath().get(Descriptors.SELF).descriptor();
        assertEquals("""
                module dev.fairway.contracttest {
                    requires dev.fairway;
                }
                """, Descriptors.render(self));
    }

    @Test
    void theBomManagesEveryPublishedArtifactAtTheProjectVersion() {
        String bom = Descriptors.read(Descriptors.root().resolve("bom/pom.xml"));
        String version = System.getProperty("fairway.version");
        assertNotNull(version, "system property fairway.version is not set: run the tests through Maven (the pom sets it)");

        Matcher own = Pattern.compile("<artifactId>fairway-bom</artifactId>\\s*<version>([^<]+)</version>").matcher(bom);
        assertTrue(own.find(), "bom/pom.xml has no <artifactId>fairway-bom</artifactId> followed by its <version>");
        assertEquals(version, own.group(1), "bom/pom.xml has no parent, so its version is kept by hand: set it to the project's");

        int start = bom.indexOf("<dependencyManagement>");
        int end = bom.indexOf("</dependencyManagement>");
        assertTrue(start >= 0 && end > start, "bom/pom.xml has no <dependencyManagement>");
        Matcher dependency = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL).matcher(bom.substring(start, end));
        Map<String, String> managed = new LinkedHashMap<>();
        while (dependency.find()) {
            String d = dependency.group(1).replaceAll("\\s+", "");
            Matcher m = Pattern.compile("<groupId>dev\\.fairway</groupId><artifactId>([^<]+)</artifactId><version>([^<]+)</version>").matcher(d);
            if (!m.matches()) {
                fail("bom/pom.xml manages something other than groupId, artifactId and version of dev.fairway: " + dependency.group(1).strip());
            }
            managed.put(m.group(1), m.group(2));
        }
        Map<String, String> expected = new LinkedHashMap<>();
        Published.ALL.forEach(p -> expected.put(p.artifactId(), "${project.version}"));
        assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(managed), "what bom/pom.xml manages");
    }

    @Test
    void theRenderingShowsWhatTheContractForbids() {
        ModuleDescriptor bad = ModuleDescriptor.newOpenModule("dev.fairway.bad")
                .requires(Set.of(ModuleDescriptor.Requires.Modifier.STATIC, ModuleDescriptor.Requires.Modifier.TRANSITIVE), "java.sql")
                .exports("dev.fairway.bad", Set.of("b.two", "a.one"))
                .uses("x.Service")
                .provides("x.Service", List.of("dev.fairway.bad.Impl"))
                .build();
        assertEquals("""
                open module dev.fairway.bad {
                    requires transitive static java.sql;

                    exports dev.fairway.bad to a.one, b.two;

                    uses x.Service;

                    provides x.Service with dev.fairway.bad.Impl;
                }
                """, Descriptors.render(bad));
        assertTrue(Descriptors.render(ModuleDescriptor.newModule("m").opens("m.p").build()).contains("    opens m.p;\n"));
        assertTrue(Descriptors.render(ModuleDescriptor.newAutomaticModule("m").build()).startsWith("// automatic module"));
        assertTrue(Files.isDirectory(Descriptors.root().resolve("spi")), "fairway.root is not the repository root: " + Descriptors.root());
    }
}
