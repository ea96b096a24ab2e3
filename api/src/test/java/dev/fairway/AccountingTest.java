package dev.fairway;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Places under the concurrency limit always come back, and shutdown() lets requests sent before it finish. */
class AccountingTest {

    private static URI uri(Pods pods, String path) {
        return URI.create("http://orders.fairway.test:" + pods.port + path);
    }

    private static int inFlight(FairwayClient client) {
        return client.snapshot().stream().flatMap(t -> t.backends().stream()).mapToInt(BackendSnapshot::inFlight).sum();
    }

    @Test
    void requestsQueuedWhenShutdownIsCalledCompleteAndInFlightNeverGoesNegative() throws Exception {
        try (Pods pods = Pods.start(1)) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(300)));
            FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", pods.addresses())
                    .maxConcurrencyPerBackend(1).build();
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                sent.add(client.sendAsync(HttpRequest.newBuilder(uri(pods, "/slow")).build(), HttpResponse.BodyHandlers.ofString()));
            }
            Await.until("one in flight and three queued", Duration.ofSeconds(10), () -> client.snapshot().stream()
                    .flatMap(t -> t.backends().stream()).mapToInt(BackendSnapshot::queued).sum() == 3);
            client.shutdown();
            NoBackendException late = assertInstanceOf(NoBackendException.class, assertThrows(ExecutionException.class,
                    () -> client.sendAsync(HttpRequest.newBuilder(uri(pods, "/slow")).build(), HttpResponse.BodyHandlers.ofString())
                            .get(10, TimeUnit.SECONDS)).getCause());
            assertEquals(NoBackendException.Reason.CLIENT_SHUT_DOWN, late.reason());
            int lowest = 0;
            while (!sent.stream().allMatch(CompletableFuture::isDone)) {
                lowest = Math.min(lowest, inFlight(client));
                Thread.onSpinWait();
            }
            for (CompletableFuture<HttpResponse<String>> f : sent) {
                assertEquals(200, f.get().statusCode(), "a request sent before shutdown() completes");
            }
            assertEquals(0, lowest, "in flight never below zero");
            Await.until("terminated by itself", Duration.ofSeconds(10), client::isTerminated);
            assertEquals(0, inFlight(client));
        }
    }

    @Test
    void aRequestWaitingForTheFirstResolutionWhenShutdownIsCalledCompletes() throws Exception {
        try (Pods pods = Pods.start(1)) {
            ScriptedResolver resolver = new ScriptedResolver();
            FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver).build();
            CompletableFuture<HttpResponse<String>> waiting = client.sendAsync(HttpRequest.newBuilder(uri(pods, "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            client.shutdown();
            resolver.publish(pods.port, "127.0.0.2");
            assertEquals(200, waiting.get(10, TimeUnit.SECONDS).statusCode());
            Await.until("terminated by itself", Duration.ofSeconds(10), client::isTerminated);
            assertTrue(resolver.closed.get() >= 1, "the resolver was closed once nothing needed it");
        }
    }

    @Test
    void requestsTheCallerCancelsCountAgainstNoBackend() throws Exception {
        try (Pods pods = Pods.start(1)) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(2_000)));
            List<FairwayEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", pods.addresses()).listener(events::add).build()) {
                // 8 cancelled requests: more than the 5 consecutive failures that would eject the backend
                for (int i = 0; i < 8; i++) {
                    CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(uri(pods, "/slow")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    Await.until("request in flight", Duration.ofSeconds(5), () -> inFlight(client) == 1);
                    assertTrue(f.cancel(true));
                    Await.until("its place released", Duration.ofSeconds(5), () -> inFlight(client) == 0);
                }
                BackendSnapshot backend = client.snapshot().get(0).backends().get(0);
                assertEquals(0, backend.failures(), "a cancellation is no failure of the backend");
                assertTrue(!backend.ejected(), "not ejected for the caller's cancellations");
                assertTrue(events.stream().noneMatch(e -> e instanceof FairwayEvent.Ejected), events.toString());
                // and it still serves
                assertEquals(200, client.send(HttpRequest.newBuilder(uri(pods, "/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());
            }
        }
    }

    /** Round robin that records what {@code completed} hears. */
    static final class RecordingPicker implements dev.fairway.spi.PickerProvider {
        record Completion(long elapsedNanos, boolean success) {
        }

        final List<Completion> completions = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public List<dev.fairway.spi.Option<?>> options() {
            return List.of();
        }

        @Override
        public dev.fairway.spi.Picker create(dev.fairway.spi.PickerContext context) {
            AtomicInteger next = new AtomicInteger();
            return new dev.fairway.spi.Picker() {
                @Override
                public dev.fairway.spi.Backend pick(HttpRequest request) {
                    List<? extends dev.fairway.spi.Backend> all = context.backends();
                    return all.get(Math.floorMod(next.getAndIncrement(), all.size()));
                }

                @Override
                public void completed(dev.fairway.spi.Backend backend, long elapsedNanos, boolean success) {
                    completions.add(new Completion(elapsedNanos, success));
                }
            };
        }
    }

    @Test
    void requestsThatRunOutOfTheirOwnTimeoutCountAgainstNoBackend() throws Exception {
        try (Pods pods = Pods.start(1)) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(2_000)));
            List<FairwayEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            RecordingPicker picker = new RecordingPicker();
            try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", pods.addresses()).picker(picker)
                    .listener(events::add).build()) {
                // 8 requests whose own deadline is shorter than the backend's answer: more than the 5 consecutive
                // failures that would eject it, were they failures
                for (int i = 0; i < 8; i++) {
                    HttpRequest request = HttpRequest.newBuilder(uri(pods, "/slow")).timeout(Duration.ofMillis(100)).build();
                    assertThrows(java.net.http.HttpTimeoutException.class,
                            () -> client.send(request, HttpResponse.BodyHandlers.ofString()));
                }
                Await.until("every place released", Duration.ofSeconds(5), () -> inFlight(client) == 0);
                BackendSnapshot backend = client.snapshot().get(0).backends().get(0);
                assertEquals(0, backend.failures(), "the caller's deadline is no failure of the backend");
                assertTrue(!backend.ejected(), "not ejected for the caller's deadlines");
                assertTrue(events.stream().noneMatch(e -> e instanceof FairwayEvent.Ejected), events.toString());
                // the picker still learns how long the backend took, as a slow answer rather than a failure
                assertEquals(8, picker.completions.size(), picker.completions.toString());
                // (the JDK's timer may fire a little before 100 ms by Fairway's ticker: 99.8 ms was seen)
                assertTrue(picker.completions.stream().allMatch(c -> c.success() && c.elapsedNanos() >= 90_000_000L),
                        picker.completions.toString());
            }
        }
    }

    @Test
    void aSuccessorThatCannotBeBuiltFailsNoRequestAndKeepsNoPlace() throws Exception {
        try (Pods pods = Pods.start(1)) {
            AtomicInteger built = new AtomicInteger();
            // the first leaf builds; its first successor fails as a JVM out of threads does; the retry builds
            FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", pods.addresses())
                    .lifetimePolicy("max_age").lifetimePolicyOption("max_requests", 3)
                    .leafFactory(b -> {
                        int n = built.incrementAndGet();
                        if (n == 2) {
                            throw new OutOfMemoryError("unable to create native thread: possibly out of memory (test)");
                        }
                        return b.build();
                    }).build();
            for (int i = 0; i < 30; i++) {
                assertEquals(200, client.send(HttpRequest.newBuilder(uri(pods, "/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode(), "request " + i);
                assertEquals(0, inFlight(client), "its place came back, request " + i);
            }
            Await.until("a successor built once the failures passed", Duration.ofSeconds(30),
                    () -> client.snapshot().get(0).recycles() >= 1);
            assertTimeoutPreemptively(Duration.ofSeconds(30), client::close, "close() returns");
        }
    }
}
