package dev.fairway.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The figures hold: every number of docs/benchmarks.md's JMH, throughput and slow-backend tables is the one its JSON
 * file in docs/benchmarks/ holds (to the digits shown), the subsets table is subsets.txt, and a figure that README or
 * another page of docs/ quotes from the benchmarks is the one benchmarks.md gives. A table edited without its
 * measurement, a measurement replaced without its table, or a page left quoting an old figure fails here.
 */
class DocsFiguresTest {

    // ------------------------------------------------------------------------------------------------ reading

    private static String read(String relative) {
        try {
            return Files.readString(Path.of("..").resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + relative + " (the tests run in the module's directory)", e);
        }
    }

    /**
     * The rows (trimmed cells, the header left out) of the first table after the lines containing {@code markers}, each
     * found after the one before.
     */
    static List<List<String>> tableAfter(String page, String... markers) {
        List<String> lines = read(page).lines().toList();
        int at = 0;
        for (String marker : markers) {
            while (at < lines.size() && !lines.get(at).contains(marker)) {
                at++;
            }
            assertTrue(at < lines.size(), page + ": no '" + marker + "' after " + List.of(markers));
        }
        while (at < lines.size() && !lines.get(at).startsWith("|")) {
            at++;
        }
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines.subList(Math.min(at + 2, lines.size()), lines.size())) {
            if (!line.startsWith("|")) {
                break;
            }
            List<String> cells = new ArrayList<>();
            for (String cell : line.substring(1, line.lastIndexOf('|')).split("(?<!\\\\)\\|")) {
                cells.add(cell.trim());
            }
            rows.add(cells);
        }
        assertTrue(!rows.isEmpty(), page + ": no table after " + List.of(markers));
        return rows;
    }

    /** The row whose first cell contains {@code label}. */
    static List<String> row(List<List<String>> rows, String label) {
        return rows.stream().filter(r -> r.get(0).contains(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no row '" + label + "' in " + rows));
    }

    private static final Pattern NUMBER = Pattern.compile("\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?");

    /** The numbers a cell shows, in order, as written ({@code 1,011}, {@code 4.88}; marks and emphasis ignored). */
    static List<String> numbers(String cell) {
        List<String> numbers = new ArrayList<>();
        Matcher m = NUMBER.matcher(cell);
        while (m.find()) {
            numbers.add(m.group());
        }
        return numbers;
    }

    private final List<String> problems = new ArrayList<>();
    private int checked;

    /** Records a problem unless {@code shown} is {@code actual} to the digits it shows. */
    void same(String where, String shown, double actual) {
        checked++;
        String plain = shown.replace(",", "");
        int dot = plain.indexOf('.');
        int decimals = dot < 0 ? 0 : plain.length() - dot - 1;
        double tolerance = 0.5 * Math.pow(10, -decimals) * (1 + 1e-9);
        if (Math.abs(Double.parseDouble(plain) - actual) > tolerance) {
            problems.add(where + ": the docs say " + shown + ", the measurement " + actual);
        }
    }

    /** Records a problem unless {@code shown}, a figure the docs call "about", is within 3 % of {@code actual}. */
    void about(String where, double shown, double actual) {
        checked++;
        if (Math.abs(shown - actual) > 0.03 * Math.abs(actual)) {
            problems.add(where + ": the docs say about " + shown + ", the measurement " + actual);
        }
    }

    /** Records a problem unless the cell's numbers are {@code actual}, one for one. */
    void cell(String where, String cell, double... actual) {
        List<String> shown = numbers(cell);
        if (shown.size() != actual.length) {
            problems.add(where + ": '" + cell + "' shows " + shown.size() + " numbers, expected " + actual.length);
            return;
        }
        for (int i = 0; i < actual.length; i++) {
            same(where, shown.get(i), actual[i]);
        }
    }

    void assertNoProblems() {
        System.out.println(StackWalker.getInstance().walk(f -> f.skip(1).findFirst().orElseThrow().getMethodName()) + ": "
                + checked + " figures checked");
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    // ------------------------------------------------------------------------------------------------ JSON

    /** A small JSON reader for the benchmark files: objects as maps, arrays as lists, numbers as doubles. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json j = new Json(text);
            Object v = j.value();
            j.space();
            if (j.i != text.length()) {
                throw new IllegalArgumentException("trailing text at " + j.i);
            }
            return v;
        }

        private void space() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private Object value() {
            space();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> map = new LinkedHashMap<>();
                i++;
                space();
                if (s.charAt(i) == '}') {
                    i++;
                    return map;
                }
                while (true) {
                    space();
                    String key = string();
                    space();
                    expect(':');
                    map.put(key, value());
                    space();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect('}');
                        return map;
                    }
                }
            }
            if (c == '[') {
                List<Object> list = new ArrayList<>();
                i++;
                space();
                if (s.charAt(i) == ']') {
                    i++;
                    return list;
                }
                while (true) {
                    list.add(value());
                    space();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect(']');
                        return list;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            for (String word : List.of("true", "false", "null")) {
                if (s.startsWith(word, i)) {
                    i += word.length();
                    return word.equals("null") ? null : Boolean.valueOf(word);
                }
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            String number = s.substring(start, i);
            return number.equals("NaN") ? Double.NaN : Double.parseDouble(number);
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'u' -> {
                            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> sb.append(e);
                    }
                } else {
                    sb.append(c);
                }
            }
            i++;
            return sb.toString();
        }

        private void expect(char c) {
            if (s.charAt(i) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i + ", found '" + s.charAt(i) + "'");
            }
            i++;
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T json(String file) {
        return (T) Json.parse(read("docs/benchmarks/" + file));
    }

    @SuppressWarnings("unchecked")
    static Object at(Object json, String... path) {
        Object v = json;
        for (String p : path) {
            v = ((Map<String, Object>) v).get(p);
        }
        return v;
    }

    /** One JMH result: the benchmark method's name and the parameters it ran with. */
    record Jmh(String file, String method, Map<String, Object> params, double score, double error, double bytes) {

        @SuppressWarnings("unchecked")
        static List<Jmh> of(String file) {
            List<Jmh> all = new ArrayList<>();
            for (Object o : DocsFiguresTest.<List<Object>>json(file)) {
                String benchmark = (String) at(o, "benchmark");
                Object bytes = at(o, "secondaryMetrics", "gc.alloc.rate.norm", "score");
                all.add(new Jmh(file, benchmark.substring(benchmark.lastIndexOf('.') + 1), (Map<String, Object>) at(o, "params"),
                        (Double) at(o, "primaryMetric", "score"), (Double) at(o, "primaryMetric", "scoreError"),
                        bytes == null ? Double.NaN : (Double) bytes));
            }
            return all;
        }

        /** The result of {@code method} (a prefix of its name is enough) with {@code params} (pairs of name, value). */
        static Jmh find(List<Jmh> all, String method, String... params) {
            return all.stream().filter(j -> j.method.equals(method)).filter(j -> {
                for (int k = 0; k < params.length; k += 2) {
                    if (!params[k + 1].equals(j.params.get(params[k]))) {
                        return false;
                    }
                }
                return true;
            }).findFirst().orElseThrow(() -> new AssertionError("no " + method + " " + List.of(params) + " in " + all.get(0).file));
        }
    }

    private static final List<String> BACKENDS = List.of("1", "10", "100", "1000", "10000");

    // ------------------------------------------------------------------------------------------------ benchmarks.md

    private static final String BENCHMARKS = "docs/benchmarks.md";

    /** A pick-cost table: a row per picker, a column per backend count, the rerun file where a cell is marked ¹. */
    private void pickCost(String marker, String file, String rerun, String method, String paramName) {
        List<Jmh> main = Jmh.of(file);
        List<Jmh> reruns = rerun == null ? List.of() : Jmh.of(rerun);
        for (List<String> r : tableAfter(BENCHMARKS, marker)) {
            String picker = r.get(0).replace("`", "");
            double maxBytes = 0;
            for (int c = 0; c < BACKENDS.size(); c++) {
                String text = r.get(c + 1);
                Jmh j = Jmh.find(text.contains("¹") ? reruns : main, method, paramName, picker, "backends", BACKENDS.get(c));
                cell(marker + ", " + picker + " at " + BACKENDS.get(c), text, j.score, j.error);
                maxBytes = Math.max(maxBytes, j.bytes);
            }
            same(marker + ", " + picker + ", max B/op", numbers(r.get(6)).get(0), maxBytes);
        }
    }

    @Test
    void thePickCostAndBaselineTablesAreTheirJson() {
        pickCost("#### 1 thread, ns/op by number of backends", "picker-t1.json", "picker-t1-rerun.json", "pick", "picker");
        pickCost("#### 2 threads, ns/op by number of backends", "picker-t2.json", "picker-t2-rerun.json", "pick", "picker");
        pickCost("-rff docs/benchmarks/picker-default-t1.json", "picker-default-t1.json", null, "pick", "picker");
        for (String threads : List.of("1", "2")) {
            List<List<String>> rows = tableAfter(BENCHMARKS, "## Naive baselines", threads.equals("1") ? "#### 1 thread" : "#### 2 threads");
            List<Jmh> all = Jmh.of("baseline-t" + threads + ".json");
            for (List<String> r : rows) {
                String method = r.get(0).replace("`", "");
                double maxBytes = 0;
                for (int c = 0; c < BACKENDS.size(); c++) {
                    Jmh j = Jmh.find(all, method, "backends", BACKENDS.get(c));
                    cell("baseline, " + threads + " thread(s), " + method + " at " + BACKENDS.get(c), r.get(c + 1), j.score, j.error);
                    maxBytes = Math.max(maxBytes, j.bytes);
                }
                same("baseline, " + threads + " thread(s), " + method + ", max B/op", numbers(r.get(6)).get(0), maxBytes);
            }
        }
        assertNoProblems();
    }

    @Test
    void theWeightsSlowStartAndCompletedTablesAreTheirJson() {
        for (String threads : List.of("1", "2")) {
            List<List<String>> rows = tableAfter(BENCHMARKS, "## Weights, slow start", threads.equals("1") ? "#### 1 thread" : "#### 2 threads");
            List<Jmh> equal = Jmh.of("picker-t" + threads + ".json");
            List<Jmh> modes = Jmh.of("picker-modes-t" + threads + ".json");
            List<Jmh> complete = Jmh.of("picker-complete-t" + threads + ".json");
            for (List<String> r : rows) {
                String picker = r.get(0).replace("`", "");
                List<Jmh> cells = List.of(Jmh.find(equal, "pick", "picker", picker, "backends", "1000"),
                        Jmh.find(modes, "pick", "picker", picker, "mode", "weighted"),
                        Jmh.find(modes, "pick", "picker", picker, "mode", "ramping"),
                        Jmh.find(complete, "pickAndComplete", "picker", picker, "backends", "1000"));
                double maxBytes = 0;
                for (int c = 0; c < cells.size(); c++) {
                    cell("weights, " + threads + " thread(s), " + picker + ", column " + (c + 2), r.get(c + 1), cells.get(c).score,
                            cells.get(c).error);
                    maxBytes = Math.max(maxBytes, cells.get(c).bytes);
                }
                same("weights, " + threads + " thread(s), " + picker + ", max B/op", numbers(r.get(5)).get(0), maxBytes);
            }
        }
        assertNoProblems();
    }

    @Test
    void theFacadeJfrAndSnapshotTablesAreTheirJson() {
        List<Jmh> oneFork = Jmh.of("facade-jfr.json");
        List<Jmh> threeForks = Jmh.of("facade-jfr-f3.json");
        for (List<String> r : tableAfter(BENCHMARKS, "| version | leaf alone (`direct`) ns/op |")) {
            String v = r.get(0);
            Jmh direct = Jmh.find(oneFork, "direct", "version", v, "jfr", "off");
            Jmh fairway = Jmh.find(threeForks, "fairway", "version", v, "jfr", "off");
            cell("facade, " + v + ", direct", r.get(1), direct.score, direct.error);
            cell("facade, " + v + ", Fairway", r.get(2), fairway.score, fairway.error);
            cell("facade, " + v + ", overhead", r.get(3), fairway.score - direct.score);
            cell("facade, " + v + ", B/op direct", r.get(4), direct.bytes);
            cell("facade, " + v + ", B/op Fairway", r.get(5), fairway.bytes);
        }
        for (List<String> r : tableAfter(BENCHMARKS, "| version | JFR | through Fairway, 1 fork |")) {
            String v = r.get(0);
            String jfr = r.get(1).replace("`", "");
            Jmh one = Jmh.find(oneFork, "fairway", "version", v, "jfr", jfr);
            cell("JFR, " + v + " " + jfr + ", 1 fork", r.get(2), one.score, one.error);
            if (!r.get(3).equals("–")) {
                Jmh three = Jmh.find(threeForks, "fairway", "version", v, "jfr", jfr);
                cell("JFR, " + v + " " + jfr + ", 3 forks", r.get(3), three.score, three.error);
                cell("JFR, " + v + " " + jfr + ", overhead", r.get(4), three.score - Jmh.find(oneFork, "direct", "version", v, "jfr", "off").score);
                cell("JFR, " + v + " " + jfr + ", B/op", r.get(5), three.bytes);
            }
        }
        List<Jmh> before = Jmh.of("facade-before-issue13.json");
        List<Jmh> after = Jmh.of("facade-default.json");
        for (List<String> r : tableAfter(BENCHMARKS, "| version | picker | before: through Fairway ns/op |")) {
            String v = r.get(0);
            String picker = r.get(1).replaceAll("`([a-z_]+)`.*", "$1");
            Jmh a = Jmh.find(after, "fairway", "version", v, "picker", picker);
            cell("issue 13, " + v + " " + picker + ", after", r.get(3), a.score, a.error);
            cell("issue 13, " + v + " " + picker + ", B/op after", r.get(5), a.bytes);
            if (!r.get(2).equals("–")) {
                Jmh b = Jmh.find(before, "fairway", "version", v, "picker", picker);
                cell("issue 13, " + v + " " + picker + ", before", r.get(2), b.score, b.error);
                cell("issue 13, " + v + " " + picker + ", B/op before", r.get(4), b.bytes);
            }
        }
        List<Jmh> restructureBefore = Jmh.of("facade-before-issue13-restructure.json");
        List<Jmh> restructureAfter = Jmh.of("facade-after-issue13-restructure.json");
        for (List<String> r : tableAfter(BENCHMARKS, "| version | before ns/op | after ns/op |")) {
            String v = r.get(0);
            Jmh b = Jmh.find(restructureBefore, "fairway", "version", v);
            Jmh a = Jmh.find(restructureAfter, "fairway", "version", v);
            cell("restructuring, " + v + ", before", r.get(1), b.score, b.error);
            cell("restructuring, " + v + ", after", r.get(2), a.score, a.error);
            cell("restructuring, " + v + ", B/op", r.get(3) + " " + r.get(4), b.bytes, a.bytes);
        }
        List<Jmh> snapshot = Jmh.of("snapshot.json");
        Map<String, String> methods = Map.of("`snapshot()`", "snapshot", "JMX: the nine counters", "mxbeanCounters",
                "JMX: `BackendDetails`", "mxbeanDetails");
        for (List<String> r : tableAfter(BENCHMARKS, "JMH SnapshotBenchmark")) {
            String method = methods.get(r.get(0));
            for (int c = 0; c < 3; c++) {
                Jmh j = Jmh.find(snapshot, method, "backends", List.of("10", "100", "1000").get(c));
                cell("snapshot, " + r.get(0) + ", column " + (c + 2), r.get(c + 1), j.score, j.error);
            }
            cell("snapshot, " + r.get(0) + ", B/op at 100", r.get(4), Jmh.find(snapshot, method, "backends", "100").bytes);
        }
        assertNoProblems();
    }

    /** The mean requests per second of the client whose name starts with {@code client}, over the rounds. */
    private static double mean(Object load, String client) {
        double sum = 0;
        int n = 0;
        for (Object r : (List<?>) at(load, "results")) {
            if (((String) at(r, "client")).startsWith(client)) {
                sum += (Double) at(r, "requests_per_second");
                n++;
            }
        }
        assertTrue(n > 0, "no rounds of " + client);
        return sum / n;
    }

    /** Checks a throughput row: three means, Fairway/plain (totals; median; min–max), Fairway/by hand. */
    private void throughput(String where, List<String> cells, String file) {
        Object load = json(file);
        cell(where + ", plain", cells.get(0), mean(load, "plain HttpClient"));
        cell(where + ", Fairway", cells.get(1), mean(load, "FairwayClient"));
        cell(where + ", by hand", cells.get(2), mean(load, "5 plain HttpClients"));
        cell(where + ", Fairway / plain", cells.get(3), (Double) at(load, "summary", "fairway_vs_plain_ratio_of_totals"),
                (Double) at(load, "summary", "fairway_vs_plain_median_round_ratio"),
                (Double) at(load, "summary", "fairway_vs_plain_min_round_ratio"),
                (Double) at(load, "summary", "fairway_vs_plain_max_round_ratio"));
        cell(where + ", Fairway / by hand", cells.get(4), (Double) at(load, "summary", "fairway_vs_by_hand_ratio_of_totals"));
    }

    @Test
    void theThroughputTablesAreTheirJson() {
        Map<String, String> runs = Map.of("pinned (client core 0", "load-throughput-process.json",
                "pinned, platform-thread callers", "load-throughput-process-platform.json",
                "not pinned", "load-throughput-process-unpinned.json");
        List<List<String>> rows = tableAfter(BENCHMARKS, "| run | plain, 1 backend (req/s, mean of rounds) |");
        runs.forEach((label, file) -> throughput("throughput, " + label, row(rows, label).subList(1, 6), file));
        throughput("throughput, default picker", row(tableAfter(BENCHMARKS, "| run | plain, 1 backend | Fairway (default picker)"),
                "pinned").subList(1, 6), "load-throughput-process-default.json");
        throughput("throughput, backends in the JVM", tableAfter(BENCHMARKS, "-json docs/benchmarks/load-throughput.json").get(0),
                "load-throughput.json");
        assertNoProblems();
    }

    /** The slow-backend result of the client whose name ends with {@code client}. */
    private static Object slow(String file, String client) {
        for (Object r : (List<?>) at(json(file), "results")) {
            if (((String) at(r, "client")).endsWith(client)) {
                return r;
            }
        }
        throw new AssertionError("no " + client + " in " + file);
    }

    @Test
    void theSlowBackendTablesAreTheirJson() {
        Map<String, String> clients = Map.of("Fairway `round_robin`", "round_robin", "Fairway `least_conn`", "least_conn",
                "Fairway `peak_ewma`", "peak_ewma", "Fairway (defaults", "(defaults)",
                "plain `HttpClient` → the slowing backend", "the slowing backend", "plain `HttpClient` → a healthy backend", "a healthy backend");
        for (String[] table : List.of(new String[]{"#### The pickers alone", "load-slow-pickers.json"},
                new String[]{"#### With Fairway's defaults", "load-slow-defaults.json"})) {
            for (List<String> r : tableAfter(BENCHMARKS, table[0])) {
                String label = clients.keySet().stream().filter(r.get(0)::startsWith).findFirst()
                        .orElseThrow(() -> new AssertionError("unknown client " + r.get(0)));
                Object result = slow(table[1], clients.get(label));
                double requests = (Double) at(result, "requests");
                double failures = (Double) at(result, "failures");
                String where = table[1] + ", " + r.get(0);
                cell(where + ", success", r.get(1), 100 * (requests - failures) / requests);
                cell(where + ", failures", r.get(2), failures);
                cell(where + ", p50", r.get(3), (Double) at(result, "p50_ms"));
                cell(where + ", p99", r.get(4), (Double) at(result, "p99_ms"));
                cell(where + ", p99.9", r.get(5), (Double) at(result, "p999_ms"));
                cell(where + ", max", r.get(6), (Double) at(result, "max_ms"));
                cell(where + ", slowing backend got", r.get(7), (Double) at(result, "requests_received_by_slowing_backend"));
            }
        }
        for (List<String> r : tableAfter(BENCHMARKS, "| rate | client | healthy p99 ms |")) {
            if (r.get(1).contains("2 more runs")) {
                continue; // runs of their own, printed by the harness and not kept as JSON
            }
            String file = r.get(0).startsWith("500") ? "load-slow-default-500.json" : "load-slow-default-50.json";
            String client = r.get(1).contains("defaults") ? "(defaults)" : r.get(1).replace("`", "");
            Object result = slow(file, client);
            double healthy = (Double) at(result, "healthy_p99_ms");
            double incident = (Double) at(result, "incident_p99_ms");
            String where = file + ", " + client;
            cell(where + ", healthy p99", r.get(2), healthy);
            cell(where + ", incident p99", r.get(3), incident);
            cell(where + ", incident ÷ healthy", r.get(4), incident / healthy);
            cell(where + ", slowing backend got", r.get(5), (Double) at(result, "requests_received_by_slowing_backend"),
                    (Double) at(result, "requests"));
        }
        assertNoProblems();
    }

    /** The row of a resilience harness file for a policy and a phase. */
    @SuppressWarnings("unchecked")
    private static Object resilience(String file, String policy, String phase) {
        Object document = json(file);
        for (Object r : (List<Object>) at(document, "results")) {
            if (policy.equals(at(r, "policy")) && phase.equals(at(r, "phase"))) {
                return r;
            }
        }
        throw new AssertionError("no " + policy + " / " + phase + " in " + file);
    }

    /** The harness's name of a policy as the tables of benchmarks.md write it. */
    private static String policy(String cell) {
        String c = cell.replace("*", "").replace("`", "").trim();
        return switch (c) {
            case "none (max_attempts=1)", "none" -> "no policy (max_attempts=1)";
            case "defaults", "defaults (503 is not retried)" -> "defaults";
            case "per-try 25 ms, no budget" -> "retries: per-try 25ms, no budget";
            case "per-try 25 ms + budget" -> "retries: per-try 25ms + budget";
            case "hedging p95" -> "hedging p95 (+ budget)";
            case "hedging 10 ms" -> "hedging 10ms (+ budget)";
            case "throttling k=2, no retries" -> "throttling k=2 (no retries)";
            default -> c;
        };
    }

    @Test
    void theResilienceTablesAreTheirJson() {
        String picker = null;
        for (List<String> r : tableAfter(BENCHMARKS, "### A slow backend: hedging and per-try timeouts", "| picker | policy |")) {
            picker = r.get(0).isEmpty() ? picker : r.get(0).replace("`", "").replace(" (default)", "");
            String file = switch (picker) {
                case "least_loaded" -> "resilience-slow.json";
                case "peak_ewma" -> "resilience-slow-peak-ewma.json";
                default -> "resilience-slow-round-robin.json";
            };
            String name = policy(r.get(1));
            Object healthy = resilience(file, name, "healthy");
            Object incident = resilience(file, name, "one backend slow (2 s)");
            String where = file + ", " + name;
            cell(where + ", healthy p99", r.get(2), (Double) at(healthy, "p99_ms"));
            cell(where + ", success", r.get(3), 100 * (Double) at(incident, "success_rate"));
            cell(where + ", p50", r.get(4), (Double) at(incident, "p50_ms"));
            cell(where + ", p99", r.get(5), (Double) at(incident, "p99_ms"));
            cell(where + ", p99.9", r.get(6), (Double) at(incident, "p999_ms"));
            cell(where + ", attempts", r.get(7), (Double) at(incident, "attempts_per_request"));
        }
        for (List<String> r : tableAfter(BENCHMARKS, "### Failing backends: retries of 503", "| policy |")) {
            String name = policy(r.get(0));
            Object one = resilience("resilience-failing.json", name, "one backend 503");
            Object first = resilience("resilience-failing.json", name, "every backend 503, first 10 s");
            Object after = resilience("resilience-failing.json", name, "every backend 503, after 10 s");
            String where = "resilience-failing.json, " + name;
            cell(where + ", one backend 503", r.get(1), 100 * (Double) at(one, "success_rate"), (Double) at(one, "attempts_per_request"));
            cell(where + ", first 10 s", r.get(2), (Double) at(first, "attempts_per_request"), (Double) at(first, "p99_ms"));
            cell(where + ", after 10 s", r.get(3), (Double) at(after, "attempts_per_request"));
        }
        for (List<String> r : tableAfter(BENCHMARKS, "### Overload: a pool at twice its capacity", "| policy |")) {
            String name = policy(r.get(0));
            Object over = resilience("resilience-overload.json", name, "twice capacity");
            String where = "resilience-overload.json, " + name;
            cell(where + ", success", r.get(1), 100 * (Double) at(over, "success_rate"));
            cell(where + ", p50", r.get(2), (Double) at(over, "p50_ms"));
            cell(where + ", p99", r.get(3), (Double) at(over, "p99_ms"));
            cell(where + ", attempts", r.get(4), (Double) at(over, "attempts_per_request"));
            // the throttled counts (r.get(5)) are printed by the harness from the snapshot, not kept in the JSON
        }
        List<Jmh> before = Jmh.of("facade-before-issue17.json");
        List<Jmh> after = Jmh.of("facade-after-issue17.json");
        for (List<String> r : tableAfter(BENCHMARKS, "### What the policies cost a request that needs none", "| version |")) {
            Jmh b = Jmh.find(before, "fairway", "version", r.get(0));
            Jmh a = Jmh.find(after, "fairway", "version", r.get(0));
            cell("facade before issue 17, " + r.get(0), r.get(1), b.score, b.error);
            cell("facade after issue 17, " + r.get(0), r.get(2), a.score, a.error);
            cell("facade before issue 17, " + r.get(0) + ", B/op", r.get(3), b.bytes);
            cell("facade after issue 17, " + r.get(0) + ", B/op", r.get(4), a.bytes);
        }
        assertNoProblems();
    }

    @Test
    void theSubsetsTableIsSubsetsTxt() {
        List<String> text = read("docs/benchmarks/subsets.txt").lines().toList();
        Map<String, String> schemes = Map.of("rendezvous", "rendezvous (random key)", "SRE book", "SRE book",
                "aperture ring", "aperture ring", "bounded-load", "bounded-load rendezvous", "levelled", "levelled rendezvous",
                "balanced", "balanced rendezvous", "stable matching", "stable matching");
        int rows = 0;
        for (List<String> r : tableAfter(BENCHMARKS, "| scheme | 300×300 | 301×300 |")) {
            String label = r.get(0).replace("*", "");
            if (label.startsWith("minimum")) {
                continue;
            }
            String scheme = schemes.entrySet().stream().filter(e -> label.startsWith(e.getKey())).map(Map.Entry::getValue)
                    .findFirst().orElseThrow(() -> new AssertionError("unknown scheme " + label));
            String line = text.stream().filter(l -> l.startsWith(scheme + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError("subsets.txt has no " + scheme));
            List<String> measured = numbers(line.replace("|", " "));
            List<String> shown = new ArrayList<>();
            r.subList(1, r.size()).forEach(cell -> shown.addAll(numbers(cell.replace(",", "").replace("/", " / "))));
            checked += shown.size();
            if (!shown.equals(measured)) {
                problems.add("subsets, " + scheme + ": the table says " + shown + ", subsets.txt " + measured);
            }
            rows++;
        }
        assertTrue(rows == 7, rows + " schemes checked");
        assertNoProblems();
    }

    // ------------------------------------------------------------------------------------------------ other pages

    /** A page with its lines joined, so that a figure wrapped over two lines reads as one. */
    private static String joined(String page) {
        return read(page).replaceAll("\n[ \t]*", " ");
    }

    /** Records a problem unless {@code page} says {@code quote} and benchmarks.md says {@code source}. */
    private void quotes(String page, String quote, String source) {
        checked++;
        if (!joined(page).contains(quote)) {
            problems.add(page + " no longer says '" + quote + "': update the check here with the docs");
        }
        if (!joined(BENCHMARKS).contains(source)) {
            problems.add("benchmarks.md no longer says '" + source + "', which " + page + " quotes as '" + quote + "'");
        }
    }

    /** Records a problem unless {@code page} says {@code quote}, whose numbers are {@code actual}. */
    private void quotes(String page, String quote, double... actual) {
        if (!joined(page).contains(quote)) {
            problems.add(page + " no longer says '" + quote + "': update the check here with the docs");
            return;
        }
        cell(page + ": '" + quote + "'", quote, actual);
    }

    @Test
    void figuresOtherPagesQuoteAreTheBenchmarksOnes() {
        String guide = "docs/guide.md";
        String operations = "docs/operations.md";
        String kubernetes = "docs/kubernetes.md";
        String dns = "docs/dns.md";
        // the default picker: steady spread (bin/demo, no JSON) and the slow backend (JSON)
        quotes(guide, "busiest/idlest 1.008–1.020 in 8 runs of `bin/demo steady`", "busiest/idlest 1.008–1.020 over 8 runs");
        quotes(guide, "strictly least loaded: 1.02–1.10", "the strict least-loaded rule 1.02–1.10 over 14 runs");
        Object at500 = slow("load-slow-default-500.json", "(defaults)");
        Object at50 = slow("load-slow-default-50.json", "(defaults)");
        double ratio500 = (Double) at(at500, "incident_p99_ms") / (Double) at(at500, "healthy_p99_ms");
        double ratio50 = (Double) at(at50, "incident_p99_ms") / (Double) at(at50, "healthy_p99_ms");
        quotes(guide, "(1.0× at 500)", ratio500, 500);
        quotes(guide, "(at 50: 1.9–2.8×)", "1.9–2.8× at 50 req/s (3 runs)");
        cell(guide + ": the worst of the 3 runs at 50 req/s", "2.8", ratio50);
        quotes(kubernetes, "**1.0** at 500 req/s (7.9 ms / 7.9 ms)", ratio500, 500, (Double) at(at500, "incident_p99_ms"),
                (Double) at(at500, "healthy_p99_ms"));
        quotes(kubernetes, "**1.9–2.8** at 50 req/s over 3 runs (e.g. 20.2 ms / 7.3 ms)", 1.9, ratio50, 50, 3,
                (Double) at(at50, "incident_p99_ms"), (Double) at(at50, "healthy_p99_ms"));
        // the cost of watching
        List<Jmh> snapshot = Jmh.of("snapshot.json");
        double at100 = Jmh.find(snapshot, "snapshot", "backends", "100").score;
        double perBackend = Jmh.find(snapshot, "snapshot", "backends", "1000").score; // µs per 1,000: ns per backend
        quotes(operations, "2.65 µs with 100 backends, about 26 ns per backend", at100, 100, 26);
        about(operations + ": about 26 ns per backend", 26, perBackend);
        quotes(operations, "of a client with 100 backends spent about 26 µs per poll", 100, Jmh.find(snapshot, "mxbeanCounters", "backends", "100").score);
        List<Jmh> oneFork = Jmh.of("facade-jfr.json");
        List<Jmh> threeForks = Jmh.of("facade-jfr-f3.json");
        double direct1 = Jmh.find(oneFork, "direct", "version", "HTTP_1_1", "jfr", "off").score;
        double direct2 = Jmh.find(oneFork, "direct", "version", "HTTP_2", "jfr", "off").score;
        quotes(operations, "230 ns against 225 ns without on the HTTP/1.1 path, and 557 ns against 475 ns on the HTTP/2 path",
                Jmh.find(threeForks, "fairway", "version", "HTTP_1_1", "jfr", "default").score - direct1,
                Jmh.find(threeForks, "fairway", "version", "HTTP_1_1", "jfr", "off").score - direct1, 1.1,
                Jmh.find(threeForks, "fairway", "version", "HTTP_2", "jfr", "default").score - direct2,
                Jmh.find(threeForks, "fairway", "version", "HTTP_2", "jfr", "off").score - direct2, 2);
        // bounds, fuzzing
        quotes(guide, "kept 3.6 MB of heap, about 110 KB a target", "3.6 MB (about 110 KB a target)");
        quotes(guide, "about 70 × the message's size (≤ about 4.5 MB for 64 KiB)", "4,537,888 B (a 64 KiB answer of 4,079 compressed names: 69 × its size)");
        quotes(dns, "`FuzzTest` feeds it 50,000 random and mutated messages", "| `dns_message` (wire format, then CNAME/SRV chains) | `IOException` | 50,000 |");
        quotes(dns, "so a 64 KiB TCP answer costs at most about 4.5 MB", "4,537,888 B");
        // discovery and rollouts (wall-clock harnesses: benchmarks.md is the record)
        quotes(dns, "**12.5**, measured: 25 queries for one name in 2.00 min", "| DNS queries per minute per client and name, TTL 5 s | 12.5 (25 in 2.00 min) |");
        quotes(kubernetes, "DNS load at steady state: 12.5 queries per minute per client and name", "12.5 (25 in 2.00 min)");
        quotes(dns, "| defaults, TTL 5 s | 9 | **2.74 s**, 0.73 – 4.47 s | 3.67 s, 4.54 s |", "median 2.74 s, 0.73–4.47 s");
        quotes(dns, "| defaults, TTL 5 s | 9 | **2.74 s**, 0.73 – 4.47 s | 3.67 s, 4.54 s |", "median 3.67 s, max 4.54 s");
        quotes(kubernetes, "| 29.2 s (27.4–31.0) | **4.20 s** (3.91–4.45), 7 runs of `bin/demo --quiet scale-out`; 2.74 s (0.73–4.47) over 9 runs",
                "median 4.20 s, 3.91–4.45 s (landed code before: 29.2 s)");
        quotes(kubernetes, "| up to 28 s | 3.67 s (0.23–4.54), 9 runs of `DnsFigures`", "median 3.67 s, max 4.54 s");
        quotes(kubernetes, "(`bin/demo rollout`, 5 pods, about 220,000 requests) | 175 and 779 failed | **0** failed in each of the last 3 runs",
                "0, 0, 0 of about 220,000 each (landed code before: 175 and 779)");
        // ClusterIP
        for (String[] run : List.of(new String[]{"| `min_addresses=4`, `max_age=400ms` (recommended) | 7 | **1.26** | 1.12–1.79 | 7 | 197–202 | 1.32 |",
                "| `min_addresses=4`, `max_age=400ms` (recommended) | 10 | **1.26** (1.12–1.79) | 7 of 7 | 99.58 %, 1.32 |"},
                new String[]{"| `min_addresses=4`, `max_age=500ms` (the demo before) | 7 | 1.41 | 1.21–1.55 | 7 | 154–162 | 1.37 |",
                        "| `min_addresses=4`, `max_age=500ms` (the demo before) | 8 | 1.41 (1.21–1.55) | 7 of 7 | 98.6 %, 1.37 |"},
                new String[]{"| `min_addresses=1`, `max_age=400ms` | 7 | 2.01 | 1.41–5.04 | 3 | 47–51 | 1.78 |",
                        "| `min_addresses=1`, `max_age=400ms` | 2.5 | 2.01 (1.41–5.04) | 3 of 7 | 66.5 %, 1.78 |"},
                new String[]{"| `min_addresses=4`, `max_age=500ms`, proxy taking turns (IPVS-like) | 5 | 1.02 | 1.01–1.03 | 5 |",
                        "(IPVS-like, the demo's proxy before) | 8 | 1.02 (1.01–1.03) | 5 of 5 | — |"},
                new String[]{"| `bin/demo --quiet clusterip` (4 × 400ms, its own client and proxy per run) | 6 | 1.30 | 1.07–1.51 | 6 |",
                        "| the same, `bin/demo --quiet clusterip` | 10 | 1.30 (1.07–1.51) | 6 of 6 | 99.58 %, 1.32 |"})) {
            quotes(kubernetes, run[0], run[1]);
        }
        quotes(kubernetes, "measured max/min: median 1.30 over 6 runs",
                "| the same, `bin/demo --quiet clusterip` | 10 | 1.30 (1.07–1.51) | 6 of 6 |");
        quotes(kubernetes, "| 4 | 99.988 %, 1.25 (1.65), 16/s | **99.58 %, 1.32 (1.89), 10/s** | 98.6 %, 1.37 (2.06), 8/s |", "99.58 %, 1.32");
        quotes(kubernetes, "| 1 | 85.4 %, 1.56 (2.91), 4/s | 66.5 %, 1.78 (4.11), 2.5/s |", "66.5 %, 1.78");
        assertNoProblems();
    }

    /** The numbers of the rows of the first table after {@code markers} whose first cell starts with {@code label}. */
    private static List<String> rowNumbers(String page, String label, String... markers) {
        List<String> numbers = new ArrayList<>();
        for (List<String> r : tableAfter(page, markers)) {
            if (r.get(0).replace("*", "").startsWith(label)) {
                r.subList(1, r.size()).forEach(c -> numbers.addAll(DocsFiguresTest.numbers(c)));
            }
        }
        return numbers;
    }

    @Test
    void kubernetesMdsTablesAreTheBenchmarksAndSubsetsTxt() {
        String kubernetes = "docs/kubernetes.md";
        // the kubernetes resolver's figures: the same tables on both pages
        for (String header : List.of("| figure (3 runs; 200 events per run for the resolver, 20 rounds through a client) |",
                "| 1,000 endpoints in 10 slices (3 runs) | value |")) {
            checked++;
            if (!tableAfter(kubernetes, header).equals(tableAfter(BENCHMARKS, header))) {
                problems.add("kubernetes.md's table '" + header + "' differs from benchmarks.md's");
            }
        }
        // zones: per rule, the full fleet's cross-zone, busiest and idlest, then after zone a lost a backend
        Map<String, String> rules = new LinkedHashMap<>();
        rules.put("zone-unaware", "zone-unaware");
        rules.put("local only", "local only");
        rules.put("Envoy's rule", "Envoy's rule");
        rules.put("Fairway", "Fairway");
        for (Map.Entry<String, String> rule : rules.entrySet()) {
            List<String> shown = rowNumbers(kubernetes, rule.getKey(), "| rule | cross-zone | busiest ÷ mean |");
            List<List<String>> measured = tableAfter(BENCHMARKS, "| rule | backends | cross-zone |");
            List<String> full = new ArrayList<>();
            List<String> after = new ArrayList<>();
            for (List<String> r : measured) {
                if (r.get(0).replace("*", "").startsWith(rule.getValue())) {
                    List<String> target = r.get(1).contains("a=2") ? full : after;
                    target.addAll(numbers(r.get(2)));
                    target.addAll(numbers(r.get(3)));
                    target.addAll(numbers(r.get(4)));
                }
            }
            List<String> expected = new ArrayList<>(full);
            expected.addAll(after.subList(0, 2)); // after: cross-zone and busiest
            checked++;
            if (!numbersEqual(shown, expected)) {
                problems.add("kubernetes.md's zone row '" + rule.getKey() + "' says " + shown + ", benchmarks.md " + expected);
            }
        }
        // subsets: rendezvous and stable matching, from subsets.txt
        List<String> text = read("docs/benchmarks/subsets.txt").lines().toList();
        for (String[] scheme : List.of(new String[]{"rendezvous", "rendezvous (random key)"}, new String[]{"by index", "stable matching"})) {
            List<String> line = numbers(text.stream().filter(l -> l.startsWith(scheme[1] + " ")).findFirst().orElseThrow().replace("|", " "));
            // subsets.txt: 300x300 spread (2 numbers), 3 more spreads (6), +1 backend middle/end, -1 middle/end, +1 client, -1 last
            List<String> expected = List.of(line.get(0), line.get(1), line.get(8), line.get(9), line.get(10), line.get(11),
                    line.get(12), line.get(13));
            List<String> shown = rowNumbers(kubernetes, scheme[0], "| scheme | clients per backend, most / least |");
            checked++;
            if (!shown.equals(expected)) {
                problems.add("kubernetes.md's subsets row '" + scheme[0] + "' says " + shown + ", subsets.txt " + expected);
            }
        }
        assertNoProblems();
    }

    private static boolean numbersEqual(List<String> a, List<String> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int k = 0; k < a.size(); k++) {
            if (Double.parseDouble(a.get(k).replace(",", "")) != Double.parseDouble(b.get(k).replace(",", ""))) {
                return false;
            }
        }
        return true;
    }
}
