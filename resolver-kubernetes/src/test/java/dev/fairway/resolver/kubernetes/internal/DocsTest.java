package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/kubernetes.md's claims about the {@code kubernetes} resolver hold: its table of options (and the module
 * descriptor's) names every option with the code's default and range and no other; a missing permission is an error
 * that says "answered 403"; without {@code api_url} outside a pod, {@code build()} fails naming
 * {@code fairway.resolver.api_url}.
 */
class DocsTest {

    private static final String PAGE = "docs/kubernetes.md";

    /** The rows of the table under {@code header}: trimmed cells. */
    static List<List<String>> table(String header) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..").resolve(PAGE));
        int start = lines.indexOf(header);
        assertTrue(start >= 0, PAGE + ": no table '" + header + "'");
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines.subList(start + 2, lines.size())) {
            if (!line.startsWith("|")) {
                break;
            }
            List<String> cells = new ArrayList<>();
            for (String cell : line.substring(1, line.lastIndexOf('|')).split("\\|")) {
                cells.add(cell.trim());
            }
            rows.add(cells);
        }
        return rows;
    }

    /** The ways the docs write {@code value}: {@code 30s}, {@code 60s} or {@code 1m}, {@code service}, {@code 1000}. */
    static List<String> forms(Object value) {
        List<String> forms = new ArrayList<>();
        if (value instanceof Duration d) {
            if (d.toMillis() % 1000 != 0) {
                forms.add(d.toMillis() + "ms");
            } else {
                forms.add(d.toSeconds() + "s");
                if (d.toSeconds() % 60 == 0) {
                    forms.add(d.toMinutes() + "m");
                }
            }
        } else if (value instanceof Enum<?> e) {
            forms.add(e.name().toLowerCase(Locale.ROOT));
        } else {
            forms.add(String.valueOf(value));
        }
        return forms;
    }

    static boolean gives(String cell, Optional<?> value) {
        Object v = value.orElse(null);
        if (v == null || v instanceof String s && s.isEmpty()) {
            return cell.startsWith("empty") || cell.startsWith("none");
        }
        return forms(v).stream().anyMatch(f -> cell.contains("`" + f + "`"));
    }

    static String bound(String text) {
        String t = text.replace(",", "");
        return t.matches("0(\\.0)?(s|ms)?") ? "0" : t.endsWith(".0") ? t.substring(0, t.length() - 2) : t;
    }

    private static final Pattern RANGE = Pattern.compile("from (\\S+) to ([^,\\s]+)");
    private static final Pattern DOC_RANGE = Pattern.compile("([0-9][0-9,.]*(?:ms|s|m|h)?)\\s*(?:[–-]|to)\\s*([0-9][0-9,.]*(?:ms|s|m|h)?)");

    static boolean hasRange(String cell, Option<?> option) {
        Matcher m = RANGE.matcher(option.allowed());
        if (!m.find()) {
            return true;
        }
        Matcher doc = DOC_RANGE.matcher(cell);
        while (doc.find()) {
            if (bound(doc.group(1)).equals(bound(m.group(1))) && bound(doc.group(2)).equals(bound(m.group(2)))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyOptionIsInKubernetesMdsTableWithItsDefaultAndRange() throws IOException {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        table("| key | default | allowed | meaning |").forEach(r -> rows.put(r.get(0).replace("`", ""), r));
        List<String> problems = new ArrayList<>();
        for (Option<?> option : new KubernetesResolverProvider().options()) {
            List<String> row = rows.remove(option.key());
            if (row == null) {
                problems.add(option.key() + ": no row");
            } else if (!gives(row.get(1), option.defaultValue())) {
                problems.add(option.key() + ": default " + option.defaultValue().map(DocsTest::forms).orElse(List.of())
                        + ", the table says '" + row.get(1) + "'");
            } else if (!hasRange(row.get(2), option)) {
                problems.add(option.key() + ": " + option.allowed() + ", the table says '" + row.get(2) + "'");
            }
        }
        rows.keySet().forEach(k -> problems.add(k + ": in the table, unknown to the code"));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyOptionIsInTheModuleDescriptorsTableWithItsDefault() throws IOException {
        String module = Files.readString(Path.of("src/main/java/module-info.java")).replaceAll("\n \\* ?", " ");
        List<String> problems = new ArrayList<>();
        for (Option<?> option : new KubernetesResolverProvider().options()) {
            Matcher row = Pattern.compile("<tr><td>\\{@code " + option.key() + "}</td><td>(.*?)</td>").matcher(module);
            if (!row.find()) {
                problems.add(option.key() + ": no row in module-info's table");
            } else if (!gives(row.group(1).replaceAll("\\{@code ([^}]*)}", "`$1`"), option.defaultValue())) {
                problems.add(option.key() + ": module-info says default '" + row.group(1) + "'");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static String page() throws IOException {
        return Files.readString(Path.of("..").resolve(PAGE)).replaceAll("\n[ \t]*", " ");
    }

    @Test
    void aMissingPermissionIsAnErrorThatSaysAnswered403() throws Exception {
        assertTrue(page().contains("a resolution error naming the request and \"answered 403\""), PAGE + " no longer says so");
        try (ScriptedApiServer api = ScriptedApiServer.http(); Env env = new Env()) {
            api.listStatus = 403;
            Map<String, Object> options = new HashMap<>(Map.of("api_url", api.url("127.0.0.1"), "backoff_initial", "5s",
                    "backoff_max", "10s", "port_mode", "endpoint"));
            Recorder recorder = new Recorder();
            Resolver resolver = new KubernetesResolverProvider().create(env.context("orders.shop", 80, options), env.env);
            try {
                resolver.start(recorder);
                IOException e = recorder.awaitError(x -> true, Duration.ofSeconds(10));
                assertTrue(e.getMessage().contains("GET ") && e.getMessage().contains("/endpointslices")
                        && e.getMessage().contains("answered 403"), e.getMessage());
            } finally {
                resolver.close();
            }
        }
    }

    @Test
    void withoutApiUrlOutsideAPodValidationNamesTheOption() throws IOException {
        assertTrue(page().contains("Without `api_url` outside a pod the client fails at `build()`, naming `fairway.resolver.api_url`."),
                PAGE + " no longer says so");
        KubernetesResolverProvider provider = new KubernetesResolverProvider();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider.validate(OptionValues.defaults(provider.options()), name -> null));
        assertTrue(e.getMessage().startsWith("fairway.resolver.api_url"), e.getMessage());
    }
}
