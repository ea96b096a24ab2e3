package dev.fairway;

import dev.fairway.spi.BackendAddress;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connection lifetime: recycling with warm replacement, a bounded drain, idle targets, virtual IPs. */
class LifetimeTest {

    private static URI uri(Pods pods, String path) {
        return URI.create("http://orders.fairway.test:" + pods.port + path);
    }

    /** Runs {@code workers} threads sending requests until {@code stop} says so; returns [succeeded, failed]. */
    private static long[] load(FairwayClient client, URI uri, int workers, java.util.function.BooleanSupplier stop,
                               List<Throwable> failures) throws Exception {
        AtomicLong ok = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(workers)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                futures.add(pool.submit(() -> {
                    while (!stop.getAsBoolean()) {
                        try {
                            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                            } else {
                                failures.add(new AssertionError("status " + r.statusCode()));
                            }
                        } catch (IOException | InterruptedException e) {
                            failures.add(e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        return new long[] {ok.get(), failures.size()};
    }

    @Test
    void aggressiveRecyclingUnderLoadLosesNoRequest() throws Exception {
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Duration run = Duration.parse(System.getProperty("test.fairway.recycle.run", "PT6S"));
        try (Pods pods = Pods.start(3, c -> c.disableRequestJournal());
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", pods.addresses())
                     .lifetimePolicy("max_age").lifetimePolicyOption("max_age", "200ms").lifetimePolicyOption("drain_grace", "2s")
                     .listener(events::add).build()) {
            long end = System.nanoTime() + run.toNanos();
            long[] result = load(client, uri(pods, "/"), 8, () -> System.nanoTime() > end, failures);
            long recycled = events.stream().filter(e -> e instanceof FairwayEvent.LeafRetired r && r.reason().equals("age")).count();
            System.out.printf("recycling under load: %d requests, %d failed, %d leaves recycled for age in %s%n",
                    result[0] + result[1], result[1], recycled, run);
            assertEquals(List.of(), failures, "no request failed because of recycling");
            assertTrue(recycled >= 10, "leaves were recycled again and again: " + recycled);
            assertTrue(client.snapshot().get(0).recycles() >= recycled);
        }
    }

    @Test
    void aSuccessorWhoseFirstResponseOutlastsItsAgeIsStillRecycledAfterTakingOver() throws Exception {
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (Pods pods = Pods.start(1);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", pods.addresses()).listener(events::add)
                     .lifetimePolicy("max_age").lifetimePolicyOption("max_age", "200ms").build()) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(400)));
            long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            Duration oldest = Duration.ZERO;
            while (System.nanoTime() < end) {
                assertEquals(200, client.send(HttpRequest.newBuilder(uri(pods, "/slow")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
                Duration age = client.snapshot().get(0).backends().get(0).leafAge().orElse(Duration.ZERO);
                oldest = age.compareTo(oldest) > 0 ? age : oldest;
            }
            long recycled = events.stream().filter(e -> e instanceof FairwayEvent.LeafRetired r && r.reason().equals("age")).count();
            assertTrue(recycled >= 3, "recycling went on: " + recycled);
            assertTrue(oldest.compareTo(Duration.ofMillis(1500)) < 0, "no leaf outlived its age by much: " + oldest);
        }
    }

    /** A client whose leaves retire after 2 s with a 1 s grace, and a pod whose {@code /stream} dribbles for 30 s. */
    private static FairwayClient retiredWhileStreaming(Pods pods) {
        pods.servers.get(0).stubFor(get(urlEqualTo("/stream")).willReturn(aResponse().withStatus(200)
                .withBody(new byte[64 * 1024]).withChunkedDribbleDelay(64, 30_000)));
        return FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .resolver("static").resolverOption("addresses", pods.addresses())
                .lifetimePolicy("max_age").lifetimePolicyOption("max_age", "2s").lifetimePolicyOption("max_age_jitter", 0)
                .lifetimePolicyOption("drain_grace", "1s").build();
    }

    /** The messages of a failure and its causes. */
    private static String messagesOf(Throwable e) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" / ");
        }
        return messages.toString();
    }

    /** A client that recycles its leaf every 300 ms (no jitter), counting leaves retired for age; default drain. */
    private static FairwayClient recyclingEvery300ms(Pods pods, HttpClient.Version version, AtomicInteger retiredForAge,
                                                    String drainGrace) {
        FairwayClient.Builder builder = FairwayClient.newBuilder().version(version)
                .resolver("static").resolverOption("addresses", pods.addresses())
                .lifetimePolicy("max_age").lifetimePolicyOption("max_age", "300ms").lifetimePolicyOption("max_age_jitter", 0)
                .listener(e -> {
                    if (e instanceof FairwayEvent.LeafRetired r && r.reason().equals("age")) {
                        retiredForAge.incrementAndGet();
                    }
                });
        if (drainGrace != null) {
            builder.lifetimePolicyOption("drain_grace", drainGrace);
        }
        return builder.build();
    }

    /** Sends short requests until {@code exchange} is done (they warm and promote successors); at most 30 s. */
    private static void shortRequestsUntil(FairwayClient client, Pods pods, java.util.concurrent.Future<?> exchange)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!exchange.isDone() && System.nanoTime() < deadline) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri(pods, "/short")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = HttpClient.Version.class)
    void aResponseStreamedForManyRecyclePeriodsCompletesWithEveryByteByDefault(HttpClient.Version version) throws Exception {
        try (Pods pods = Pods.start(1)) {
            byte[] body = new byte[32 * 1024];
            new java.util.Random(7).nextBytes(body);
            pods.servers.get(0).stubFor(get(urlEqualTo("/long")).willReturn(aResponse().withStatus(200)
                    .withBody(body).withChunkedDribbleDelay(32, 3_000)));
            AtomicInteger retired = new AtomicInteger();
            try (FairwayClient client = recyclingEvery300ms(pods, version, retired, null)) {
                var streaming = client.sendAsync(HttpRequest.newBuilder(uri(pods, "/long")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                shortRequestsUntil(client, pods, streaming);
                int recyclesDuringTheStream = retired.get();
                System.out.println(version + " stream of 3 s: " + recyclesDuringTheStream + " leaves retired for age meanwhile");
                HttpResponse<byte[]> response = streaming.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(200, response.statusCode());
                org.junit.jupiter.api.Assertions.assertArrayEquals(body, response.body(), "every byte, in order");
                assertTrue(recyclesDuringTheStream >= 3, "leaves retired for age while the body streamed: " + recyclesDuringTheStream);
                Await.until("load released", Duration.ofSeconds(5), () -> client.inFlight() == 0);
            }
        }
    }

    @Test
    void aSlowUploadOutlastingManyRecyclePeriodsCompletes() throws Exception {
        try (Pods pods = Pods.start(1)) {
            pods.servers.get(0).stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/upload"))
                    .willReturn(aResponse().withStatus(201)));
            AtomicInteger retired = new AtomicInteger();
            int chunks = 30;
            int chunk = 1024;
            try (FairwayClient client = recyclingEvery300ms(pods, HttpClient.Version.HTTP_1_1, retired, null)) {
                // 30 KiB written 1 KiB every 100 ms: about 3 s of upload
                HttpRequest upload = HttpRequest.newBuilder(uri(pods, "/upload")).POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new InputStream() {
                            private int sent;

                            @Override
                            public int read() {
                                throw new UnsupportedOperationException("read(byte[], int, int) only");
                            }

                            @Override
                            public int read(byte[] b, int off, int len) {
                                if (sent == chunks) {
                                    return -1;
                                }
                                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // the slow client being simulated
                                int n = Math.min(len, chunk);
                                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                                sent++;
                                return n;
                            }
                        })).build();
                var uploading = client.sendAsync(upload, HttpResponse.BodyHandlers.discarding());
                shortRequestsUntil(client, pods, uploading);
                int recyclesDuringTheUpload = retired.get();
                System.out.println("upload of 3 s: " + recyclesDuringTheUpload + " leaves retired for age meanwhile");
                assertEquals(201, uploading.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode());
                assertTrue(recyclesDuringTheUpload >= 3, "leaves retired for age during the upload: " + recyclesDuringTheUpload);
                var received = pods.servers.get(0).getAllServeEvents().stream()
                        .filter(e -> e.getRequest().getUrl().equals("/upload")).toList();
                assertEquals(1, received.size(), "sent once");
                assertEquals(chunks * chunk, received.get(0).getRequest().getBody().length, "every byte uploaded");
            }
        }
    }

    @Test
    void aDrainBoundTheUserSetCutsAWaitingExchangeAndSaysSo() throws Exception {
        try (Pods pods = Pods.start(1)) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/stall")).willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));
            AtomicInteger retired = new AtomicInteger();
            try (FairwayClient client = recyclingEvery300ms(pods, HttpClient.Version.HTTP_1_1, retired, "500ms")) {
                var stalled = client.sendAsync(HttpRequest.newBuilder(uri(pods, "/stall")).build(), HttpResponse.BodyHandlers.ofString());
                shortRequestsUntil(client, pods, stalled);
                java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                        java.util.concurrent.ExecutionException.class, () -> stalled.get(30, java.util.concurrent.TimeUnit.SECONDS));
                String messages = messagesOf(e.getCause());
                assertTrue(messages.contains("closed at its drain bound, fairway.lifetime.drain_grace=PT0.5S, while the response"
                        + " headers had not arrived"), messages);
            }
        }
    }

    @Test
    void aBodyStillStreamingWhenTheDrainGraceRunsOutFailsSayingTheConnectionWasRetired() throws Exception {
        try (Pods pods = Pods.start(1);
             FairwayClient client = retiredWhileStreaming(pods)) {
            HttpResponse<InputStream> streaming = client.send(HttpRequest.newBuilder(uri(pods, "/stream")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            IOException e;
            try (InputStream body = streaming.body()) {
                e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, body::readAllBytes);
            }
            String messages = messagesOf(e);
            assertTrue(messages.contains("was retired (age) and closed at its drain bound, fairway.lifetime.drain_grace=PT1S,"
                    + " while this body was still streaming"), messages);
            Await.until("load released", Duration.ofSeconds(5), () -> client.inFlight() == 0);
        }
    }

    @Test
    void aStringBodyCutByTheDrainGraceFailsSayingSoAndIsNotSentAgain() throws Exception {
        try (Pods pods = Pods.start(1);
             FairwayClient client = retiredWhileStreaming(pods)) {
            // ofString's subscriber goes to the leaf unwrapped; the failure must still be explained, and not resent
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> client.send(HttpRequest.newBuilder(uri(pods, "/stream")).build(), HttpResponse.BodyHandlers.ofString()));
            String messages = messagesOf(e);
            assertTrue(messages.contains("was retired (age) and closed at its drain bound, fairway.lifetime.drain_grace=PT1S,"
                    + " while this body was still streaming"), messages);
            assertEquals(1, pods.servers.get(0).getAllServeEvents().size(), "the request reached the server: not sent again");
            Await.until("load released", Duration.ofSeconds(5), () -> client.inFlight() == 0);
        }
    }

    @Test
    void anIdleTargetReleasesItsResolverAndLeavesAndComesBackOnTheNextRequest() throws Exception {
        FakeClock clock = new FakeClock();
        ScriptedResolver resolver = new ScriptedResolver();
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (Pods pods = Pods.start(2);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver)
                     .lifetimePolicy("never").ticker(clock).scheduler(clock).listener(events::add).build()) {
            resolver.publish(pods.port, "127.0.0.2", "127.0.0.3");
            for (int i = 0; i < 2; i++) {
                client.send(HttpRequest.newBuilder(uri(pods, "/")).build(), HttpResponse.BodyHandlers.discarding());
            }
            clock.advance(Duration.ofMinutes(14));
            assertEquals(0, resolver.closed.get(), "used 14 minutes ago: kept");
            clock.advance(Duration.ofMinutes(2));
            assertEquals(1, resolver.closed.get(), "unused for 15 minutes: resolver released");
            assertTrue(client.snapshot().isEmpty());
            assertEquals(2, events.stream().filter(e -> e instanceof FairwayEvent.LeafRetired r && r.reason().equals("idle")).count());
            Await.until("servers see the idle connections closed", Duration.ofSeconds(10), pods::establishedConnections, n -> n == 0);

            assertEquals(200, client.send(HttpRequest.newBuilder(uri(pods, "/")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(1, client.snapshot().size(), "the next request built the target again");
        }
    }

    @Test
    void aTargetWhoseNameDoesNotResolveIsReleasedAfterThreeFailuresWithoutARequest() throws Exception {
        FakeClock clock = new FakeClock();
        ScriptedResolver resolver = new ScriptedResolver();
        try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver)
                .ticker(clock).scheduler(clock).build()) {
            resolver.fail(new java.net.UnknownHostException("NXDOMAIN orders.typo"));
            URI uri = URI.create("http://orders.typo:8080/");
            NoBackendException e = assertThrows(NoBackendException.class,
                    () -> client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()));
            assertEquals(NoBackendException.Reason.RESOLUTION_FAILED, e.reason());
            // the resolver keeps failing; a request in between keeps the target
            clock.advance(Duration.ofSeconds(1));
            resolver.fail(new java.net.UnknownHostException("NXDOMAIN orders.typo"));
            clock.advance(Duration.ofSeconds(1));
            assertThrows(NoBackendException.class,
                    () -> client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()));
            clock.advance(Duration.ofSeconds(1));
            resolver.fail(new java.net.UnknownHostException("NXDOMAIN orders.typo"));
            clock.advance(Duration.ofSeconds(1));
            resolver.fail(new java.net.UnknownHostException("NXDOMAIN orders.typo"));
            clock.advance(Duration.ofMinutes(1));
            assertEquals(0, resolver.closed.get(), "two failures since the last request: kept");
            assertEquals(1, client.snapshot().size());
            resolver.fail(new java.net.UnknownHostException("NXDOMAIN orders.typo"));
            clock.advance(Duration.ofMinutes(1));
            assertEquals(1, resolver.closed.get(), "three failures and no request since: released, long before 15 minutes");
            assertTrue(client.snapshot().isEmpty());
            // the next request builds it again, and learns the name still does not resolve
            assertThrows(NoBackendException.class,
                    () -> client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()));
            assertEquals(1, client.snapshot().size());
        }
    }

    @Test
    void aRequestAfterTheThirdFailureKeepsTheTargetUntilThreeMoreFailWithoutOne() throws Exception {
        FakeClock clock = new FakeClock();
        ScriptedResolver resolver = new ScriptedResolver();
        try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver)
                .ticker(clock).scheduler(clock).build()) {
            java.net.UnknownHostException nxdomain = new java.net.UnknownHostException("NXDOMAIN orders.typo");
            resolver.fail(nxdomain);
            URI uri = URI.create("http://orders.typo:8080/");
            assertThrows(NoBackendException.class, () -> client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()));
            for (int i = 0; i < 3; i++) {
                clock.advance(Duration.ofSeconds(1));
                resolver.fail(nxdomain);
            }
            clock.advance(Duration.ofSeconds(1));
            // a request before the sweep: someone still wants the name
            assertThrows(NoBackendException.class, () -> client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()));
            clock.advance(Duration.ofMinutes(1));
            assertEquals(0, resolver.closed.get(), "a request came after the last failure: kept");
            for (int i = 0; i < 3; i++) {
                clock.advance(Duration.ofSeconds(1));
                resolver.fail(nxdomain);
            }
            clock.advance(Duration.ofMinutes(1));
            assertEquals(1, resolver.closed.get(), "three more failures and no request: released");
        }
    }

    @Test
    void aRequestWhosePoolIsReleasedForIdlenessBetweenPickAndSendGoesToThePoolBuiltAnew() throws Exception {
        FakeClock clock = new FakeClock();
        ScriptedResolver resolver = new ScriptedResolver();
        java.util.concurrent.atomic.AtomicBoolean raceOnce = new java.util.concurrent.atomic.AtomicBoolean();
        // a picker that, once, lets the idle timeout pass while it picks: the sweep releases the pool under the request
        dev.fairway.spi.PickerProvider racing = new dev.fairway.spi.PickerProvider() {
            @Override
            public String name() {
                return "racing";
            }

            @Override
            public dev.fairway.spi.Picker create(dev.fairway.spi.PickerContext context) {
                List<? extends dev.fairway.spi.Backend> backends = context.backends();
                return request -> {
                    if (raceOnce.compareAndSet(true, false)) {
                        clock.advance(Duration.ofMinutes(16));
                    }
                    return backends.get(0);
                };
            }
        };
        try (Pods pods = Pods.start(1);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver)
                     .picker(racing).lifetimePolicy("never").ticker(clock).scheduler(clock).build()) {
            resolver.publish(pods.port, "127.0.0.2");
            assertEquals(200, client.send(HttpRequest.newBuilder(uri(pods, "/")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            raceOnce.set(true);
            HttpResponse<Void> raced = client.send(HttpRequest.newBuilder(uri(pods, "/")).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(200, raced.statusCode(), "the request went to the pool built anew");
            assertTrue(!raceOnce.get(), "the race happened");
            assertEquals(1, resolver.closed.get(), "the first pool was released under the request");
            assertEquals(1, client.snapshot().size());
        }
    }

    @Test
    void aVirtualIpBehindALayer4ProxyIsSpreadOverAllItsBackendsThroughReplicasAndRecycling() throws Exception {
        try (Pods pods = Pods.start(4); L4Proxy proxy = new L4Proxy("127.0.0.20",
                List.of(pods.socketAddress(0), pods.socketAddress(1), pods.socketAddress(2), pods.socketAddress(3)))) {
            URI vip = URI.create("http://orders.fairway.test:" + proxy.port() + "/");
            // A plain client keeps one connection, so everything lands on the backend the proxy picked for it.
            Set<String> plainServed = new HashSet<>();
            try (HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                URI direct = URI.create("http://127.0.0.20:" + proxy.port() + "/");
                for (int i = 0; i < 200; i++) {
                    plainServed.add(plain.send(HttpRequest.newBuilder(direct).build(), HttpResponse.BodyHandlers.ofString()).body());
                }
            }
            assertEquals(1, plainServed.size(), "plain client stays on one backend: " + plainServed);

            ScriptedResolver resolver = new ScriptedResolver();
            Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
            try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver)
                    .lifetimePolicy("max_age").lifetimePolicyOption("max_age", "100ms").build()) {
                List<BackendAddress> replicas = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    replicas.add(new BackendAddress(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.20"), proxy.port()), 1,
                            Map.of(BackendAddress.REPLICA, String.valueOf(i))));
                }
                resolver.publishAll(replicas);
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (served.size() < 4 && System.nanoTime() < end) {
                    String body = client.send(HttpRequest.newBuilder(vip).build(), HttpResponse.BodyHandlers.ofString()).body();
                    served.computeIfAbsent(body, k -> new AtomicInteger()).incrementAndGet();
                }
                assertEquals(4, client.snapshot().get(0).backends().size(), "four independent backends for one VIP");
            }
            assertEquals(Set.copyOf(pods.ips), served.keySet(), "Fairway reached every backend behind the VIP: " + served);
        }
    }
}
