package dev.fairway.resolver.dns.internal;

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

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/dns.md's table of options and the module descriptor's hold: every option of {@code dns} and {@code dns_srv} has
 * its row, naming the resolvers it applies to, the code's default and the code's range; no row names an option the
 * code does not know. An option added, renamed, moved or given another default or range without its docs fails here.
 */
class DocsTest {

    private static final List<Option<?>> DNS = new DnsResolverProvider().options();
    private static final List<Option<?>> DNS_SRV = new DnsSrvResolverProvider().options();

    /** The rows of the table under {@code header} in {@code page}: cells, trimmed, without the outer bars. */
    static List<List<String>> table(String page, String header) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..").resolve(page));
        int start = lines.indexOf(header);
        assertTrue(start >= 0, page + ": no table '" + header + "'");
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

    /** The ways the docs write {@code value}: {@code 1s}, {@code 30s}, {@code 5m}, {@code 0.1}, {@code prefer_ipv4}. */
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
                if (d.toSeconds() % 3600 == 0 && !d.isZero()) {
                    forms.add(d.toHours() + "h");
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
        if (v == null || v instanceof String s && s.isEmpty() || v instanceof Collection<?> c && c.isEmpty()) {
            return cell.startsWith("empty") || cell.startsWith("none");
        }
        return forms(v).stream().anyMatch(f -> cell.contains("`" + f + "`"));
    }

    /** A number or duration as the docs' ranges write it: {@code 0} for any zero, no thousands separators. */
    static String bound(String text) {
        String t = text.replace(",", "").replace(" ", "");
        if (t.matches("0(\\.0)?(s|ms)?")) {
            return "0";
        }
        return t.endsWith(".0") ? t.substring(0, t.length() - 2) : t;
    }

    private static final Pattern RANGE = Pattern.compile("from (\\S+) to ([^,\\s]+)");

    /** Whether {@code cell} names the range of {@code option}, when it has one ({@code from X to Y}). */
    static boolean hasRange(String cell, Option<?> option) {
        Matcher m = RANGE.matcher(option.allowed());
        if (!m.find()) {
            return true;
        }
        Matcher doc = Pattern.compile("([0-9][0-9,.]*(?:ms|s|m|h)?)\\s*(?:[–-]|to)\\s*([0-9][0-9,.]*(?:ms|s|m|h)?)").matcher(cell);
        while (doc.find()) {
            if (bound(doc.group(1)).equals(bound(m.group(1))) && bound(doc.group(2)).equals(bound(m.group(2)))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyOptionIsInDnsMdsTableWithItsResolversDefaultAndRange() throws IOException {
        Map<String, Option<?>> all = new LinkedHashMap<>();
        DNS.forEach(o -> all.put(o.key(), o));
        DNS_SRV.forEach(o -> all.put(o.key(), o));
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (List<String> row : table("docs/dns.md", "| key | applies to | default | allowed | meaning |")) {
            rows.put(row.get(0).replace("`", ""), row);
        }
        List<String> problems = new ArrayList<>();
        for (Option<?> option : all.values()) {
            List<String> row = rows.get(option.key());
            if (row == null) {
                problems.add(option.key() + ": no row");
                continue;
            }
            boolean dns = DNS.contains(option);
            boolean srv = DNS_SRV.contains(option);
            String appliesTo = row.get(1);
            boolean saysDns = appliesTo.equals("both") || appliesTo.contains("`dns`");
            boolean saysSrv = appliesTo.equals("both") || appliesTo.contains("`dns_srv`");
            if (dns != saysDns || srv != saysSrv) {
                problems.add(option.key() + ": applies to dns " + dns + ", dns_srv " + srv + ", but the table says '" + appliesTo + "'");
            }
            if (!gives(row.get(2), option.defaultValue())) {
                problems.add(option.key() + ": default " + option.defaultValue().map(DocsTest::forms).orElse(List.of())
                        + ", the table says '" + row.get(2) + "'");
            }
            if (!hasRange(row.get(3), option)) {
                problems.add(option.key() + ": " + option.allowed() + ", the table says '" + row.get(3) + "'");
            }
        }
        rows.keySet().stream().filter(k -> !all.containsKey(k)).forEach(k -> problems.add(k + ": in the table, unknown to the code"));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyOptionIsInTheModuleDescriptorsTableWithItsDefault() throws IOException {
        String module = Files.readString(Path.of("src/main/java/module-info.java")).replaceAll("\n \\* ?", " ");
        List<String> problems = new ArrayList<>();
        for (List<Option<?>> options : List.of(DNS, DNS_SRV)) {
            for (Option<?> option : options) {
                Matcher row = Pattern.compile("<tr><td>\\{@code " + option.key() + "}</td><td>[^<]*</td><td>(.*?)</td>").matcher(module);
                if (!row.find()) {
                    problems.add(option.key() + ": no row in module-info's table");
                } else if (!gives(row.group(1).replaceAll("\\{@code ([^}]*)}", "`$1`"), option.defaultValue())) {
                    problems.add(option.key() + ": module-info says default '" + row.group(1) + "'");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
