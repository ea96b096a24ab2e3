package dev.fairway.contracttest;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code docs/modules.md} shows every published module's descriptor as the built jar has it. The descriptors sit in
 * generated blocks between markers; the text around them is written by hand and kept. With
 * {@code -Dfairway.regenerate.modules=true} this test rewrites the blocks (adding a section, with a placeholder to
 * replace, for a module the file lacks) instead of failing.
 */
class ModulesDocTest {

    static final String REGENERATE = "mvn -B verify -pl contract-test -am -Dtest=ModulesDocTest -Dsurefire.failIfNoSpecifiedTests=false"
            + " -Dfairway.regenerate.modules=true";
    private static final String PLACEHOLDER = "TODO: what this module is for, and when to add it.";
    private static final Pattern BLOCK = Pattern.compile(
            "<!-- BEGIN generated descriptor of ([\\w.]+) -->\\n(.*?)<!-- END generated descriptor of ([\\w.]+) -->", Pattern.DOTALL);

    static String begin(String module) {
        return "<!-- BEGIN generated descriptor of " + module + " -->";
    }

    static String end(String module) {
        return "<!-- END generated descriptor of " + module + " -->";
    }

    static String block(ModuleReference reference) {
        return "```java\n" + Descriptors.render(reference.descriptor()) + "```\n";
    }

    /** The generated blocks of {@code doc}, by module, in file order. */
    static Map<String, String> blocks(String doc) {
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = BLOCK.matcher(doc);
        while (m.find()) {
            if (!m.group(1).equals(m.group(3))) {
                throw new AssertionError("docs/modules.md: the block that begins for " + m.group(1) + " ends for " + m.group(3));
            }
            if (blocks.put(m.group(1), m.group(2)) != null) {
                throw new AssertionError("docs/modules.md has two generated blocks for " + m.group(1));
            }
        }
        return blocks;
    }

    /** What is wrong with {@code doc}; empty when it matches the jars. */
    static List<String> problems(String doc, Map<String, ModuleReference> modules) {
        List<String> problems = new ArrayList<>();
        Map<String, String> blocks = blocks(doc);
        modules.forEach((name, reference) -> {
            String actual = blocks.get(name);
            if (actual == null) {
                problems.add(name + ": no generated block");
            } else if (!actual.equals(block(reference))) {
                problems.add(name + ": the block differs from the jar; the jar has\n" + block(reference));
            }
        });
        blocks.keySet().stream().filter(name -> !modules.containsKey(name))
                .forEach(name -> problems.add(name + ": described, but not a published module on the contract test's path;"
                        + " delete its section by hand"));
        if (doc.contains(PLACEHOLDER)) {
            problems.add("a section still says '" + PLACEHOLDER + "': write what the module is for and when to add it");
        }
        return problems;
    }

    /** {@code doc} with every block rewritten from the jars and a new section for each module it lacked. */
    static String regenerate(String doc, Map<String, ModuleReference> modules) {
        String result = doc;
        List<String> order = new ArrayList<>(modules.keySet());
        for (int i = 0; i < order.size(); i++) {
            String name = order.get(i);
            String fresh = begin(name) + "\n" + block(modules.get(name)) + end(name);
            int from = result.indexOf(begin(name));
            if (from >= 0) {
                int to = result.indexOf(end(name), from) + end(name).length();
                result = result.substring(0, from) + fresh + result.substring(to);
                continue;
            }
            String heading = "## `" + name + "`" + Published.byModule(name).map(p -> " — `" + p.artifactId() + "`").orElse("");
            String section = heading + "\n\n" + PLACEHOLDER + "\n\n" + fresh + "\n\n";
            int at = result.length();
            for (String later : order.subList(i + 1, order.size())) {
                int next = result.indexOf(begin(later));
                if (next >= 0) {
                    at = Math.max(0, result.lastIndexOf("\n## ", next) + 1);
                    break;
                }
            }
            if (at == result.length() && !result.endsWith("\n\n")) {
                section = (result.endsWith("\n") ? "\n" : "\n\n") + section;
            }
            result = result.substring(0, at) + section + result.substring(at);
        }
        return result.endsWith("\n\n") ? result.stripTrailing() + "\n" : result;
    }

    @Test
    void docsModulesMdMatchesTheBuiltJars() throws IOException {
        Path file = Descriptors.root().resolve("docs/modules.md");
        Map<String, ModuleReference> modules = ModuleDescriptorTest.publishedOnTestPath();
        assertTrue(modules.containsKey("dev.fairway"), "the published modules are not on the test path: " + modules.keySet());
        String doc = Files.exists(file) ? Files.readString(file) : "# Modules\n";
        if (Boolean.getBoolean("fairway.regenerate.modules")) {
            String regenerated = regenerate(doc, modules);
            if (!regenerated.equals(doc)) {
                Files.writeString(file, regenerated);
            }
            doc = regenerated;
        }
        List<String> problems = problems(doc, modules);
        if (!problems.isEmpty()) {
            fail(file + " does not match the built jars:\n- " + String.join("\n- ", problems)
                    + "\nRegenerate the descriptor blocks (the text around them is kept), then review the diff:\n  " + REGENERATE);
        }
    }

    @Test
    void regeneratingKeepsTheHandWrittenTextAndAddsMissingSections() {
        Map<String, ModuleReference> all = ModuleDescriptorTest.publishedOnTestPath();
        ModuleReference spi = all.get("dev.fairway.spi");
        ModuleReference api = all.get("dev.fairway");
        Map<String, ModuleReference> modules = new LinkedHashMap<>();
        modules.put("dev.fairway.spi", spi);
        modules.put("dev.fairway", api);
        String stale = "# Modules\n\nIntro.\n\n## `dev.fairway`\n\nThe API, by hand.\n\n" + begin("dev.fairway")
                + "\n```java\nmodule dev.fairway {\n}\n```\n" + end("dev.fairway") + "\n\nAfter the block, by hand.\n";

        List<String> before = problems(stale, modules);
        assertEquals(2, before.size(), before::toString);
        assertTrue(before.get(0).startsWith("dev.fairway.spi: no generated block") && before.get(1).startsWith("dev.fairway: the block differs"),
                before::toString);

        String regenerated = regenerate(stale, modules);
        assertEquals("# Modules\n\nIntro.\n\n## `dev.fairway.spi` — `fairway-spi`\n\n" + PLACEHOLDER + "\n\n" + begin("dev.fairway.spi") + "\n"
                + block(spi) + end("dev.fairway.spi") + "\n\n## `dev.fairway`\n\nThe API, by hand.\n\n" + begin("dev.fairway") + "\n"
                + block(api) + end("dev.fairway") + "\n\nAfter the block, by hand.\n", regenerated);
        assertEquals(List.of("a section still says '" + PLACEHOLDER + "': write what the module is for and when to add it"),
                problems(regenerated, modules));
        assertEquals(regenerated, regenerate(regenerated, modules), "regenerating is idempotent");

        String written = regenerated.replace(PLACEHOLDER, "The SPI.");
        assertEquals(List.of(), problems(written, modules));
        assertEquals(List.of("dev.fairway: described, but not a published module on the contract test's path; delete its section by hand"),
                problems(written, Map.of("dev.fairway.spi", spi)));
    }
}
