package dev.fairway;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JDK's "too many concurrent streams" never reaches the caller: Fairway learns the server's limit and queues. */
class ConcurrencyLimitTest {


    @Test
    void fiftyConcurrentRequestsSucceedAgainstAServerAllowingFiveStreams() throws Exception {
        try (Pods pods = Pods.start(1)) {
            Pods.limitStreams(pods.servers.get(0), 5);
            pods.servers.get(0).stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withBody("ok").withFixedDelay(200)));
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/slow");
            try (HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
                URI direct = URI.create("http://127.0.0.2:" + pods.port + "/slow");
                assertEquals(HttpClient.Version.HTTP_2, plain.send(HttpRequest.newBuilder(direct).build(), HttpResponse.BodyHandlers.ofString()).version());
                List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    burst.add(plain.sendAsync(HttpRequest.newBuilder(direct).build(), HttpResponse.BodyHandlers.ofString()));
                }
                long failed = burst.stream().map(f -> f.handle((r, e) -> e)).map(CompletableFuture::join)
                        .filter(e -> e != null && String.valueOf(e.getMessage()).contains("too many concurrent streams")).count();
                assertTrue(failed > 0, "the JDK alone fails requests beyond the server's stream limit");
            }

            try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .resolver("static").resolverOption("addresses", pods.addresses()).build()) {
                HttpResponse<String> warm = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(HttpClient.Version.HTTP_2, warm.version(), "h2c upgrade done: one HTTP/2 connection");
                List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    burst.add(client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> f : burst) {
                    assertEquals("ok", f.get(30, TimeUnit.SECONDS).body());
                }
                BackendSnapshot backend = client.snapshot().get(0).backends().get(0);
                assertTrue(backend.concurrencyLimit() < 100, "learned that the server allows fewer streams: " + backend);
                assertEquals(0, backend.inFlight());
            }
        }
    }

    @Test
    void theConfiguredLimitQueuesAndAQueueThatCannotDrainInTimeFailsClearly() throws Exception {
        try (Pods pods = Pods.start(1);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).maxConcurrencyPerBackend(2)
                     .resolver("static").resolverOption("addresses", pods.addresses()).build()) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(300)));
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/slow");
            List<CompletableFuture<HttpResponse<Void>>> burst = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                burst.add(client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()));
            }
            Await.until("two in flight, four queued", java.time.Duration.ofSeconds(5), () -> {
                BackendSnapshot b = client.snapshot().get(0).backends().get(0);
                return b.inFlight() == 2 && b.queued() == 4;
            });
            for (var f : burst) {
                assertEquals(200, f.get(10, TimeUnit.SECONDS).statusCode());
            }
            assertTrue(TcpTable.established(pods.socketAddress(0)) <= 2, "never more than two connections");

            HttpRequest impatient = HttpRequest.newBuilder(uri).timeout(java.time.Duration.ofMillis(100)).build();
            client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            Await.until("saturated", java.time.Duration.ofSeconds(5), () -> client.snapshot().get(0).backends().get(0).inFlight() == 2);
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> client.send(impatient, HttpResponse.BodyHandlers.discarding()));
            assertTrue(e.getMessage().contains("is saturated: 2 requests in flight (limit 2)"), e.getMessage());
        }
    }
}
