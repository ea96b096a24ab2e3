package dev.fairway;

import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthCheckContext;
import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.HealthState;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.Test;


import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How health states, panic mode and passive outlier detection decide which backends get traffic. */
class HealthRulesTest {

    /** A health check whose states the test sets per backend IP. */
    static final class Controlled implements HealthCheckProvider {
        final Map<String, HealthCheck.Listener> listeners = new ConcurrentHashMap<>();
        /** Health checks created so far: one per probed backend. */
        final java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
        /** Health checks closed so far. */
        final java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public String name() {
            return "controlled";
        }

        @Override
        public HealthCheck create(HealthCheckContext context) {
            String ip = context.address().socketAddress().getAddress().getHostAddress();
            created.incrementAndGet();
            return new HealthCheck() {
                @Override
                public void start(Listener listener) {
                    listeners.put(ip, listener);
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                    listeners.remove(ip);
                }
            };
        }

        void set(String ip, HealthState state) {
            listeners.get(ip).onHealth(state, "test says " + state);
        }
    }

    private static Set<String> servedBy(FairwayClient client, URI uri, int requests) throws Exception {
        Set<String> served = new TreeSet<>();
        for (int i = 0; i < requests; i++) {
            served.add(client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body());
        }
        return served;
    }

    private static Set<String> ips(JdkPods pods, int... indexes) {
        Set<String> s = new TreeSet<>();
        for (int i : indexes) {
            s.add(pods.ips.get(i));
        }
        return s;
    }

    @Test
    void healthyFirstThenUnknownThenDegradedWhileTooFewAndPanicBelowHalf() throws Exception {
        Controlled health = new Controlled();
        try (JdkPods pods = JdkPods.start(10);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", pods.addresses()).healthCheck(health).build()) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            assertEquals(10, servedBy(client, uri, 20).size(), "all UNKNOWN: all usable");

            for (int i = 0; i < 10; i++) {
                health.set(pods.ips.get(i), i < 5 ? HealthState.HEALTHY : HealthState.DEGRADED);
            }
            assertEquals(ips(pods, 0, 1, 2, 3, 4), servedBy(client, uri, 20), "enough HEALTHY: DEGRADED left out");

            health.set(pods.ips.get(2), HealthState.UNHEALTHY);
            health.set(pods.ips.get(3), HealthState.UNHEALTHY);
            health.set(pods.ips.get(4), HealthState.UNHEALTHY);
            health.set(pods.ips.get(5), HealthState.UNKNOWN);
            assertEquals(ips(pods, 0, 1, 5), servedBy(client, uri, 20), "2 HEALTHY < max(3, 25%): UNKNOWN added first");

            health.set(pods.ips.get(5), HealthState.UNHEALTHY);
            assertEquals(ips(pods, 0, 1, 6, 7, 8, 9), servedBy(client, uri, 30), "then DEGRADED");

            health.set(pods.ips.get(6), HealthState.UNHEALTHY);
            health.set(pods.ips.get(7), HealthState.UNHEALTHY);
            assertEquals(10, servedBy(client, uri, 30).size(), "4 of 10 usable < 50%: panic, all backends");
        }
    }

    @Test
    void withPanicOffAllUnhealthyFailsClearly() throws Exception {
        Controlled health = new Controlled();
        try (JdkPods pods = JdkPods.start(2);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).panicThreshold(0)
                     .resolver("static").resolverOption("addresses", pods.addresses()).healthCheck(health).build()) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            servedBy(client, uri, 2);
            health.set(pods.ips.get(0), HealthState.UNHEALTHY);
            health.set(pods.ips.get(1), HealthState.UNHEALTHY);
            NoBackendException e = assertThrows(NoBackendException.class, () -> servedBy(client, uri, 1));
            assertEquals(NoBackendException.Reason.NONE_USABLE, e.reason());
            assertTrue(e.getMessage().contains("all 2 backends are unhealthy, ejected or refusing connections (panic mode is off)"), e.getMessage());
        }
    }

    @Test
    void aBackendAnswering503IsEjectedAndComesBackAfterItsEjectionTimeOrAPassingCheck() throws Exception {
        FakeClock clock = new FakeClock();
        Controlled health = new Controlled();
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (JdkPods pods = JdkPods.start(10);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", pods.addresses()).healthCheck(health)
                     .outlierOption("count_5xx", true).ticker(clock).scheduler(clock).listener(events::add).build()) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            pods.statuses.set(0, 503);
            int failed = 0;
            for (int i = 0; i < 100; i++) {
                failed += client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 503 ? 1 : 0;
            }
            assertEquals(5, failed, "ejected after 5 consecutive 503s");
            FairwayEvent.Ejected ejected = (FairwayEvent.Ejected) events.stream().filter(e -> e instanceof FairwayEvent.Ejected).findFirst().orElseThrow();
            assertEquals("5 consecutive failures", ejected.reason());
            assertEquals(Duration.ofSeconds(30), ejected.duration());
            assertTrue(client.snapshot().get(0).backends().get(0).ejected());

            clock.advance(Duration.ofSeconds(30));
            assertTrue(events.stream().anyMatch(e -> e instanceof FairwayEvent.Unejected u && u.reason().equals("ejection time over")), events.toString());
            for (int i = 0; i < 60; i++) {
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            }
            FairwayEvent.Ejected again = (FairwayEvent.Ejected) events.stream().filter(e -> e instanceof FairwayEvent.Ejected).skip(1).findFirst().orElseThrow();
            assertEquals(Duration.ofSeconds(60), again.duration(), "the second ejection lasts twice as long");

            pods.statuses.set(0, 200);
            health.set(pods.ips.get(0), HealthState.HEALTHY);
            assertTrue(events.stream().anyMatch(e -> e instanceof FairwayEvent.Unejected u && u.reason().equals("active health check passed")));
            assertTrue(!client.snapshot().get(0).backends().get(0).ejected());
        }
    }

    @Test
    void atMostTenPercentAreEjectedButAlwaysAtLeastOne() throws Exception {
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (JdkPods pods = JdkPods.start(5);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", pods.addresses())
                     .outlierOption("count_5xx", "true").listener(events::add).build()) {
            for (int i = 0; i < 5; i++) {
                pods.statuses.set(i, 500);
            }
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            for (int i = 0; i < 100; i++) {
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            }
            assertEquals(1, events.stream().filter(e -> e instanceof FairwayEvent.Ejected).count());
        }
    }

    @Test
    void connectionFailuresEjectWithoutCounting5xxAndAskTheResolverToRefresh() throws Exception {
        ScriptedResolver resolver = new ScriptedResolver();
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (JdkPods pods = JdkPods.start(3);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver)
                     .listener(events::add).build()) {
            // 127.0.0.9 has no server: connections are refused (each such request is retried on another backend)
            resolver.publish(pods.port, "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.9");
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            for (int i = 0; i < 40; i++) {
                assertEquals(200, client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            }
            assertTrue(events.stream().anyMatch(e -> e instanceof FairwayEvent.Ejected j && j.address().authority().startsWith("127.0.0.9")), events.toString());
            Await.until("the resolver was asked to refresh", Duration.ofSeconds(5), () -> resolver.refreshes.get() > 0);
        }
    }

    @Test
    void aSuccessRateOutlierIsEjectedAtTheSweep() throws Exception {
        FakeClock clock = new FakeClock();
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (JdkPods pods = JdkPods.start(6);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", pods.addresses())
                     .outlierOption("success_rate_request_volume", 20).outlierOption("consecutive_failures", 0)
                     .ticker(clock).scheduler(clock).listener(events::add).build()) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            pods.statuses.set(3, 503);
            for (int i = 0; i < 180; i++) {
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            }
            assertTrue(events.stream().noneMatch(e -> e instanceof FairwayEvent.Ejected), "nothing before the sweep");
            clock.advance(Duration.ofSeconds(10));
            FairwayEvent.Ejected e = (FairwayEvent.Ejected) events.stream().filter(x -> x instanceof FairwayEvent.Ejected).findFirst().orElseThrow();
            assertTrue(e.address().authority().startsWith(pods.ips.get(3)) && e.reason().startsWith("success rate 0.00 below"), e.toString());
        }
    }

    @Test
    void outlierOptionsAreValidatedAtBuild() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FairwayClient.newBuilder().outlierOption("consecutive", 3).build());
        assertTrue(e.getMessage().startsWith("unknown option fairway.outlier.consecutive (value hidden: an unknown key may be a misspelt secret); accepted: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FairwayClient.newBuilder()
                .outlierOption("base_ejection_time", "10m").outlierOption("max_ejection_time", "1m").build());
        assertTrue(e.getMessage().contains("exceeds fairway.outlier.max_ejection_time"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FairwayClient.newBuilder().panicThreshold(1.5));
        assertTrue(e.getMessage().startsWith("panicThreshold (fairway.panic_threshold) = '1.5' is not allowed: use a number from 0.0 to 1.0"),
                e.getMessage());
    }

}
