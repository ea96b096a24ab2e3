package dev.fairway;

import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthCheckContext;
import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.HealthState;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A health check provider probes each backend through its pinned client; unhealthy backends leave the rotation. */
class HealthWiringTest {

    /** Probes GET /healthz once, through the context's client. */
    static final class ProbeOnce implements HealthCheckProvider {
        @Override
        public String name() {
            return "probe_once";
        }

        @Override
        public HealthCheck create(HealthCheckContext context) {
            return new HealthCheck() {
                @Override
                public void start(Listener listener) {
                    HttpRequest probe = HttpRequest.newBuilder(context.target().uri().resolve("/healthz")).build();
                    context.client().sendAsync(probe, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) ->
                            listener.onHealth(e == null && r.statusCode() == 200 ? HealthState.HEALTHY : HealthState.UNHEALTHY,
                                    e != null ? e.toString() : "GET /healthz answered " + r.statusCode()));
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @Test
    void unhealthyBackendGetsNoTrafficAndProbesReachEachBackend() throws Exception {
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (Pods pods = Pods.start(3)) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(503)));
            for (int i = 1; i < 3; i++) {
                pods.servers.get(i).stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(200)));
            }
            try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", pods.addresses())
                    .healthCheck(new ProbeOnce()).listener(events::add).build()) {
                URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/work");
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                Await.until("three health reports", Duration.ofSeconds(5),
                        () -> events.stream().filter(e -> e instanceof FairwayEvent.HealthChanged).count() == 3);
                for (int i = 0; i < 20; i++) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                    assertTrue(!r.body().equals("127.0.0.2"), "the unhealthy backend got a request");
                }
                for (var s : pods.servers) {
                    var probes = s.getAllServeEvents().stream().filter(e -> e.getRequest().getUrl().equals("/healthz")).toList();
                    assertEquals(1, probes.size(), "each backend was probed exactly once, by its own check");
                    assertEquals("orders.fairway.test:" + pods.port, probes.get(0).getRequest().getHeader("Host"));
                }
                // the probes are counted apart from the traffic: 21 requests, 3 probes
                var backends = client.snapshot().get(0).backends();
                assertEquals(21, backends.stream().mapToLong(BackendSnapshot::requests).sum(), backends.toString());
                assertEquals(3, backends.stream().mapToLong(BackendSnapshot::probes).sum(), backends.toString());
                assertTrue(backends.stream().allMatch(b -> b.probes() == 1), backends.toString());
                assertEquals(0, backends.stream().mapToLong(BackendSnapshot::failures).sum(), "a 503 probe is no failed request");
                assertTrue(events.stream().anyMatch(e -> e instanceof FairwayEvent.HealthChanged h && h.current() == HealthState.UNHEALTHY
                        && h.address().authority().startsWith("127.0.0.2") && h.reason().contains("503")), events.toString());
            }
        }
    }

    /** Probes GET /healthz whenever the test asks, through the context's client; remembers the context. */
    static final class ProbeOnDemand implements HealthCheckProvider {
        final List<HealthCheckContext> contexts = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "probe_on_demand";
        }

        @Override
        public HealthCheck create(HealthCheckContext context) {
            contexts.add(context);
            return new HealthCheck() {
                @Override
                public void start(Listener listener) {
                    listener.onHealth(HealthState.HEALTHY, "started");
                }

                @Override
                public void close() {
                }
            };
        }

        java.util.concurrent.CompletableFuture<HttpResponse<Void>> probe() {
            HealthCheckContext context = contexts.get(0);
            return context.client().sendAsync(HttpRequest.newBuilder(context.target().uri().resolve("/healthz"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
        }
    }

    @Test
    void aProbeTakesNoPlaceOfTheTrafficAndDoesNotQueueBehindIt() throws Exception {
        try (Pods pods = Pods.start(1)) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(3_000)));
            pods.servers.get(0).stubFor(get(urlEqualTo("/healthz")).willReturn(aResponse().withStatus(200)));
            ProbeOnDemand health = new ProbeOnDemand();
            try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", pods.addresses())
                    .maxConcurrencyPerBackend(2).healthCheck(health).build()) {
                URI slow = URI.create("http://orders.fairway.test:" + pods.port + "/slow");
                List<java.util.concurrent.CompletableFuture<HttpResponse<Void>>> busy = new java.util.ArrayList<>();
                for (int i = 0; i < 3; i++) { // two take the places, one queues
                    busy.add(client.sendAsync(HttpRequest.newBuilder(slow).build(), HttpResponse.BodyHandlers.discarding()));
                }
                Await.until("the backend at its limit with one queued", Duration.ofSeconds(5), () -> {
                    BackendSnapshot b = client.snapshot().get(0).backends().get(0);
                    return b.inFlight() == 2 && b.queued() == 1;
                });
                // the probe answers while the traffic still holds both places (each for 3 s)
                HttpResponse<Void> probed = health.probe().get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(200, probed.statusCode());
                BackendSnapshot during = client.snapshot().get(0).backends().get(0);
                assertTrue(busy.stream().noneMatch(java.util.concurrent.CompletableFuture::isDone),
                        "the probe was answered before any of the traffic: it did not wait for a place");
                assertEquals(2, during.inFlight(), "the probe took no place: " + during);
                assertEquals(1, during.queued(), during.toString());
                assertEquals(1, during.probes());
                for (var f : busy) {
                    assertEquals(200, f.get(15, java.util.concurrent.TimeUnit.SECONDS).statusCode());
                }
                Await.until("every place back", Duration.ofSeconds(5), () -> client.snapshot().get(0).backends().get(0).inFlight() == 0);
            }
        }
    }
}
