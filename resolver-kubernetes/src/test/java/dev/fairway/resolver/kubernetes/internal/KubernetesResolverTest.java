package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The list-and-watch cycle against a scripted API server: the cases a CRUD mock cannot produce. */
class KubernetesResolverTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final Env env = new Env();
    private ScriptedApiServer api;
    private Resolver resolver;
    private final Recorder recorder = new Recorder();

    @BeforeEach
    void setUp() throws IOException {
        api = ScriptedApiServer.http();
    }

    @AfterEach
    void tearDown() {
        if (resolver != null) {
            resolver.close();
        }
        api.close();
        env.close();
        assertFalse(recorder.overlapped(), "listener calls overlapped");
    }

    private Resolver start(String host, int port, Map<String, Object> extra) {
        Map<String, Object> options = new HashMap<>(Map.of("api_url", api.url("127.0.0.1"), "backoff_initial", "20ms",
                "backoff_max", "100ms"));
        options.putAll(extra);
        resolver = new KubernetesResolverProvider().create(env.context(host, port, options), env.env);
        resolver.start(recorder);
        return resolver;
    }

    /** Starts a resolver on orders.shop:80 whose list has one ready endpoint, 10.0.0.1:8080, and returns its first watch. */
    private ScriptedApiServer.Watch watchingOneEndpoint(Map<String, Object> extra) throws InterruptedException {
        api.list = K8s.list("100", List.of(K8s.slice("a", "orders", "90", "http", 8080, List.of(K8s.ready("10.0.0.1")))));
        start("orders.shop", 80, extra);
        recorder.awaitAuthorities(WAIT, "10.0.0.1:8080");
        return api.nextWatch(WAIT);
    }

    @Test
    void listsThenWatchesFromTheListsVersionWithBookmarksAndFollowsEveryEvent() throws Exception {
        api.list = K8s.list("100", List.of(K8s.slice("orders-a", "orders", "90", "http", 8080, List.of(K8s.ready("10.0.0.1")))));
        start("orders.shop.svc.cluster.local", 80, Map.of());
        recorder.awaitAuthorities(WAIT, "10.0.0.1:8080");

        ScriptedApiServer.Watch w = api.nextWatch(WAIT);
        assertEquals("true", w.request.query().get("watch"));
        assertEquals("true", w.request.query().get("allowWatchBookmarks"));
        assertEquals("100", w.request.query().get("resourceVersion"));
        assertEquals("kubernetes.io/service-name=orders", w.request.query().get("labelSelector"));
        assertTrue(Long.parseLong(w.request.query().get("timeoutSeconds")) >= 240, w.request.query().toString());

        w.send(K8s.event("ADDED", K8s.slice("orders-b", "orders", "101", "http", 8080, List.of(K8s.ready("10.0.0.2"), K8s.ready("10.0.0.3")))));
        recorder.awaitAuthorities(WAIT, "10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080");
        w.send(K8s.event("MODIFIED", K8s.slice("orders-b", "orders", "102", "http", 8080, List.of(K8s.ready("10.0.0.2"), K8s.terminating("10.0.0.3")))));
        List<BackendAddress> set = recorder.awaitLatest(s -> s.stream().anyMatch(BackendAddress::draining), WAIT);
        assertEquals(List.of("10.0.0.3:8080"), set.stream().filter(BackendAddress::draining).map(BackendAddress::authority).toList());
        w.send(K8s.event("DELETED", K8s.slice("orders-b", "orders", "103", "http", 8080, List.of())));
        recorder.awaitAuthorities(WAIT, "10.0.0.1:8080");
        w.send(K8s.bookmark("150"));
        w.end();                                                       // the server's timeoutSeconds: resume at once

        ScriptedApiServer.Watch again = api.nextWatch(WAIT);
        assertEquals("150", again.request.query().get("resourceVersion"), "resumes from the bookmark's version");
        assertEquals(1, api.requests().stream().filter(r -> !r.query().containsKey("watch") && r.path().contains("endpointslices")).count(),
                "no second list");
        assertTrue(recorder.errors().isEmpty(), recorder.errors().toString());
    }

    @Test
    void aDeletedSliceRemovesOnlyItsEndpointsAndAHandoverPublishesEachOnce() throws Exception {
        api.list = K8s.list("100", List.of(K8s.slice("a", "orders", "90", "http", 8080, List.of(K8s.ready("10.0.0.1"), K8s.ready("10.0.0.2"))),
                K8s.slice("b", "orders", "91", "http", 8080, List.of(K8s.ready("10.0.0.3")))));
        start("orders.shop", 80, Map.of());
        recorder.awaitAuthorities(WAIT, "10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080");
        ScriptedApiServer.Watch w = api.nextWatch(WAIT);
        // the handover: 10.0.0.2 moves from a to b, and is in both for a moment
        w.send(K8s.event("MODIFIED", K8s.slice("b", "orders", "101", "http", 8080, List.of(K8s.ready("10.0.0.3"), K8s.ready("10.0.0.2"),
                K8s.ready("10.0.0.4")))));
        List<BackendAddress> both = recorder.awaitAuthorities(WAIT, "10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080", "10.0.0.4:8080");
        assertEquals(4, both.size(), "10.0.0.2 is in two slices and published once");
        w.send(K8s.event("DELETED", K8s.slice("a", "orders", "102", "http", 8080, List.of())));
        recorder.awaitAuthorities(WAIT, "10.0.0.2:8080", "10.0.0.3:8080", "10.0.0.4:8080");
    }

    @Test
    void aWatchAnswering410ListsAgain() throws Exception {
        ScriptedApiServer.Watch w = watchingOneEndpoint(Map.of());
        api.list = K8s.list("200", List.of(K8s.slice("a", "orders", "190", "http", 8080, List.of(K8s.ready("10.0.0.4")))));
        w.send(K8s.gone());                                            // ERROR event with code 410
        recorder.awaitAuthorities(WAIT, "10.0.0.4:8080");
        ScriptedApiServer.Watch after = api.nextWatch(WAIT);
        assertEquals("200", after.request.query().get("resourceVersion"));

        api.list = K8s.list("300", List.of(K8s.slice("a", "orders", "290", "http", 8080, List.of(K8s.ready("10.0.0.5")))));
        api.watchStatus = 410;                                         // the HTTP status 410 on the watch request
        after.end();
        recorder.awaitAuthorities(WAIT, "10.0.0.5:8080");
        api.watchStatus = 200;
        assertEquals("300", api.nextWatch(WAIT).request.query().get("resourceVersion"));
        assertTrue(recorder.errors().isEmpty(), "an expired version is routine: " + recorder.errors());
    }

    @Test
    void aStalledWatchIsDroppedAndResumedFromTheLastVersion() throws Exception {
        ScriptedApiServer.Watch w = watchingOneEndpoint(Map.of("stall_timeout", "300ms"));
        w.send(K8s.bookmark("120"));
        // now the stream stays silent
        ScriptedApiServer.Watch resumed = api.nextWatch(WAIT);
        assertEquals("120", resumed.request.query().get("resourceVersion"));
        IOException e = recorder.awaitError(x -> x.getMessage().contains("sent nothing"), WAIT);
        assertTrue(e.getMessage().contains("fairway.resolver.stall_timeout = "), e.getMessage());
        assertTrue(e.getMessage().contains("keeping the last 1 addresses"), e.getMessage());
        w.end();
        assertEquals(1, recorder.sets().size(), "the set stays");
    }

    @Test
    void anUnreachableApiServerKeepsTheLastSetAndReportsThenResumes() throws Exception {
        watchingOneEndpoint(Map.of());
        api.close();                                                   // connections dropped, port closed
        IOException e = recorder.awaitError(x -> x.getMessage().contains("keeping the last 1 addresses"), WAIT);
        assertTrue(e.getMessage().startsWith("kubernetes resolver for http://orders.shop:80: "), e.getMessage());
        recorder.awaitError(x -> recorder.errors().size() >= 3, WAIT);  // retries with backoff, each reported
        assertEquals(1, recorder.sets().size(), "no empty set published while the API server is away");
    }

    @Test
    void aServerErrorOnTheWatchResumesWithBackoff() throws Exception {
        ScriptedApiServer.Watch w = watchingOneEndpoint(Map.of());
        api.watchStatus = 500;
        w.end();
        IOException e = recorder.awaitError(x -> x.getMessage().contains("answered 500"), WAIT);
        assertTrue(!e.getMessage().contains("retrying"), "the retry delay is the log's: " + e.getMessage());
        api.watchStatus = 200;
        ScriptedApiServer.Watch resumed = api.nextWatch(WAIT);
        assertEquals("100", resumed.request.query().get("resourceVersion"));
        resumed.send(K8s.event("ADDED", K8s.slice("b", "orders", "101", "http", 8080, List.of(K8s.ready("10.0.0.2")))));
        recorder.awaitAuthorities(WAIT, "10.0.0.1:8080", "10.0.0.2:8080");
    }

    @Test
    void aLineLongerThanTheBoundFailsNamingItAndTheWatchResumes() throws Exception {
        ScriptedApiServer.Watch w = watchingOneEndpoint(Map.of("max_line_bytes", "2048"));
        w.sendRaw("x".repeat(3000));
        IOException e = recorder.awaitError(x -> x.getMessage().contains("max_line_bytes"), WAIT);
        assertTrue(e.getMessage().contains("longer than fairway.resolver.max_line_bytes = 2048 bytes: raise it"), e.getMessage());
        w.end();
        api.nextWatch(WAIT).send(K8s.event("ADDED", K8s.slice("b", "orders", "101", "http", 8080, List.of(K8s.ready("10.0.0.2")))));
        recorder.awaitAuthorities(WAIT, "10.0.0.1:8080", "10.0.0.2:8080");
    }

    @Test
    void malformedEventsAndTooManySlicesAreErrorsNotCrashes() throws Exception {
        ScriptedApiServer.Watch w = watchingOneEndpoint(Map.of("max_slices", "1"));
        w.send(K8s.event("ADDED", K8s.slice("b", "orders", "101", "http", 8080, List.of(K8s.ready("10.0.0.2")))));
        IOException e = recorder.awaitError(x -> x.getMessage().contains("max_slices"), WAIT);
        assertTrue(e.getMessage().contains("has 2 EndpointSlices, more than fairway.resolver.max_slices = 1: raise it"), e.getMessage());
        // The slice is not skipped (it would never come back): the resolver lists again, with backoff; here the list
        // has room, so a new watch follows. A malformed event on it is not taken again either: another list.
        ScriptedApiServer.Watch again = api.nextWatch(WAIT);
        again.send("{\"type\":\"ADDED\",\"object\":{");
        recorder.awaitError(x -> x.getMessage().contains("malformed JSON"), WAIT);
        api.nextWatch(WAIT);
        assertEquals(1, recorder.sets().size());
    }

    @Test
    void theUrlPortIsTheServicePortMappedByNameAndReadAgain() throws Exception {
        api.service = K8s.service("orders", "web:80:http", "admin:9000:9000");
        api.list = K8s.list("100", List.of(K8s.slice("a", "orders", "90", "http", 8080, List.of(K8s.ready("10.0.0.1"))),
                K8s.slice("m", "orders", "91", "web", 8081, List.of(K8s.ready("10.0.0.2")))));
        start("orders.shop", 80, Map.of("service_refresh", "1s"));
        recorder.awaitAuthorities(WAIT, "10.0.0.2:8081");
        api.service = K8s.service("orders", "http:80:http");           // the Service's port renamed
        recorder.awaitAuthorities(WAIT, "10.0.0.1:8080");
        assertTrue(api.requests().stream().filter(r -> r.path().equals("/api/v1/namespaces/shop/services/orders")).count() >= 2);
    }

    @Test
    void aPortThatIsNoServicePortIsTakenAsAnEndpointPortAndEndpointModeReadsNoService() throws Exception {
        api.list = K8s.list("100", List.of(K8s.slice("a", "orders", "90", "http", 8080, List.of(K8s.ready("10.0.0.1")))));
        start("orders.shop", 8080, Map.of());
        recorder.awaitAuthorities(WAIT, "10.0.0.1:8080");
        resolver.close();

        Recorder second = new Recorder();
        api.service = null;                                            // a 404 would fail port_mode=service
        int before = api.requests().size();
        resolver = new KubernetesResolverProvider().create(env.context("orders.shop", 8080, Map.of("api_url", api.url("127.0.0.1"),
                "port_mode", "endpoint")), env.env);
        resolver.start(second);
        second.awaitAuthorities(WAIT, "10.0.0.1:8080");
        assertTrue(api.requests().subList(before, api.requests().size()).stream().noneMatch(r -> r.path().contains("/services/")));
    }

    @Test
    void aServiceThatCannotBeReadSaysWhatToDo() throws Exception {
        api.service = null;                                            // 404
        start("orders.shop", 80, Map.of());
        IOException e = recorder.awaitError(x -> true, WAIT);
        assertTrue(e.getMessage().contains("answered 404"), e.getMessage());
        assertTrue(e.getMessage().contains("grant get on services, or set fairway.resolver.port_mode=endpoint"), e.getMessage());
    }

    @Test
    void theNamespaceComesFromTheFileWhenTheHostNamesNone() throws Exception {
        Path ns = Env.write(dir, "namespace", "shop\n");
        api.list = K8s.list("100", List.of(K8s.slice("a", "orders", "90", "http", 8080, List.of(K8s.ready("10.0.0.1")))));
        start("orders", 80, Map.of("namespace_file", ns.toString()));
        recorder.awaitAuthorities(WAIT, "10.0.0.1:8080");
    }

    @Test
    void aMissingNamespaceFileIsAnErrorNamingTheOption() throws Exception {
        Path gone = Env.write(dir, "namespace", "shop");                  // there when the client is built ...
        resolver = new KubernetesResolverProvider().create(env.context("orders", 80, Map.of("api_url", api.url("127.0.0.1"),
                "namespace_file", gone.toString())), env.env);
        Files.delete(gone);                                               // ... and gone when the resolver starts
        resolver.start(recorder);
        IOException e = recorder.awaitError(x -> true, WAIT);
        assertTrue(e.getMessage().contains("fairway.resolver.namespace_file = '" + gone + "' cannot be read"), e.getMessage());
        assertTrue(e.getMessage().contains("<service>.<namespace>"), e.getMessage());
    }

    @Test
    void theTokenIsReadAgainAfterItsRefreshTimeAndAtOnceAfterA401() throws Exception {
        Path token = Env.write(dir, "token", "token-1\n");
        api.token = "token-1";
        ScriptedApiServer.Watch w = watchingOneEndpoint(Map.of("token_file", token.toString()));
        assertEquals("Bearer token-1", w.request.authorization());

        Files.writeString(token, "token-2");                           // kubelet rotated it
        api.token = "token-2";
        env.jump(Duration.ofSeconds(61));                               // a minute later on the resolver's ticker
        w.end();
        ScriptedApiServer.Watch second = api.nextWatch(WAIT);
        assertEquals("Bearer token-2", second.request.authorization(), "read again after token_refresh");

        Files.writeString(token, "token-3");
        api.token = "token-3";                                         // the server no longer takes token-2
        second.end();
        recorder.awaitError(x -> x.getMessage().contains("answered 401"), WAIT);
        assertEquals("Bearer token-3", api.nextWatch(WAIT).request.authorization(), "read again at once after a 401");
    }

    @Test
    void retriesBackOffDoublingWithJitterUpToTheMaximumOnTheInjectedClock() throws Exception {
        int port = api.port();
        api.close();                                                   // nothing listens: every attempt fails at once
        FakeClock clock = new FakeClock();
        ResolverContext context = new ResolverContext(new Target("http", "orders.shop", 80), OptionValues.of("fairway.resolver.",
                KubernetesOptions.ALL, Map.of("api_url", "http://127.0.0.1:" + port, "backoff_initial", "1s", "backoff_max", "4s")),
                clock, clock, env.executor, 7);
        resolver = new KubernetesResolverProvider().create(context, env.env);
        resolver.start(recorder);
        long[] expectedMillis = {1000, 2000, 4000, 4000, 4000};
        for (int i = 0; i < expectedMillis.length; i++) {
            int failures = i + 1;
            recorder.awaitError(x -> recorder.errors().size() >= failures, WAIT);
            List<Duration> delays = clock.pendingDelays();
            assertEquals(1, delays.size(), "one retry timer: " + delays);
            long ms = delays.get(0).toMillis();
            assertTrue(ms <= expectedMillis[i] && ms >= expectedMillis[i] * 8 / 10, "retry " + failures + " after " + ms + " ms");
            assertTrue(!recorder.errors().get(i).getMessage().contains("retrying"),
                    "the retry delay is the log's, not the caller's: " + recorder.errors().get(i).getMessage());
            clock.advance(delays.get(0));
        }
        assertEquals(List.of(), recorder.sets(), "nothing to publish, nothing published");
    }
}
