package dev.fairway.health.internal;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.fairway.health.internal.Checks.Reports;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.HealthState;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeBackend;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reasons and messages docs/health.md and the guide's bounds quote for the health checks are the ones they give:
 * each quote is looked up in its page, the probe or option it describes is run, and the result matched against the
 * quote, where {@code …} (or {@code ...}) stands for any text, a lone {@code N} for a number, and the example values
 * the test names (an address, a port) for what it produced instead. Every reason of health.md's table and every quote
 * of the guide's health rows must be checked here ({@link #everyReasonTheDocsTabulateIsCheckedHere}).
 */
class DocumentedMessagesTest {

    private static final String HEALTH = "docs/health.md";
    private static final String GUIDE = "docs/guide.md";

    // docs/health.md
    static final String TIMEOUT_OVER_INTERVAL = "fairway.health.timeout = 3s is longer than fairway.health.interval = 2s: ...";
    static final String RESTRICTED_HEADER = "fairway.health.headers = (value hidden) is not allowed: item 2 is Host, a header the JDK"
            + " restricts and will not send; use …";
    static final String HIDDEN_VALUE = "Authorization: (value hidden)";
    static final String TURNED_UNHEALTHY = "GET /healthz answered 503 (3 failures in a row)";
    static final String TURNED_HEALTHY = "GET /healthz answered 200 (2 successes in a row)";
    static final String PASSED = "GET /healthz answered 200";
    static final String UNEXPECTED = "GET /healthz answered 503";
    static final String TIMED_OUT = "GET /healthz timed out after 1s";
    static final String REFUSED = "GET /healthz failed: ConnectException";
    static final String THREW = "GET /healthz failed: StackOverflowError";
    static final String HTTP_BODY_OVER = "GET /healthz answered 200 (body over 65536 bytes, not read further)";
    static final String GRPC_BODY_OVER = "… failed: IOException: response body longer than 65536 bytes";
    static final String GRPC_NOT_SERVING = "POST /grpc.health.v1.Health/Check for service 'orders' answered NOT_SERVING";
    static final String TCP_SUCCEEDED = "TCP connect to 10.0.0.5:8080 succeeded";
    static final String TCP_REFUSED = "refused";
    static final String TCP_TIMED_OUT = "timed out after 1s";
    static final String EXPONENT = "JSON over a limit: a number with an exponent beyond ±1000 at offset 10";
    // docs/guide.md, "Health checks and DNS"
    static final String GUIDE_TEXT = "JSON over a limit: a text of N characters is longer than 65536";
    static final String GUIDE_DEPTH = "(JSON over a limit: nested deeper than 64 levels at offset N)";
    static final String GUIDE_STRING = "(JSON over a limit: a string longer than 8192 characters at offset N)";
    static final String GUIDE_NUMBER = "(JSON over a limit: a number with an exponent beyond ±1000 at offset N)";
    static final String GUIDE_VALUES = "(JSON over a limit: more than 10000 values at offset N)";
    static final String GUIDE_JSON_FAILED = "… answered 200 with a body that is not a JSON HealthCheckResponse (JSON over a limit:"
            + " …)";
    static final String GUIDE_TOO_MANY_HEADERS = "fairway.health.headers = (value hidden) is not allowed: it has more than 32 headers;"
            + " use …";

    // ---------------------------------------------------------------------------------------------------- quotes

    /** A page of the docs with its lines joined, so that a quote wrapped over two lines reads as one. */
    static String page(String relative) {
        try {
            return Files.readString(Path.of("..").resolve(relative)).replaceAll("\n[ \t]*", " ");
        } catch (IOException e) {
            throw new AssertionError("cannot read " + relative + " (the tests run in the module's directory)", e);
        }
    }

    /** Asserts {@code page} quotes {@code quote} (in backticks or double quotes) and returns it. */
    static String quoted(String page, String quote) {
        String text = page(page);
        assertTrue(text.contains("`" + quote + "`") || text.contains("\"" + quote + "\""),
                () -> page + " no longer quotes '" + quote + "': update the check here with the docs");
        return quote;
    }

    /** The quote as a pattern: literal text, except {@code …}/{@code ...} (any text), a lone {@code N} (a number). */
    static Pattern pattern(String quote, Map<String, String> examples) {
        String text = quote;
        for (Map.Entry<String, String> e : examples.entrySet()) {
            assertTrue(text.contains(e.getKey()), () -> "the quote '" + quote + "' has no example value '" + e.getKey() + "'");
            text = text.replace(e.getKey(), "\u0000" + e.getValue() + "\u0001");
        }
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("…|\\.\\.\\.|\\bN\\b|\u0000[^\u0001]*\u0001").matcher(text);
        int at = 0;
        while (m.find()) {
            regex.append(Pattern.quote(text.substring(at, m.start())));
            String token = m.group();
            regex.append(token.equals("N") ? "\\d+" : token.startsWith("\u0000")
                    ? Pattern.quote(token.substring(1, token.length() - 1)) : ".*?");
            at = m.end();
        }
        regex.append(Pattern.quote(text.substring(at)));
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    static void holds(String quote, String actual, Map<String, String> examples) {
        assertTrue(pattern(quote, examples).matcher(actual).find(),
                () -> "the docs quote '" + quote + "' (examples " + examples + "); the code says: " + actual);
    }

    static void holds(String quote, String actual) {
        holds(quote, actual, Map.of());
    }

    // ---------------------------------------------------------------------------------------------------- options

    @Test
    void optionErrorsAreTheDocsWordsAndHeaderValuesStayHidden() {
        HttpHealthCheckProvider http = new HttpHealthCheckProvider();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> http.validate(Checks.options(http, Map.of("timeout", "3s", "interval", "2s"))));
        holds(quoted(HEALTH, TIMEOUT_OVER_INTERVAL), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> http.validate(Checks.options(http, Map.of("headers", "X-Probe: 1, Host: orders"))));
        assertTrue(e.getMessage().startsWith("fairway.health.headers"), e.getMessage());
        holds(quoted(HEALTH, RESTRICTED_HEADER), e.getMessage());

        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= ProbeHeaders.MAX_HEADERS; i++) {
            many.append(i == 0 ? "" : ", ").append("X-H").append(i).append(": ").append(i);
        }
        e = assertThrows(IllegalArgumentException.class, () -> http.validate(Checks.options(http, Map.of("headers", many.toString()))));
        holds(quoted(GUIDE, GUIDE_TOO_MANY_HEADERS), e.getMessage());

        OptionValues token = Checks.options(http, Map.of("headers", "Authorization: Bearer s3cr3t"));
        String shown = token.get(HttpHealthCheckProvider.HEADERS).toString();
        holds(quoted(HEALTH, HIDDEN_VALUE), shown);
        assertTrue(!shown.contains("s3cr3t") && !token.toString().contains("s3cr3t"), shown + " / " + token);
    }

    // ---------------------------------------------------------------------------------------------------- probes

    private final FakeClock clock = new FakeClock();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();

    @AfterEach
    void tearDown() throws Exception {
        Checks.closeAll(cleanup, executor);
    }

    private WireMockServer pod() {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.2").dynamicPort()
                .containerThreads(10).jettyAcceptors(1));
        server.start();
        cleanup.push(server::stop);
        return server;
    }

    /** Starts {@code provider}'s check of 127.0.0.2:{@code port} on the fake clock, reporting to {@code reports}. */
    private HealthCheck start(HealthCheckProvider provider, int port, Map<String, Object> raw, Reports reports) {
        Map<String, Object> options = new HashMap<>(Map.of("jitter", "0", "idle_interval", "1h"));
        options.putAll(raw);
        InetSocketAddress backend = new InetSocketAddress("127.0.0.2", port);
        HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(backend)).version(HttpClient.Version.HTTP_1_1).build();
        cleanup.push(client::shutdownNow);
        HealthCheck check = provider.create(Checks.context(new Target("http", "orders.fairway.test", port),
                new FakeBackend(BackendAddress.of(backend.getAddress(), port)), Checks.options(provider, options), clock, executor, client));
        cleanup.push(check::close);
        check.start(reports);
        return check;
    }

    /** The next probe's result, with the clock moved to it. */
    private void probe(HealthCheck check, long n) {
        clock.advance(Duration.ofSeconds(10));
        Checks.awaitProbes(check, n);
    }

    @Test
    void httpReasonsAreTheDocsWords() throws Exception {
        WireMockServer server = pod();
        server.stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(200)));
        Reports reports = new Reports();
        // the generous timeout is for a cold server on a busy machine; the reasons do not show it
        HealthCheck check = start(new HttpHealthCheckProvider(), server.port(), Map.of("timeout", "8s"), reports);
        clock.runDueTasks();
        Checks.Report first = reports.next();
        assertEquals(HealthState.HEALTHY, first.state());
        assertEquals(quoted(HEALTH, PASSED), first.reason(), "UNKNOWN → HEALTHY after one pass, without a streak");
        Checks.awaitProbes(check, 1);
        probe(check, 2);
        holds(quoted(HEALTH, PASSED), reports.take().reason()); // a passed probe of a healthy backend is reported

        server.stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(503)));
        probe(check, 3);
        probe(check, 4);
        probe(check, 5);
        String unhealthy = reports.take().reason();
        assertEquals(quoted(HEALTH, TURNED_UNHEALTHY), unhealthy);
        assertTrue(unhealthy.startsWith(quoted(HEALTH, UNEXPECTED)), unhealthy);

        server.stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(200)));
        probe(check, 6);
        probe(check, 7);
        assertEquals(quoted(HEALTH, TURNED_HEALTHY), reports.take().reason());

        server.stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(200).withBody(new byte[100 * 1024])));
        probe(check, 8);
        String big = reports.take().reason();
        assertEquals(quoted(HEALTH, HTTP_BODY_OVER), big);
        assertEquals(quoted(GUIDE, HTTP_BODY_OVER), big);
    }

    @Test
    void aProbeWithoutAnAnswerTimesOutInTheDocsWords() throws Exception {
        WireMockServer server = pod();
        server.stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(200).withFixedDelay(30_000)));
        Reports reports = new Reports();
        start(new HttpHealthCheckProvider(), server.port(), Map.of("unhealthy_threshold", 1), reports); // timeout: 1s, the default
        clock.runDueTasks();
        clock.advance(Duration.ofSeconds(1));
        String reason = reports.next().reason();
        holds(quoted(HEALTH, TIMED_OUT), reason);
        holds(quoted(GUIDE, TIMED_OUT), reason);
        holds(quoted(HEALTH, TCP_TIMED_OUT), reason); // the same words end a TCP probe's timeout
    }

    @Test
    void aRefusedOrThrowingProbeFailsInTheDocsWords() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.2"))) {
            closed = s.getLocalPort();
        }
        Reports refused = new Reports();
        start(new HttpHealthCheckProvider(), closed, Map.of("unhealthy_threshold", 1), refused);
        clock.runDueTasks();
        holds(quoted(HEALTH, REFUSED), refused.next().reason());

        Reports threw = new Reports();
        Probe throwing = new Probe() {
            @Override
            public String description() {
                return "GET /healthz"; // what HttpProbe calls a GET of /healthz (httpReasonsAreTheDocsWords)
            }

            @Override
            public CompletableFuture<ProbeResult> start() {
                throw new StackOverflowError();
            }
        };
        var options = Checks.options(CommonOptions.ALL, Map.of("jitter", "0", "unhealthy_threshold", 1));
        HttpClient unused = HttpClient.newHttpClient();
        cleanup.push(unused::shutdownNow);
        ActiveHealthCheck check = new ActiveHealthCheck(Checks.context(new Target("http", "orders.fairway.test", 8080),
                FakeBackend.numbered(1), options, clock, executor, unused), CommonOptions.Settings.of(options), throwing);
        cleanup.push(check::close);
        check.start(threw);
        clock.runDueTasks();
        String reason = threw.next().reason();
        holds(quoted(HEALTH, THREW), reason);
        holds(quoted(GUIDE, THREW), reason);
    }

    @Test
    void grpcReasonsAreTheDocsWords() throws Exception {
        HttpClient unused = HttpClient.newHttpClient(); // interpret() sends nothing
        cleanup.push(unused::shutdownNow);
        GrpcHealthProbe orders = new GrpcHealthProbe(unused, URI.create("http://orders.fairway.test:8080/"), "orders", true,
                Duration.ofSeconds(1));
        assertEquals(quoted(HEALTH, GRPC_NOT_SERVING), orders.interpret(200, "{\"status\":\"NOT_SERVING\"}").reason());
        GrpcHealthProbe server = new GrpcHealthProbe(unused, URI.create("http://orders.fairway.test:8080/"), "", true, Duration.ofSeconds(1));
        String exponent = server.interpret(200, "{\"status\":1e999999999}").reason();
        holds(quoted(HEALTH, EXPONENT), exponent);
        holds(quoted(GUIDE, GUIDE_NUMBER), exponent);
        holds(quoted(GUIDE, GUIDE_JSON_FAILED), exponent, Map.of("answered 200", "answered 200"));
        holds(quoted(GUIDE, GUIDE_DEPTH), server.interpret(200, "{\"a\":" + "[".repeat(70) + "]".repeat(70) + "}").reason());
        holds(quoted(GUIDE, GUIDE_STRING), server.interpret(200, "{\"status\":\"" + "x".repeat(9000) + "\"}").reason());
        holds(quoted(GUIDE, GUIDE_VALUES), server.interpret(200, "{\"a\":[" + "1,".repeat(10_001) + "1]}").reason());
        // no body a probe reads is longer than 64 KiB: the reader's own bound on the text shows only when it is called directly
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class, () -> Json.parseObject(" ".repeat(Json.MAX_TEXT + 1)));
        holds(quoted(GUIDE, GUIDE_TEXT), text.getMessage());

        WireMockServer pod = pod();
        pod.stubFor(post(urlEqualTo("/grpc.health.v1.Health/Check")).willReturn(aResponse().withStatus(200).withBody(new byte[100 * 1024])));
        Reports reports = new Reports();
        start(new GrpcHealthCheckProvider(), pod.port(), Map.of("unhealthy_threshold", 1, "timeout", "8s"), reports);
        clock.runDueTasks();
        String reason = reports.next().reason();
        holds(quoted(HEALTH, GRPC_BODY_OVER), reason);
        holds(quoted(GUIDE, GRPC_BODY_OVER), reason);
    }

    @Test
    void tcpReasonsAreTheDocsWords() throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.2"))) {
            String authority = "127.0.0.2:" + listening.getLocalPort();
            ProbeResult up = new TcpProbe(BackendAddress.of(listening.getInetAddress(), listening.getLocalPort()), Duration.ofSeconds(5))
                    .start().get();
            holds(quoted(HEALTH, TCP_SUCCEEDED), up.reason(), Map.of("10.0.0.5:8080", authority));
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.2"))) {
            closed = s.getLocalPort();
        }
        ProbeResult down = new TcpProbe(BackendAddress.of(java.net.InetAddress.getByName("127.0.0.2"), closed), Duration.ofSeconds(5))
                .start().get();
        assertEquals("TCP connect to 127.0.0.2:" + closed + " " + quoted(HEALTH, TCP_REFUSED), down.reason());
    }

    // ---------------------------------------------------------------------------------------------------- coverage

    /** The backticked quotes (with a space) of a table's column, from its header line to its end. */
    private static List<String> column(String page, String header, int cell) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..").resolve(page));
        int start = lines.indexOf(header);
        assertTrue(start >= 0, page + ": the table '" + header + "' is gone");
        List<String> quotes = new ArrayList<>();
        for (String row : lines.subList(start + 2, lines.size())) {
            if (!row.startsWith("|")) {
                break;
            }
            String[] parts = row.split("\\|")[cell].split("`");
            for (int i = 1; i < parts.length; i += 2) {
                quotes.add(parts[i]);
            }
        }
        return quotes;
    }

    @Test
    void everyReasonTheDocsTabulateIsCheckedHere() throws Exception {
        List<String> checked = new ArrayList<>();
        for (var field : DocumentedMessagesTest.class.getDeclaredFields()) {
            if (field.getType() == String.class && java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                checked.add((String) field.get(null));
            }
        }
        Map<String, List<String>> tables = new LinkedHashMap<>();
        tables.put("health.md reasons", column(HEALTH, "| situation | reason |", 2));
        List<String> bounds = column(GUIDE, "| bound | default | key (if configurable) | what happens when hit |", 4);
        // the guide's bounds table covers the DNS resolvers too; resolver-dns checks those rows
        tables.put("the guide's health bounds", bounds.stream().filter(q -> q.contains("JSON") || q.contains("health")
                || q.contains("GET ") || q.startsWith("… failed") || q.contains("headers")).toList());
        List<String> unchecked = new ArrayList<>();
        tables.forEach((table, quotes) -> quotes.stream().filter(q -> q.contains(" ") && !checked.contains(q))
                .forEach(q -> unchecked.add(table + ": " + q)));
        assertTrue(!tables.get("the guide's health bounds").isEmpty(), "the guide's health rows are gone: " + bounds);
        assertTrue(unchecked.isEmpty(), "quoted, checked nowhere: " + unchecked);
    }
}
