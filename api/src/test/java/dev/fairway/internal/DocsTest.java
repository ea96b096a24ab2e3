package dev.fairway.internal;

import dev.fairway.spi.Option;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documentation's tables of keys hold: every client key, outlier-detection option and zone option is in its table
 * in {@code docs/}, with the default the code has, and in the builder's javadoc; no table names a key the code does
 * not know. A key added, renamed or given another default without its docs fails here.
 */
class DocsTest {

    private static String read(String relative) throws IOException {
        // the tests run in the module's directory; the docs are beside it
        Path path = Path.of("..").resolve(relative);
        return Files.readString(path);
    }

    /** The table rows of {@code text} (lines starting with '|'), each split into trimmed cells. */
    private static List<List<String>> rows(String text) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("|") && !line.startsWith("|---")) {
                List<String> cells = new ArrayList<>();
                for (String cell : line.substring(1).split("(?<!\\\\)\\|")) {
                    cells.add(cell.trim());
                }
                rows.add(cells);
            }
        }
        return rows;
    }

    /** The forms a default may be written in: {@code 2s}, {@code 300s} or {@code 5m}, {@code 0.5}, {@code http_2}. */
    private static List<String> forms(Object value) {
        if (value instanceof Optional<?> o) {
            value = o.orElse(null);
        }
        List<String> forms = new ArrayList<>();
        if (value instanceof Duration d) {
            if (d.toMillis() % 1000 != 0 || d.isZero()) {
                forms.add(d.toMillis() + "ms");
            } else {
                forms.add(d.toSeconds() + "s");
                if (d.toSeconds() % 60 == 0) {
                    forms.add(d.toMinutes() + "m");
                }
                if (d.toSeconds() % 3600 == 0) {
                    forms.add(d.toHours() + "h");
                }
            }
        } else if (value instanceof Enum<?> e) {
            forms.add(e.name().toLowerCase(Locale.ROOT));
        } else if (value instanceof Double x) {
            forms.add(x == Math.rint(x) && Math.abs(x) < 1e9 ? Long.toString(x.longValue()) : x.toString());
        } else {
            forms.add(String.valueOf(value));
        }
        return forms;
    }

    private static Optional<List<String>> row(List<List<String>> rows, String key) {
        return rows.stream().filter(r -> !r.isEmpty() && r.get(0).contains("`" + key + "`")).findFirst();
    }

    @Test
    void everyClientKeyIsInTheGuidesTableWithItsDefault() throws IOException {
        String guide = read("docs/guide.md");
        String table = guide.substring(guide.indexOf("### Configuration keys"), guide.indexOf("### Errors at build time"));
        List<List<String>> rows = rows(table);
        List<String> problems = new ArrayList<>();
        for (ClientKeys.Key<?> key : ClientKeys.ALL) {
            String property = key.property();
            Optional<List<String>> row = row(rows, property);
            if (row.isEmpty()) {
                problems.add(property + ": no row");
                continue;
            }
            Object value = key.option().defaultValue().orElse(null);
            String defaults = row.get().get(row.get().size() - 1);
            if (value instanceof String s && s.isEmpty() || value instanceof java.util.Set<?>) {
                continue; // "random", "FAIRWAY_ZONE, else none", "all four": said in words
            }
            if (forms(value).stream().noneMatch(f -> defaults.contains("`" + f + "`"))) {
                problems.add(property + ": default " + forms(value) + " not in '" + defaults + "'");
            }
        }
        for (List<String> r : rows) {
            for (String named : backticked(r.get(0))) {
                if (named.startsWith("fairway.") && !named.endsWith(".<option>") && !named.startsWith("fairway.target.<name>.")
                        && !named.equals("fairway.resolver")
                        && !named.equals("fairway.picker") && !named.equals("fairway.health") && !named.equals("fairway.lifetime")
                        && ClientKeys.find(named.substring("fairway.".length())).isEmpty()) {
                    problems.add(named + ": in the table, unknown to the code");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static List<String> backticked(String cell) {
        List<String> names = new ArrayList<>();
        String[] parts = cell.split("`");
        for (int i = 1; i < parts.length; i += 2) {
            names.add(parts[i]);
        }
        return names;
    }

    @Test
    void everyClientKeyIsInTheBuildersJavadocAndTheModuleDescriptor() throws IOException {
        String builder = read("api/src/main/java/dev/fairway/FairwayClient.java");
        String module = read("api/src/main/java/module-info.java");
        List<String> problems = new ArrayList<>();
        for (ClientKeys.Key<?> key : ClientKeys.ALL) {
            if (!builder.contains("<tr><td>{@code " + key.property() + "}</td>")) {
                problems.add(key.property() + ": not in FairwayClient's table of keys");
            }
            if (!module.contains("{@code " + key.property() + "}")) {
                problems.add(key.property() + ": not in module-info's list of properties");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyOutlierOptionIsInTheGuideWithItsDefault() throws IOException {
        String guide = read("docs/guide.md");
        List<List<String>> rows = rows(guide.substring(guide.indexOf("| `fairway.outlier.` option |")));
        List<String> problems = new ArrayList<>();
        for (Option<?> option : OutlierDetection.OPTIONS) {
            Optional<List<String>> row = row(rows, option.key());
            if (row.isEmpty()) {
                problems.add("fairway.outlier." + option.key() + ": no row");
            } else if (forms(option.defaultValue()).stream().noneMatch(f -> row.get().get(1).equals(f))) {
                problems.add("fairway.outlier." + option.key() + ": default " + forms(option.defaultValue()) + " but the guide says '"
                        + row.get().get(1) + "'");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyRetryHedgeAndThrottleOptionIsInTheGuideWithItsDefault() throws IOException {
        String guide = read("docs/guide.md");
        List<String> problems = new ArrayList<>();
        Resilience.FAMILIES.forEach((family, options) -> {
            int table = guide.indexOf("| `fairway." + family + ".` option |");
            if (table < 0) {
                problems.add("fairway." + family + ".*: no table");
                return;
            }
            String text = guide.substring(table, guide.indexOf("\n\n", table));
            List<List<String>> rows = rows(text);
            for (Option<?> option : options) {
                Optional<List<String>> row = row(rows, option.key());
                Object value = option.defaultValue().orElseThrow();
                List<String> forms = value instanceof java.util.BitSet b && b.isEmpty() ? List.of("none")
                        : value instanceof java.util.Set<?> set ? List.of(String.join(",", new java.util.TreeSet<>(set.stream().map(String::valueOf).toList())))
                        : forms(value);
                if (row.isEmpty()) {
                    problems.add("fairway." + family + "." + option.key() + ": no row");
                } else if (!forms.contains(row.get().get(1))) {
                    problems.add("fairway." + family + "." + option.key() + ": default " + forms + " but the guide says '" + row.get().get(1) + "'");
                }
            }
            if (rows.size() - 1 != options.size()) {
                problems.add("fairway." + family + ".*: " + (rows.size() - 1) + " rows for " + options.size() + " options");
            }
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyZoneOptionIsInTheKubernetesGuideWithItsDefault() throws IOException {
        String kubernetes = read("docs/kubernetes.md");
        List<List<String>> rows = rows(kubernetes.substring(kubernetes.indexOf("| `fairway.zone.` option |")));
        List<String> problems = new ArrayList<>();
        for (Option<?> option : Locality.OPTIONS) {
            Optional<List<String>> row = row(rows, option.key());
            Object value = option.defaultValue().orElse(null);
            if (row.isEmpty()) {
                problems.add("fairway.zone." + option.key() + ": no row");
            } else if (!(value instanceof String) && !(value instanceof java.util.Map<?, ?>) && !(value instanceof List<?>)
                    && forms(value).stream().noneMatch(f -> row.get().get(1).startsWith(f) || row.get().get(1).startsWith("`" + f + "`"))) {
                problems.add("fairway.zone." + option.key() + ": default " + forms(value) + " but the table says '" + row.get().get(1) + "'");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyEventIsInTheGuidesEventsSectionAndTheSectionNamesNoOther() throws IOException {
        String guide = read("docs/guide.md");
        int start = guide.indexOf("\n## Events");
        String section = guide.substring(start, guide.indexOf("\n## ", start + 1));
        List<String> events = new ArrayList<>();
        for (Class<?> type : dev.fairway.FairwayEvent.class.getPermittedSubclasses()) {
            events.add(type.getSimpleName());
        }
        List<String> problems = new ArrayList<>();
        for (String event : events) {
            if (!section.contains("`" + event + "`")) {
                problems.add(event + ": not in the guide's Events section");
            }
        }
        for (List<String> row : rows(section)) {
            for (String named : backticked(row.get(0))) {
                if (named.matches("[A-Z][A-Za-z]+") && !events.contains(named)) {
                    problems.add(named + ": a row of the Events table, but no FairwayEvent");
                }
            }
        }
        assertTrue(events.size() >= 12 && problems.isEmpty(), events + "\n" + String.join("\n", problems));
    }

    /**
     * The reasons a {@code LeafRetired} event gives, as the engine's sources pass them: {@code recycle(leaf, "age")},
     * {@code close("idle")}, {@code evict("released: …")}, {@code retireAll(b, "backend removed")} and the constant of a
     * failed replacement (up to a colon, which starts the details).
     */
    private static List<String> retireReasons() throws IOException {
        List<String> reasons = new ArrayList<>();
        java.util.regex.Pattern call = java.util.regex.Pattern.compile(
                "(?:recycle\\(\\w+, |close\\(|evict\\(|retireAll\\(\\w+, |REPLACEMENT_FAILED = )\"([^\":]+)");
        for (String file : List.of("Leaves", "TargetPool", "Engine")) {
            java.util.regex.Matcher m = call.matcher(read("api/src/main/java/dev/fairway/internal/" + file + ".java"));
            while (m.find()) {
                if (!reasons.contains(m.group(1))) {
                    reasons.add(m.group(1));
                }
            }
        }
        return reasons;
    }

    @Test
    void everyReasonALeafIsRetiredForIsInTheGuideAndOperationsMd() throws IOException {
        List<String> reasons = retireReasons();
        String guide = read("docs/guide.md").replaceAll("\n\\s*", " ");
        String events = guide.substring(guide.indexOf("## Events"), guide.indexOf("## Limits"));
        String leafRow = read("docs/operations.md").lines().filter(l -> l.startsWith("| `dev.fairway.Leaf` |")).findFirst().orElse("");
        String javadoc = read("api/src/main/java/dev/fairway/FairwayEvent.java").replaceAll("\n\\s*\\* ?", " ");
        List<String> problems = new ArrayList<>();
        for (String reason : reasons) {
            if (!events.contains("`" + reason)) {
                problems.add(reason + ": not in the guide's Events section");
            }
            if (!leafRow.contains(reason)) {
                problems.add(reason + ": not in operations.md's dev.fairway.Leaf row");
            }
            if (!javadoc.contains("{@code \"" + reason)) {
                problems.add(reason + ": not in FairwayEvent.LeafRetired's javadoc");
            }
        }
        assertTrue(reasons.size() >= 8 && problems.isEmpty(), reasons + "\n" + String.join("\n", problems));
    }

    @Test
    void everyJfrEventIsInOperationsMdsTableWithItsFieldsAndEveryFairwayEventHasARow() throws IOException {
        List<List<String>> rows = rows(read("docs/operations.md").substring(read("docs/operations.md").indexOf("| JFR event | FairwayEvent |")));
        rows = rows.subList(1, rows.size()).stream().takeWhile(r -> r.size() == 4).toList();
        List<String> problems = new ArrayList<>();
        java.util.regex.Pattern name = java.util.regex.Pattern.compile("@Name\\(\"([^\"]+)\"\\)");
        java.util.regex.Pattern field = java.util.regex.Pattern.compile("\\n\\s+(?:String|int|long|boolean) (\\w+);");
        List<String> jfrNames = new ArrayList<>();
        try (var files = Files.list(Path.of("src/main/java/dev/fairway/internal/jfr"))) {
            for (Path file : files.filter(f -> f.toString().endsWith("Event.java")).sorted().toList()) {
                String source = Files.readString(file);
                java.util.regex.Matcher n = name.matcher(source);
                assertTrue(n.find(), file + " has no @Name");
                jfrNames.add(n.group(1));
                List<String> fields = new ArrayList<>();
                java.util.regex.Matcher f = field.matcher(source);
                while (f.find()) {
                    fields.add(f.group(1));
                }
                Optional<List<String>> row = row(rows, n.group(1));
                if (row.isEmpty()) {
                    problems.add(n.group(1) + ": no row");
                } else if (!List.of(row.get().get(2).split(",\\s*")).equals(fields)) {
                    problems.add(n.group(1) + ": fields " + fields + ", the table says " + row.get().get(2));
                }
            }
        }
        for (List<String> r : rows) {
            backticked(r.get(0)).stream().filter(n -> !jfrNames.contains(n)).forEach(n -> problems.add(n + ": in the table, no such JFR event"));
        }
        String named = String.join(" ", rows.stream().map(r -> r.get(1)).toList());
        for (Class<?> type : dev.fairway.FairwayEvent.class.getPermittedSubclasses()) {
            if (!named.contains("`" + type.getSimpleName() + "`")) {
                problems.add(type.getSimpleName() + ": no JFR event names it in operations.md");
            }
        }
        assertTrue(jfrNames.size() >= 6 && problems.isEmpty(), jfrNames + "\n" + String.join("\n", problems));
    }

    @Test
    void theMxBeansAttributesAreTheOnesOperationsMdNames() throws IOException {
        List<String> attributes = new ArrayList<>();
        for (java.lang.reflect.Method m : dev.fairway.FairwayClientMXBean.class.getMethods()) {
            if (m.getName().startsWith("get")) {
                attributes.add(m.getName().substring(3));
            }
        }
        String operations = read("docs/operations.md").replaceAll("\n\\s*", " ");
        String listed = operations.substring(operations.indexOf("(`FairwayClientMXBean`:"), operations.indexOf(")", operations.indexOf("(`FairwayClientMXBean`:")));
        List<String> named = backticked(listed).stream().filter(n -> !n.equals("FairwayClientMXBean")).sorted().toList();
        assertEquals(attributes.stream().sorted().toList(), named, "operations.md's list of MXBean attributes");
        List<String> problems = new ArrayList<>();
        for (List<String> r : rows(operations.substring(operations.indexOf("| signal | where |"), operations.indexOf("### JMX")))) {
            int jmx = r.size() > 1 ? r.get(1).indexOf("JMX") : -1;
            if (jmx >= 0) {
                backticked(r.get(1).substring(jmx)).stream().filter(n -> !attributes.contains(n))
                        .forEach(n -> problems.add(n + ": named as a JMX attribute in 'What to watch', none such"));
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyOptionOfTheBuiltInProvidersIsInTheGuideWithItsDefault() throws IOException {
        String guide = read("docs/guide.md");
        String builtIns = guide.substring(guide.indexOf("Built-in providers in `dev.fairway`:"), guide.indexOf("### Configuration keys"))
                .replaceAll("\n\\s*", " ");
        Map<String, dev.fairway.spi.Provider<?, ?>> providers = new java.util.LinkedHashMap<>();
        providers.put("static", new StaticResolverProvider());
        providers.put("max_age", new MaxAgeLifetimePolicyProvider());
        providers.put("never", new NeverLifetimePolicyProvider());
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, dev.fairway.spi.Provider<?, ?>> e : providers.entrySet()) {
            int start = builtIns.indexOf("* `" + e.getKey() + "` ");
            if (start < 0) {
                problems.add(e.getKey() + ": no bullet");
                continue;
            }
            int end = builtIns.indexOf(" * `", start + 1);
            String bullet = builtIns.substring(start, end < 0 ? builtIns.length() : end);
            for (Option<?> option : e.getValue().options()) {
                int at = bullet.indexOf("`" + option.key() + "` (");
                String said = at < 0 ? "" : bullet.substring(at + option.key().length() + 4);
                Object value = option.defaultValue().orElse(null);
                List<String> expected = option.isRequired() ? List.of("required")
                        : dev.fairway.spi.LeafTerms.NO_DRAIN_LIMIT.equals(value) ? List.of("default `none`")
                        : forms(value).stream().map(f -> "default `" + f + "`").toList();
                if (at < 0) {
                    problems.add(e.getKey() + ": option " + option.key() + " not in its bullet");
                } else if (expected.stream().noneMatch(said::startsWith)) {
                    problems.add(e.getKey() + ": option " + option.key() + " is " + expected + ", the guide says '"
                            + said.substring(0, Math.min(40, said.length())) + "'");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyLoggerThatWarnsIsInOperationsMdsTableAndTheTableNamesNoOther() throws IOException {
        java.util.regex.Pattern logger = java.util.regex.Pattern.compile("System\\.getLogger\\((\\w+)\\.class\\.getName\\(\\)\\)");
        java.util.regex.Pattern pkg = java.util.regex.Pattern.compile("^package ([\\w.]+);", java.util.regex.Pattern.MULTILINE);
        java.util.Set<String> warning = new java.util.TreeSet<>();
        for (String module : List.of("spi", "api", "balancer-roundrobin", "balancer-leastconn", "resolver-dns", "resolver-kubernetes", "health")) {
            try (var files = Files.walk(Path.of("..", module, "src", "main", "java"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    String source = Files.readString(file);
                    java.util.regex.Matcher l = logger.matcher(source);
                    java.util.regex.Matcher p = pkg.matcher(source);
                    if (source.contains("Level.WARNING") && l.find() && p.find()) {
                        warning.add(p.group(1) + "." + l.group(1));
                    }
                }
            }
        }
        List<String> rows = read("docs/operations.md").lines().filter(line -> line.startsWith("| WARNING | `")).toList();
        List<String> documented = rows.stream().map(r -> r.substring("| WARNING | `".length(), r.indexOf('`', "| WARNING | `".length()))).toList();
        List<String> problems = new ArrayList<>();
        warning.stream().filter(w -> !documented.contains(w)).forEach(w -> problems.add(w + " logs at WARNING, operations.md has no row"));
        documented.stream().filter(d -> !warning.contains(d)).forEach(d -> problems.add(d + " has a WARNING row in operations.md, but logs no WARNING"));
        assertTrue(warning.size() >= 10 && problems.isEmpty(), warning + "\n" + String.join("\n", problems));
    }

    @Test
    void theGuidesNoBackendTableHasOneRowPerReason() throws IOException {
        String guide = read("docs/guide.md");
        List<List<String>> rows = rows(guide.substring(guide.indexOf("| reason | when | message"), guide.indexOf("When a later resolution fails")));
        List<String> documented = rows.subList(1, rows.size()).stream().map(r -> r.get(0).replace("`", "")).toList();
        List<String> reasons = java.util.Arrays.stream(dev.fairway.NoBackendException.Reason.values()).map(Enum::name).toList();
        assertEquals(reasons, documented, "the guide's 'When no backend can be used' table, one row per NoBackendException.Reason");
    }

    /** The provider names a module's sources declare: {@code name()} returning a literal, or its {@code NAME} constant. */
    private static List<String> providerNames(String module) throws IOException {
        java.util.regex.Pattern literal = java.util.regex.Pattern.compile("public String name\\(\\) \\{\\s*return \"([a-z_]+)\";");
        java.util.regex.Pattern constant = java.util.regex.Pattern.compile("static final String NAME = \"([a-z_]+)\";");
        List<String> names = new ArrayList<>();
        try (var files = Files.walk(Path.of("..", module, "src", "main", "java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith("Provider.java")).sorted().toList()) {
                String source = Files.readString(file);
                java.util.regex.Matcher m = literal.matcher(source);
                java.util.regex.Matcher c = constant.matcher(source);
                if (m.find()) {
                    names.add(m.group(1));
                } else if (source.contains("return NAME;") && c.find()) {
                    names.add(c.group(1));
                }
            }
        }
        return names;
    }

    @Test
    void theReadmesModuleTableNamesEveryProviderOfEachModule() throws IOException {
        List<List<String>> rows = rows(read("README.md").substring(read("README.md").indexOf("| folder | module | what it is |")));
        List<String> problems = new ArrayList<>();
        int providers = 0;
        for (String module : List.of("api", "balancer-roundrobin", "balancer-leastconn", "resolver-dns", "resolver-kubernetes", "health")) {
            Optional<List<String>> row = rows.stream().filter(r -> r.get(0).equals("`" + module + "/`")).findFirst();
            if (row.isEmpty()) {
                problems.add(module + ": no row in the README's module table");
                continue;
            }
            for (String name : providerNames(module)) {
                providers++;
                if (!row.get().get(2).contains("`" + name + "`")) {
                    problems.add(module + ": provides '" + name + "', which its README row does not name");
                }
            }
        }
        assertTrue(providers >= 15 && problems.isEmpty(), providers + " providers\n" + String.join("\n", problems));
    }
}
