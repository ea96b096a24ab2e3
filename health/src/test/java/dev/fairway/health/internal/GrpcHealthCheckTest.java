package dev.fairway.health.internal;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.fairway.health.internal.Checks.Report;
import dev.fairway.health.internal.Checks.Reports;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthState;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeBackend;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code grpc_health} check against a Connect-style health endpoint served by WireMock, and its answer mapping. */
class GrpcHealthCheckTest {

    private static final String CHECK = "/grpc.health.v1.Health/Check";
    private static final Duration TEN_S = Duration.ofSeconds(10);

    private final FakeClock clock = new FakeClock();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Reports reports = new Reports();
    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();
    private final GrpcHealthCheckProvider provider = new GrpcHealthCheckProvider();
    private HttpClient http2Client;

    @AfterEach
    void tearDown() throws Exception {
        Checks.closeAll(cleanup, executor);
    }

    private WireMockServer pod(boolean h2c) {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.2").dynamicPort()
                .containerThreads(10).jettyAcceptors(1).http2PlainDisabled(!h2c));
        server.start();
        cleanup.push(server::stop);
        return server;
    }

    /** Starts a check; with {@code http2} the client asks for HTTP/2 (h2c) and addresses the backend, as the engine's h2c leaf does. */
    private HealthCheck start(WireMockServer server, boolean http2, Map<String, Object> raw) {
        InetSocketAddress backend = new InetSocketAddress("127.0.0.2", server.port());
        HttpClient client = http2 ? HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()
                : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).proxy(ProxySelector.of(backend)).build();
        cleanup.push(client::shutdownNow);
        if (http2) {
            http2Client = client;
        }
        Map<String, Object> options = new HashMap<>(Map.of("jitter", "0", "idle_interval", "1h", "unhealthy_threshold", 1, "timeout", "8s"));
        options.putAll(raw);
        Target target = new Target("http", http2 ? "127.0.0.2" : "orders.fairway.test", server.port());
        HealthCheck check = provider.create(Checks.context(target, new FakeBackend(BackendAddress.of(backend.getAddress(),
                backend.getPort())), Checks.options(provider, options), clock, executor, client));
        cleanup.push(check::close);
        check.start(reports);
        return check;
    }

    private static void serving(WireMockServer server, String status) {
        server.stubFor(post(urlEqualTo(CHECK)).withHeader("Content-Type", equalTo("application/json"))
                .withHeader("Connect-Protocol-Version", equalTo("1"))
                .withRequestBody(equalToJson("{\"service\":\"orders\"}"))
                .willReturn(okJson("{\"status\":\"" + status + "\"}")));
    }

    @Test
    void servingIsHealthyAndNotServingUnhealthyOverHttp11() throws Exception {
        WireMockServer server = pod(false);
        serving(server, "SERVING");
        HealthCheck check = start(server, false, Map.of("service", "orders"));

        clock.runDueTasks();
        assertEquals(new Report(HealthState.HEALTHY, "POST " + CHECK + " for service 'orders' answered SERVING"), reports.next());
        Checks.awaitProbes(check, 1); // the next timer is set once the result has been handled

        serving(server, "NOT_SERVING");
        clock.advance(TEN_S);
        assertEquals(new Report(HealthState.UNHEALTHY, "POST " + CHECK + " for service 'orders' answered NOT_SERVING (1 failure in a row)"),
                reports.next());
        Checks.awaitProbes(check, 2);

        List<ServeEvent> calls = server.getAllServeEvents();
        assertEquals(2, calls.size());
        for (ServeEvent e : calls) {
            assertEquals("8000", e.getRequest().getHeader("Connect-Timeout-Ms"), "the deadline (the check's timeout) travels with the call");
            assertEquals("orders.fairway.test:" + server.port(), e.getRequest().getHeader("Host"));
        }
    }

    /**
     * Over cleartext HTTP/2 the JDK upgrades a connection only with a request that has no body, so a health call (a
     * POST) rides on the h2c connection that ordinary traffic opened; before that it goes over HTTP/1.1, which Connect
     * also serves.
     */
    @Test
    void servingIsHealthyOverHttp2() throws Exception {
        WireMockServer server = pod(true);
        serving(server, "SERVING");
        server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/")).willReturn(aResponse().withStatus(200)));
        HealthCheck check = start(server, true, Map.of("service", "orders"));
        HttpClient client = http2Client;
        var ordinary = client.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.2:" + server.port() + "/")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        assertEquals(HttpClient.Version.HTTP_2, ordinary.version(), "ordinary traffic upgraded the connection to h2c");
        clock.runDueTasks();
        assertEquals(HealthState.HEALTHY, reports.next().state());
        Checks.awaitProbes(check, 1);
        clock.advance(TEN_S);
        Checks.awaitProbes(check, 2);
        assertEquals(HealthState.HEALTHY, reports.next().state());
        List<String> protocols = server.getAllServeEvents().stream().filter(e -> e.getRequest().getUrl().equals(CHECK))
                .map(e -> e.getRequest().getProtocol()).toList();
        assertEquals(List.of("HTTP/2.0", "HTTP/2.0"), protocols);
    }

    @Test
    void aServerWithoutHealthCheckingIsHealthyByDefaultAndUnhealthyWhenConfigured() throws Exception {
        WireMockServer server = pod(false); // no stub: WireMock answers 404 with a text body, like a server without the route
        start(server, false, Map.of());
        clock.runDueTasks();
        Report r = reports.next();
        assertEquals(HealthState.HEALTHY, r.state(), r.toString());
        assertTrue(r.reason().startsWith("POST " + CHECK + " answered 404 (the server does not implement gRPC health checking;"
                + " treated as healthy"), r.reason());

        start(server, false, Map.of("unimplemented", "unhealthy"));
        clock.runDueTasks();
        r = reports.next();
        assertEquals(HealthState.UNHEALTHY, r.state(), r.toString());
        assertTrue(r.reason().contains("answered 404 (the server does not implement gRPC health checking; treated as unhealthy"),
                r.reason());
        server.verify(2, com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlEqualTo(CHECK))
                .withRequestBody(equalToJson("{\"service\":\"\"}")).withHeader("Content-Type", containing("json")));
    }

    @Test
    void connectErrorsAreReadFromTheBody() throws Exception {
        WireMockServer server = pod(false);
        server.stubFor(post(urlEqualTo(CHECK)).willReturn(aResponse().withStatus(501).withHeader("Content-Type", "application/json")
                .withBody("{\"code\":\"unimplemented\",\"message\":\"grpc.health.v1.Health is not implemented\"}")));
        start(server, false, Map.of());
        clock.runDueTasks();
        Report r = reports.next();
        assertEquals(HealthState.HEALTHY, r.state());
        assertTrue(r.reason().startsWith("POST " + CHECK + " answered 501 unimplemented: grpc.health.v1.Health is not implemented"),
                r.reason());

        server.stubFor(post(urlEqualTo(CHECK)).willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                .withBody("{\"code\":\"not_found\",\"message\":\"unknown service orders\"}")));
        start(server, false, Map.of("service", "orders"));
        clock.runDueTasks();
        assertEquals(new Report(HealthState.UNHEALTHY, "POST " + CHECK + " for service 'orders' answered 404 not_found: unknown service"
                + " orders (the server does not know service 'orders') (1 failure in a row)"), reports.next());
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "200 | {\"status\":\"SERVING\"}                      | true  | answered SERVING",
            "200 | \uFEFF { \"status\" : \"SERVING\" , \"x\":[1,{}] } | true  | answered SERVING",
            "200 | {\"status\":1}                              | true  | answered SERVING",
            "200 | {\"status\":\"NOT_SERVING\"}                  | false | answered NOT_SERVING",
            "200 | {\"status\":\"SERVICE_UNKNOWN\"}              | false | answered SERVICE_UNKNOWN",
            "200 | {\"status\":2}                              | false | answered NOT_SERVING",
            "200 | {}                                        | false | answered UNKNOWN",
            "200 | {\"status\":\"SERVING\"} trailing             | false | answered 200 with a body that is not a JSON HealthCheckResponse",
            "200 | ''                                        | false | answered 200 with a body that is not a JSON HealthCheckResponse: (empty)",
            "501 | ''                                        | true  | answered 501 (the server does not implement",
            "404 | <html>Not Found</html>                    | true  | answered 404 (the server does not implement",
            "400 | {\"code\":\"unimplemented\"}                  | true  | answered 400 unimplemented (the server does not implement",
            "415 | ''                                        | false | answered 415 (the server does not accept Connect",
            "503 | {\"code\":\"unavailable\",\"message\":\"draining\"} | false | answered 503 unavailable: draining",
            "500 | oops                                      | false | answered 500",
    })
    void answersMapToResults(int status, String body, boolean passed, String reason) {
        HttpClient unused = HttpClient.newHttpClient();
        cleanup.push(unused::shutdownNow);
        GrpcHealthProbe probe = new GrpcHealthProbe(unused, URI.create("http://orders:8080/"), "", true,
                Duration.ofSeconds(1));
        ProbeResult result = probe.interpret(status, body);
        assertEquals(passed, result.passed(), result.toString());
        assertTrue(result.reason().startsWith("POST " + CHECK + " " + reason), result.reason());
    }
}
