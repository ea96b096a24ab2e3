package dev.fairway.health.internal;

import dev.fairway.health.internal.Checks.Report;
import dev.fairway.health.internal.Checks.Reports;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.HealthState;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeBackend;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever a backend answers, and whatever a probe throws ({@link Error}s included), the result is that backend's
 * failed (or passed) probe with a clear reason; nothing escapes into the client's threads. Real loopback servers
 * answer hostile bytes.
 */
class HostileAnswerTest {

    private static final String CHECK = "POST /grpc.health.v1.Health/Check";

    private final FakeClock clock = new FakeClock();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Reports reports = new Reports();
    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();
    private final List<Throwable> escaped = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler previousHandler;

    @BeforeEach
    void catchWhatEscapes() {
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> escaped.add(e));
    }

    @AfterEach
    void tearDown() throws Exception {
        Checks.closeAll(cleanup, executor);
        Thread.setDefaultUncaughtExceptionHandler(previousHandler);
        assertEquals(List.of(), escaped, "nothing escapes into the client's threads");
    }

    /** A server on 127.0.0.4 that answers every request with {@code status} and {@code body}. */
    private RawServer answering(int status, byte[] body) throws Exception {
        RawServer server = new RawServer("127.0.0.4", RawServer.Behaviour.ANSWER);
        server.answer = RawServer.response(status, body);
        cleanup.push(server);
        return server;
    }

    private HealthCheck start(HealthCheckProvider provider, RawServer server) {
        HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(server.address()))
                .version(HttpClient.Version.HTTP_1_1).build();
        cleanup.push(client::shutdownNow);
        Map<String, Object> options = new HashMap<>(Map.of("jitter", "0", "idle_interval", "1h", "timeout", "8s",
                "unhealthy_threshold", 1));
        FakeBackend backend = new FakeBackend(BackendAddress.of(server.address().getAddress(), server.port()));
        Target target = new Target("http", "orders.fairway.test", server.port());
        HealthCheck check = provider.create(Checks.context(target, backend, Checks.options(provider, options), clock, executor,
                client));
        cleanup.push(check::close);
        check.start(reports);
        clock.runDueTasks();
        return check;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aHugeExponentIsAFailedProbeNotAGigabyteString() throws Exception {
        byte[] body = ascii("{\"status\":1e999999999}");
        assertEquals(22, body.length);
        start(new GrpcHealthCheckProvider(), answering(200, body));
        assertEquals(new Report(HealthState.UNHEALTHY, CHECK + " answered 200 with a body that is not a JSON HealthCheckResponse"
                + " (JSON over a limit: a number with an exponent beyond ±1000 at offset 10): '{\"status\":1e999999999}'"
                + " (1 failure in a row)"), reports.next());
    }

    @Test
    void deepNestingLongStringsAndTooManyValuesAreFailedProbes() throws Exception {
        Map<String, String> bodies = Map.of(
                "{\"status\":" + "[".repeat(20_000) + "]".repeat(20_000) + "}", "nested deeper than 64 levels",
                "{\"status\":\"" + "S".repeat(Json.MAX_STRING + 1) + "\"}", "a string longer than " + Json.MAX_STRING,
                "{\"status\":[" + "0,".repeat(Json.MAX_VALUES) + "0]}", "more than " + Json.MAX_VALUES + " values",
                "{\"status\":1" + "0".repeat(Json.MAX_NUMBER) + "}", "a number longer than " + Json.MAX_NUMBER);
        for (Map.Entry<String, String> e : bodies.entrySet()) {
            start(new GrpcHealthCheckProvider(), answering(200, ascii(e.getKey())));
            Report r = reports.next();
            assertEquals(HealthState.UNHEALTHY, r.state(), r.toString());
            assertTrue(r.reason().startsWith(CHECK + " answered 200 with a body that is not a JSON HealthCheckResponse"
                    + " (JSON over a limit: " + e.getValue()), r.reason());
            assertTrue(r.reason().length() < 400, "the reason quotes a bounded part of the body: " + r.reason().length());
            cleanup.pop().close(); // the check
        }
    }

    @Test
    void aBodyOverTheLimitFailsTheGrpcProbeAndIsCutOffByTheHttpProbe() throws Exception {
        byte[] huge = new byte[1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        RawServer server = answering(200, huge);
        start(new GrpcHealthCheckProvider(), server);
        assertEquals(new Report(HealthState.UNHEALTHY, CHECK + " failed: IOException: response body longer than 65536 bytes"
                + " (1 failure in a row)"), reports.next());

        start(new HttpHealthCheckProvider(), server);
        assertEquals(new Report(HealthState.HEALTHY, "GET /healthz answered 200 (body over 65536 bytes, not read further)"),
                reports.next());
    }

    @Test
    void serverTextInReasonsIsClippedAndHasNoControlCharacters() throws Exception {
        String evil = "\u001b[2J\r\nFAKE LOG LINE " + "x".repeat(5000);
        start(new GrpcHealthCheckProvider(), answering(503, ascii("{\"code\":\"unavailable\\n\\u001b[31m\",\"message\":"
                + Json.quote(evil) + "}")));
        Report r = reports.next();
        assertEquals(HealthState.UNHEALTHY, r.state());
        assertTrue(r.reason().startsWith(CHECK + " answered 503 unavailable ?[31m: ?[2J FAKE LOG LINE xxx"), r.reason());
        assertFalse(r.reason().chars().anyMatch(Character::isISOControl), r.reason());
        assertTrue(r.reason().length() < 2 * GrpcHealthProbe.MAX_ECHO + 120, r.reason());

        start(new GrpcHealthCheckProvider(), answering(200, ascii("{\"status\":" + Json.quote(evil) + "}")));
        r = reports.next();
        assertTrue(r.reason().startsWith(CHECK + " answered ?[2J FAKE LOG LINE XXX"), r.reason());
        assertTrue(r.reason().length() < GrpcHealthProbe.MAX_ECHO + 80, r.reason());
    }

    /** A probe that throws what a test says, or completes with it. */
    private static final class ThrowingProbe implements Probe {
        private final Throwable thrown;
        private final boolean asFuture;

        ThrowingProbe(Throwable thrown, boolean asFuture) {
            this.thrown = thrown;
            this.asFuture = asFuture;
        }

        @Override
        public String description() {
            return "GET /healthz";
        }

        @Override
        public CompletableFuture<ProbeResult> start() {
            if (asFuture) {
                return CompletableFuture.failedFuture(thrown);
            }
            if (thrown instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) thrown;
        }
    }

    @Test
    void errorsThrownOrCompletedByAProbeAreFailedProbes() throws Exception {
        HttpClient unused = HttpClient.newHttpClient();
        cleanup.push(unused::shutdownNow);
        FakeBackend backend = FakeBackend.numbered(1);
        var options = Checks.options(CommonOptions.ALL, Map.of("jitter", "0", "unhealthy_threshold", 1));
        var context = Checks.context(new Target("http", "orders.fairway.test", 8080), backend, options, clock, executor, unused);
        List<Throwable> thrown = List.of(new StackOverflowError(), new OutOfMemoryError("Java heap space"),
                new IllegalStateException("bug"));
        for (Throwable t : thrown) {
            for (boolean asFuture : new boolean[] {false, true}) {
                ActiveHealthCheck check = new ActiveHealthCheck(context, CommonOptions.Settings.of(options),
                        new ThrowingProbe(t, asFuture));
                check.start(reports);
                clock.runDueTasks();
                String type = t.getClass().getSimpleName();
                assertEquals(new Report(HealthState.UNHEALTHY, "GET /healthz failed: " + type
                        + (t.getMessage() == null ? "" : ": " + t.getMessage()) + " (1 failure in a row)"), reports.next());
                Checks.awaitProbes(check, 1);
                check.close();
            }
        }
    }

    @Test
    void aResultFunctionThatThrowsAnErrorCompletesTheLinkedFutureExceptionally() {
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<ProbeResult> linked = Probe.linked(source, (value, failure) -> {
            throw new StackOverflowError();
        });
        source.complete("answer"); // without the catch, linked would never complete: the probe would end at its timeout
        assertTrue(linked.isCompletedExceptionally());
        assertInstanceOf(StackOverflowError.class, linked.exceptionNow());
    }
}
