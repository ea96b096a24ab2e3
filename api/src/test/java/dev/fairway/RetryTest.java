package dev.fairway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request that never reached a server (refused or timed-out connections) is sent to another backend, whatever its
 * method, up to three others and never one already tried; the refusing backend leaves the rotation at once.
 */
class RetryTest {

    @Test
    void refusedConnectionIsRetriedOnAnotherBackend() throws Exception {
        try (Pods pods = Pods.start(2);
             // 127.0.0.9 and 127.0.0.10 have no server: connecting to them is refused
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", pods.addresses() + ",127.0.0.9,127.0.0.10").build()) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            for (int i = 0; i < 30; i++) {
                HttpRequest post = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("order " + i)).build();
                HttpResponse<String> r = client.send(post, HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), "request " + i);
                assertTrue(pods.ips.contains(r.body()));
            }
            assertEquals(30, pods.requestCounts().stream().mapToInt(Integer::intValue).sum(), "each POST reached a server exactly once");
            assertEquals(0, client.inFlight());
        }
    }

    @Test
    void aRefusingBackendLeavesTheRotationAtOnce() throws Exception {
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (Pods pods = Pods.start(2);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).listener(events::add)
                     .resolver("static").resolverOption("addresses", "127.0.0.9,127.0.0.10," + pods.addresses()).build()) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            for (int i = 0; i < 40; i++) {
                HttpRequest post = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("order " + i)).build();
                assertEquals(200, client.send(post, HttpResponse.BodyHandlers.ofString()).statusCode(), "request " + i);
            }
            List<FairwayEvent.Ejected> ejected = events.stream().filter(e -> e instanceof FairwayEvent.Ejected)
                    .map(e -> (FairwayEvent.Ejected) e).toList();
            assertEquals(2, ejected.size(), "each dead address refused once, then left the rotation: " + ejected);
            assertTrue(ejected.get(0).reason().startsWith("refused a connection (java.net.ConnectException"),
                    ejected.get(0).reason());
            assertEquals(40, pods.requestCounts().stream().mapToInt(Integer::intValue).sum(), "each POST reached a server once");
            long refusedInSnapshot = client.snapshot().get(0).backends().stream().filter(BackendSnapshot::ejected).count();
            assertEquals(2, refusedInSnapshot);
        }
    }

    @Test
    void aRequestTriesAtMostFourBackendsNeverOneTwice() {
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).listener(events::add)
                .resolver("static").resolverOption("addresses", "127.0.0.9,127.0.0.10,127.0.0.11,127.0.0.12,127.0.0.13,127.0.0.14")
                .panicThreshold(0).build()) {
            HttpRequest r = HttpRequest.newBuilder(URI.create("http://orders.fairway.test:9/")).build();
            ConnectException e = assertThrows(ConnectException.class, () -> client.send(r, HttpResponse.BodyHandlers.discarding()));
            assertInstanceOf(ConnectException.class, e.getCause());
            assertTrue(e.getMessage().startsWith("no backend of http://orders.fairway.test:9 accepted a connection; tried 127.0.0."),
                    e.getMessage());
            assertEquals(4, e.getMessage().split("127\\.0\\.0\\.").length - 1, "the four addresses tried: " + e.getMessage());
            assertEquals(0, client.inFlight());
            List<String> refused = events.stream().filter(ev -> ev instanceof FairwayEvent.Ejected)
                    .map(ev -> ((FairwayEvent.Ejected) ev).address().authority()).toList();
            assertEquals(4, refused.size(), "the first backend and three others: " + refused);
            assertEquals(4, java.util.Set.copyOf(refused).size(), "never the same backend twice: " + refused);
        }
    }

    /**
     * A server that closes each connection without answering (with a FIN, as one shutting down closes its idle
     * keep-alive connections, or with a reset): an idempotent request goes to another backend, a POST is not sent
     * twice.
     */
    @ParameterizedTest(name = "reset={0}")
    @ValueSource(booleans = {false, true})
    void anIdempotentRequestWhoseConnectionIsLostBeforeTheResponseTriesAnotherBackend(boolean reset) throws Exception {
        try (Pods pods = Pods.start(2)) {
            // Not a try resource: it is closed before the acceptor is joined, which ends the acceptor.
            java.net.ServerSocket closer = new java.net.ServerSocket(pods.port, 50, java.net.InetAddress.getByName("127.0.0.9"));
            java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                while (!closer.isClosed()) {
                    try (java.net.Socket s = closer.accept()) {
                        s.getInputStream().read();                        // the request has started to arrive
                        if (reset) {
                            s.setSoLinger(true, 0);                       // close() sends RST
                        }
                        closed.incrementAndGet();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", "127.0.0.9," + pods.addresses()).build()) {
                URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
                int failedPosts = 0;
                for (int i = 0; i < 9; i++) {
                    HttpRequest post = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("order " + i)).build();
                    try {
                        client.send(post, HttpResponse.BodyHandlers.ofString());
                    } catch (java.io.IOException e) {
                        failedPosts++;
                    }
                }
                assertTrue(failedPosts >= 1 && failedPosts == closed.get(), "a POST whose connection was lost may have been"
                        + " processed: it fails rather than being sent twice (" + failedPosts + " failed, " + closed.get() + " lost)");
                int before = closed.get();
                for (int i = 0; i < 12; i++) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode(), "GET " + i);
                    assertTrue(pods.ips.contains(r.body()));
                }
                assertTrue(closed.get() > before, "round robin gave the closing server its turns");
            } finally {
                closer.close();
                acceptor.join(5_000);
            }
        }
    }
}
