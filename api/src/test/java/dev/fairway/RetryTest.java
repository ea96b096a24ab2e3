package dev.fairway;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A request that never reached a server is sent once more, to another backend, whatever its method. */
class RetryTest {

    @Test
    void refusedConnectionIsRetriedOnAnotherBackend() throws Exception {
        try (Pods pods = Pods.start(2);
             // 127.0.0.9 has no server: connecting to it is refused
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", pods.addresses() + ",127.0.0.9").build()) {
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
    void retriedOnlyOnce() {
        try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .resolver("static").resolverOption("addresses", "127.0.0.9,127.0.0.10,127.0.0.11").build()) {
            HttpRequest r = HttpRequest.newBuilder(URI.create("http://orders.fairway.test:9/")).build();
            ConnectException e = assertThrows(ConnectException.class, () -> client.send(r, HttpResponse.BodyHandlers.discarding()));
            assertInstanceOf(ConnectException.class, e.getCause());
            assertEquals(0, client.inFlight());
        }
    }
}
