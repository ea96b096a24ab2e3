package dev.fairway.health.internal;

import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.Option;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/health.md's tables of options and the module descriptor's hold: every option of the three checks is in the
 * table of its check (the common ones in the common table) with the code's default, and the code's range where the
 * table gives one; no row names an option the code does not know. An option added, renamed or given another default
 * or range without its docs fails here.
 */
class DocsTest {

    private static final String PREFIX = "fairway.health.";

    /** The rows of the first table under {@code header} after the line {@code after}: trimmed cells. */
    static List<List<String>> table(String page, String after, String header) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..").resolve(page));
        int from = lines.indexOf(after);
        assertTrue(from >= 0, page + ": no line '" + after + "'");
        int start = lines.subList(from, lines.size()).indexOf(header) + from;
        assertTrue(start >= from, page + ": no table '" + header + "' after '" + after + "'");
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines.subList(start + 2, lines.size())) {
            if (!line.startsWith("|")) {
                break;
            }
            List<String> cells = new ArrayList<>();
            for (String cell : line.substring(1, line.lastIndexOf('|')).split("(?<!\\\\)\\|")) {
                cells.add(cell.trim());
            }
            rows.add(cells);
        }
        return rows;
    }

    /** The ways the docs write {@code value}: {@code 1s}, {@code 60s} or {@code 1m}, {@code 0.15}, {@code healthy}. */
    static List<String> forms(Object value) {
        List<String> forms = new ArrayList<>();
        if (value instanceof Duration d) {
            if (d.toMillis() % 1000 != 0) {
                forms.add(d.toMillis() + "ms");
            } else {
                forms.add(d.toSeconds() + "s");
                if (d.toSeconds() % 60 == 0 && !d.isZero()) {
                    forms.add(d.toMinutes() + "m");
                }
            }
        } else if (value instanceof Enum<?> e) {
            forms.add(e.name().toLowerCase(Locale.ROOT));
        } else if (value instanceof Double x && x == Math.rint(x)) {
            forms.add(Long.toString(x.longValue()));
        } else {
            forms.add(String.valueOf(value));
        }
        return forms;
    }

    /** Whether {@code cell} gives {@code value} as the default: in backticks, or "empty"/"none" for nothing. */
    static boolean gives(String cell, Optional<?> value) {
        Object v = value.orElse(null);
        if (v == null || v instanceof String s && s.isEmpty() || v instanceof Collection<?> c && c.isEmpty()
                || v == ProbeHeaders.NONE) {
            return cell.startsWith("empty") || cell.startsWith("none");
        }
        return forms(v).stream().anyMatch(f -> cell.contains("`" + f + "`"));
    }

    /** A bound as the docs write it: {@code 0} for any zero, no thousands separators, no trailing {@code .0}. */
    static String bound(String text) {
        String t = text.replace(",", "");
        if (t.matches("0(\\.0)?(s|ms)?")) {
            return "0";
        }
        return t.endsWith(".0") ? t.substring(0, t.length() - 2) : t;
    }

    private static final Pattern RANGE = Pattern.compile("from (\\S+) to ([^,\\s]+)");
    private static final Pattern DOC_RANGE = Pattern.compile("([0-9][0-9,.]*(?:ms|s|m|h)?)\\s*(?:[–-]|to)\\s*([0-9][0-9,.]*(?:ms|s|m|h)?)");

    /** Whether {@code cell} names the range of {@code option}, when the option has one ({@code from X to Y}). */
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

    /** The options {@code provider} has beyond the common ones. */
    private static List<Option<?>> own(HealthCheckProvider provider) {
        List<Option<?>> own = new ArrayList<>(provider.options());
        own.removeAll(CommonOptions.ALL);
        return own;
    }

    /** Checks {@code rows} against {@code options}; {@code allowed} is the column of the range, or -1. */
    private static List<String> check(String table, List<List<String>> rows, List<Option<?>> options, int allowed) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        rows.forEach(r -> byKey.put(r.get(0).replace("`", ""), r));
        List<String> problems = new ArrayList<>();
        for (Option<?> option : options) {
            List<String> row = byKey.remove(PREFIX + option.key());
            if (row == null) {
                problems.add(table + ": no row for " + PREFIX + option.key());
            } else if (!gives(row.get(1), option.defaultValue())) {
                problems.add(table + ": " + option.key() + " defaults to " + option.defaultValue().map(DocsTest::forms).orElse(List.of())
                        + ", the table says '" + row.get(1) + "'");
            } else if (allowed >= 0 && !hasRange(row.get(allowed), option)) {
                problems.add(table + ": " + option.key() + " allows " + option.allowed() + ", the table says '" + row.get(allowed) + "'");
            }
        }
        byKey.keySet().forEach(k -> problems.add(table + ": " + k + " is in the table, unknown to the code"));
        return problems;
    }

    @Test
    void everyOptionIsInHealthMdsTableOfItsCheckWithItsDefaultAndRange() throws IOException {
        String page = "docs/health.md";
        List<String> problems = new ArrayList<>();
        problems.addAll(check("common", table(page, "Options of every check:", "| key | default | allowed | meaning |"),
                CommonOptions.ALL, 2));
        problems.addAll(check("http", table(page, "Options of `http`:", "| key | default | meaning |"),
                own(new HttpHealthCheckProvider()), -1));
        problems.addAll(check("grpc_health", table(page, "Options of `grpc_health`:", "| key | default | meaning |"),
                own(new GrpcHealthCheckProvider()), -1));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertEquals(List.of(), own(new TcpHealthCheckProvider()), "health.md: `tcp` has only the common options");
        for (HealthCheckProvider p : List.of(new HttpHealthCheckProvider(), new GrpcHealthCheckProvider(), new TcpHealthCheckProvider())) {
            assertTrue(p.options().containsAll(CommonOptions.ALL), p.name() + " has every common option");
        }
    }

    @Test
    void everyOptionIsInTheModuleDescriptorsTablesWithItsDefault() throws IOException {
        String module = Files.readString(Path.of("src/main/java/module-info.java")).replaceAll("\n \\* ?", " ");
        List<Option<?>> all = new ArrayList<>(CommonOptions.ALL);
        all.addAll(own(new HttpHealthCheckProvider()));
        all.addAll(own(new GrpcHealthCheckProvider()));
        List<String> problems = new ArrayList<>();
        for (Option<?> option : all) {
            Matcher row = Pattern.compile("<td>\\{@code " + Pattern.quote(PREFIX + option.key()) + "}</td><td>(.*?)</td>").matcher(module);
            if (!row.find()) {
                problems.add(option.key() + ": no row in module-info's tables");
            } else if (!gives(row.group(1).replaceAll("\\{@code ([^}]*)}", "`$1`"), option.defaultValue())) {
                problems.add(option.key() + ": module-info says default '" + row.group(1) + "'");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
