package dev.fairway.contracttest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a published module's POM gives its users: Fairway modules and the JDK, nothing else. Test tools (JUnit, the
 * fabric8 mock API server of {@code resolver-kubernetes}) stay in test scope, and a BOM a module imports for its tests
 * stays in its own {@code dependencyManagement} (which Maven never applies to the module's users).
 */
class PublishedPomTest {

    private static final Pattern DEPENDENCY = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);

    private static String section(String pom, String tag) {
        int start = pom.indexOf("<" + tag + ">");
        int end = pom.indexOf("</" + tag + ">");
        return start >= 0 && end > start ? pom.substring(start, end) : "";
    }

    private static String without(String pom, String tag) {
        return pom.replaceAll("(?s)<" + tag + ">.*?</" + tag + ">", "");
    }

    private static String field(String dependency, String tag) {
        Matcher m = Pattern.compile("<" + tag + ">\\s*([^<]*?)\\s*</" + tag + ">").matcher(dependency);
        return m.find() ? m.group(1) : "";
    }

    /** Problems of one published POM's text; empty when it gives users only Fairway modules. */
    static List<String> problems(String artifactId, String pom) {
        List<String> problems = new ArrayList<>();
        String text = without(pom.replaceAll("(?s)<!--.*?-->", ""), "build");
        String managed = section(text, "dependencyManagement");
        String direct = section(without(text, "dependencyManagement"), "dependencies");
        Matcher d = DEPENDENCY.matcher(direct);
        while (d.find()) {
            String dep = d.group(1);
            String scope = field(dep, "scope");
            if (!field(dep, "groupId").equals("dev.fairway") && !scope.equals("test")) {
                problems.add(artifactId + " depends on " + field(dep, "groupId") + ":" + field(dep, "artifactId") + " in scope "
                        + (scope.isEmpty() ? "compile" : scope) + ": users would get it; only test scope is allowed for non-Fairway artifacts");
            }
        }
        Matcher m = DEPENDENCY.matcher(managed);
        while (m.find()) {
            String dep = m.group(1);
            if (!field(dep, "groupId").equals("dev.fairway") && !field(dep, "scope").equals("import")) {
                problems.add(artifactId + " manages " + field(dep, "groupId") + ":" + field(dep, "artifactId")
                        + " outside an imported BOM; manage test tools in the parent or through a test-only BOM import");
            }
        }
        return problems;
    }

    @Test
    void publishedPomsGiveUsersOnlyFairwayModules() {
        List<String> problems = new ArrayList<>();
        for (Published p : ModuleDescriptorTest.inReactor()) {
            problems.addAll(problems(p.artifactId(), Descriptors.read(Descriptors.root().resolve(p.folder()).resolve("pom.xml"))));
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theCheckCatchesALeak() {
        String leaky = "<project><dependencyManagement><dependencies><dependency><groupId>io.fabric8</groupId>"
                + "<artifactId>kubernetes-client</artifactId><version>8</version></dependency></dependencies></dependencyManagement>"
                + "<dependencies><dependency><groupId>io.fabric8</groupId><artifactId>kubernetes-server-mock</artifactId>"
                + "<scope>runtime</scope></dependency><dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId>"
                + "<scope>test</scope></dependency></dependencies></project>";
        List<String> problems = problems("x", leaky);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("io.fabric8:kubernetes-server-mock in scope runtime"), problems.get(0));
        assertTrue(problems.get(1).contains("manages io.fabric8:kubernetes-client"), problems.get(1));
    }

    /**
     * The contract test depends on every published artifact as a user would, so Maven resolved their runtime
     * dependencies onto this path: the Kubernetes resolver's test-only fabric8 mock server must not be among them.
     */
    @Test
    void nothingOfFabric8ReachesAUserOfTheKubernetesResolver() {
        assertTrue(Published.byModule("dev.fairway.resolver.kubernetes").isPresent());
        assertTrue(ModuleDescriptorTest.publishedOnTestPath().containsKey("dev.fairway.resolver.kubernetes"),
                "the Kubernetes resolver is not on the test path: the check below would prove nothing");
        String paths = System.getProperty("java.class.path", "") + java.io.File.pathSeparator + System.getProperty("jdk.module.path", "");
        assertFalse(paths.contains("fabric8"), "fabric8 reached the contract test's path: " + paths);
        assertFalse(paths.contains("vertx"), "the mock server's Vert.x reached the contract test's path: " + paths);
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.fabric8.kubernetes.client.KubernetesClient"));
    }

    /**
     * The benchmarks compare Fairway with Armeria (client and server, on Netty): that dependency belongs to the
     * unpublished benchmarks module alone. A user of every published artifact, as this test is, gets none of it.
     */
    @Test
    void nothingOfTheBenchmarksPeersReachesAUser() {
        assertTrue(Published.UNPUBLISHED.contains("benchmarks"), "the benchmarks module must stay unpublished");
        assertEquals(ModuleDescriptorTest.inReactor().size(), ModuleDescriptorTest.publishedOnTestPath().size(),
                "not every published module is on the test path: the check below would prove less than it says");
        String paths = System.getProperty("java.class.path", "") + java.io.File.pathSeparator + System.getProperty("jdk.module.path", "");
        assertFalse(paths.contains("armeria"), "Armeria reached the contract test's path: " + paths);
        assertFalse(paths.contains("netty"), "Netty reached the contract test's path: " + paths);
        assertThrows(ClassNotFoundException.class, () -> Class.forName("com.linecorp.armeria.client.WebClient"));
    }
}
