package dev.fairway.health.internal;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
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
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code http} and {@code tcp} checks against real servers on loopback addresses, driven by a fake clock: the
 * clock triggers each probe, the test waits for its result on the real network with a deadline.
 */
class HttpHealthCheckTest {

    private static final Duration TEN_S = Duration.ofSeconds(10);

    private final FakeClock clock = new FakeClock();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Reports reports = new Reports();
    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();

    @AfterEach
    void tearDown() throws Exception {
        Checks.closeAll(cleanup, executor);
    }

    private WireMockServer pod(String ip) {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options().bindAddress(ip).dynamicPort()
                .containerThreads(10).jettyAcceptors(1));
        server.start();
        cleanup.push(server::stop);
        return server;
    }

    /** A client that reaches {@code backend} whatever the URI names, as the engine's HTTP/1.1 leaf does. */
    private HttpClient pinnedTo(InetSocketAddress backend) {
        HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(backend)).version(HttpClient.Version.HTTP_1_1).build();
        cleanup.push(client::shutdownNow);
        return client;
    }

    private HealthCheck start(HealthCheckProvider provider, InetSocketAddress backend, Map<String, Object> raw) {
        // a generous timeout unless the test is about timeouts: a cold server on a busy machine may take over a second
        Map<String, Object> options = new HashMap<>(Map.of("jitter", "0", "idle_interval", "1h", "timeout", "8s"));
        options.putAll(raw);
        FakeBackend fake = new FakeBackend(BackendAddress.of(backend.getAddress(), backend.getPort()));
        Target target = new Target("http", "orders.fairway.test", backend.getPort());
        HealthCheck check = provider.create(Checks.context(target, fake, Checks.options(provider, options), clock, executor,
                pinnedTo(backend)));
        cleanup.push(check::close);
        check.start(reports);
        return check;
    }

    /** Moves the clock to the next probe and waits until that probe's result has been handled. */
    private void probe(HealthCheck check, long n) {
        clock.advance(TEN_S);
        Checks.awaitProbes(check, n);
    }

    @Test
    void aBackendTurnsUnhealthyAndRecoversAsItsHealthEndpointIsSwitched() throws Exception {
        WireMockServer server = pod("127.0.0.2");
        server.stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(200)));
        HealthCheck check = start(new HttpHealthCheckProvider(), new InetSocketAddress("127.0.0.2", server.port()), Map.of());

        clock.runDueTasks();
        assertEquals(new Report(HealthState.HEALTHY, "GET /healthz answered 200"), reports.next());
        Checks.awaitProbes(check, 1); // the next timer is set once the result has been handled

        server.stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(503)));
        probe(check, 2);
        probe(check, 3);
        reports.assertNoneWaiting();
        probe(check, 4);
        assertEquals(new Report(HealthState.UNHEALTHY, "GET /healthz answered 503 (3 failures in a row)"), reports.take());

        server.stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(204)));
        probe(check, 5);
        reports.assertNoneWaiting();
        probe(check, 6);
        assertEquals(new Report(HealthState.HEALTHY, "GET /healthz answered 204 (2 successes in a row)"), reports.take());

        List<ServeEvent> probes = server.getAllServeEvents();
        assertEquals(6, probes.size());
        for (ServeEvent e : probes) {
            assertEquals("orders.fairway.test:" + server.port(), e.getRequest().getHeader("Host"),
                    "the probe URI is the target's, so the server sees the authority ordinary requests carry");
        }
    }

    @Test
    void methodPathHeadersAndExpectedStatusesAreConfigurable() throws Exception {
        WireMockServer server = pod("127.0.0.2");
        server.stubFor(request("HEAD", urlEqualTo("/ready?deep=1")).withHeader("X-Probe", equalTo("fairway"))
                .withHeader("Accept", equalTo("text/plain, */*")).willReturn(aResponse().withStatus(304)));
        HealthCheck check = start(new HttpHealthCheckProvider(), new InetSocketAddress("127.0.0.2", server.port()),
                Map.of("method", "head", "path", "/ready?deep=1", "headers", "X-Probe: fairway, Accept: text/plain, */*",
                        "expected_statuses", "200-299,304", "unhealthy_threshold", 1));

        clock.runDueTasks();
        assertEquals(new Report(HealthState.HEALTHY, "HEAD /ready?deep=1 answered 304"), reports.next());
        Checks.awaitProbes(check, 1); // the next timer is set once the result has been handled
        server.verify(1, com.github.tomakehurst.wiremock.client.WireMock.headRequestedFor(urlEqualTo("/ready?deep=1"))
                .withHeader("X-Probe", equalTo("fairway")));

        server.stubFor(request("HEAD", urlEqualTo("/ready?deep=1")).willReturn(aResponse().withStatus(302)));
        probe(check, 2);
        assertEquals(new Report(HealthState.UNHEALTHY, "HEAD /ready?deep=1 answered 302 (1 failure in a row)"), reports.take(),
                "a status outside the expected ones fails, and redirects are not followed");
        server.verify(0, getRequestedFor(urlEqualTo("/healthz")));
    }

    @Test
    void aHealthEndpointThatHangsTimesOutOnTheRequestTimeout() throws Exception {
        WireMockServer server = pod("127.0.0.2");
        server.stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(200).withFixedDelay(3_000)));
        HealthCheck check = start(new HttpHealthCheckProvider(), new InetSocketAddress("127.0.0.2", server.port()),
                Map.of("timeout", "300ms", "unhealthy_threshold", 1));

        clock.runDueTasks(); // the fake clock never reaches the timeout: the JDK's request timeout fires
        assertEquals(new Report(HealthState.UNHEALTHY, "GET /healthz timed out after 300ms (1 failure in a row)"), reports.next());
        Checks.awaitProbes(check, 1);
        assertEquals(List.of(TEN_S), clock.pendingDelays(), "the next probe is due one interval after this one's start");
    }

    @Test
    void aBackendThatAcceptsAndNeverAnswersFailsTheHttpCheckButPassesTheTcpCheck() throws Exception {
        RawServer silent = new RawServer("127.0.0.3", RawServer.Behaviour.SILENT);
        cleanup.push(silent);
        start(new HttpHealthCheckProvider(), silent.address(), Map.of("timeout", "300ms", "unhealthy_threshold", 1));
        clock.runDueTasks();
        assertEquals(new Report(HealthState.UNHEALTHY, "GET /healthz timed out after 300ms (1 failure in a row)"), reports.next());

        start(new TcpHealthCheckProvider(), silent.address(), Map.of("timeout", "300ms"));
        clock.runDueTasks();
        assertEquals(new Report(HealthState.HEALTHY, "TCP connect to 127.0.0.3:" + silent.port() + " succeeded"), reports.next());
        Checks.await("the server to accept both probes' connections", Duration.ofSeconds(10), () -> silent.connections.get() == 2);
    }

    @Test
    void aBodyThatNeverEndsIsAbandonedAtTheTimeout() throws Exception {
        RawServer partial = new RawServer("127.0.0.3", RawServer.Behaviour.PARTIAL_BODY);
        cleanup.push(partial);
        HealthCheck check = start(new HttpHealthCheckProvider(), partial.address(), Map.of("timeout", "5s", "unhealthy_threshold", 1));
        clock.runDueTasks();
        assertTrue(partial.responded.await(10, TimeUnit.SECONDS), "the probe reached the server");
        reports.assertNoneWaiting();

        clock.advance(Duration.ofSeconds(5)); // the headers came, so only the check's own timeout can end the probe
        assertEquals(new Report(HealthState.UNHEALTHY, "GET /healthz timed out after 5s (1 failure in a row)"), reports.next());
        assertTrue(partial.closedByClient.await(10, TimeUnit.SECONDS), "the abandoned exchange's connection was closed");
        assertEquals(1, ((ActiveHealthCheck) check).completedProbes());
    }

    @Test
    void aStoppedBackendRefusesConnections() throws Exception {
        WireMockServer server = pod("127.0.0.2");
        server.stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(200)));
        InetSocketAddress address = new InetSocketAddress("127.0.0.2", server.port());
        HealthCheck http = start(new HttpHealthCheckProvider(), address, Map.of());
        clock.runDueTasks();
        Checks.awaitProbes(http, 1);
        HealthCheck tcp = start(new TcpHealthCheckProvider(), address, Map.of());
        clock.runDueTasks();
        Checks.awaitProbes(tcp, 1);
        assertEquals(new Report(HealthState.HEALTHY, "GET /healthz answered 200"), reports.take());
        assertEquals(new Report(HealthState.HEALTHY, "TCP connect to 127.0.0.2:" + server.port() + " succeeded"), reports.take());

        int port = server.port();
        server.stop();
        for (int n = 2; n <= 4; n++) {
            clock.advance(TEN_S);
            Checks.awaitProbes(http, n);
            Checks.awaitProbes(tcp, n);
        }
        List<Report> got = List.of(reports.take(), reports.take());
        reports.assertNoneWaiting();
        Report httpReport = got.stream().filter(r -> r.reason().startsWith("GET")).findFirst().orElseThrow();
        Report tcpReport = got.stream().filter(r -> r.reason().startsWith("TCP")).findFirst().orElseThrow();
        assertEquals(HealthState.UNHEALTHY, httpReport.state());
        assertTrue(httpReport.reason().startsWith("GET /healthz failed: ConnectException")
                && httpReport.reason().endsWith("(3 failures in a row)"), httpReport.reason());
        assertEquals(new Report(HealthState.UNHEALTHY, "TCP connect to 127.0.0.2:" + port + " refused (3 failures in a row)"),
                tcpReport);
    }
}
