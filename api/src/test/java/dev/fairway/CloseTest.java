package dev.fairway;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** shutdown/close with the JDK 21 meaning, for the whole client: measured on the servers and in the thread list. */
class CloseTest {

    private static Set<String> fairwayThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("fairway-") || n.contains("SelectorManager"))
                .collect(Collectors.toSet());
    }

    @Test
    void closeLetsInFlightRequestsFinishFailsNewOnesAndClosesEveryConnection() throws Exception {
        Set<String> threadsBefore = fairwayThreads();
        try (Pods pods = Pods.start(3)) {
            for (var s : pods.servers) {
                s.stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withBody("done").withFixedDelay(500)));
            }
            FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", pods.addresses()).build();
            URI slow = URI.create("http://orders.fairway.test:" + pods.port + "/slow");
            for (int i = 0; i < 6; i++) { // warm connections on every backend
                client.send(HttpRequest.newBuilder(URI.create("http://orders.fairway.test:" + pods.port + "/")).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            assertTrue(pods.establishedConnections() >= 3, "servers see the leaves' connections");

            List<CompletableFuture<HttpResponse<String>>> inFlight = List.of(
                    client.sendAsync(HttpRequest.newBuilder(slow).build(), HttpResponse.BodyHandlers.ofString()),
                    client.sendAsync(HttpRequest.newBuilder(slow).build(), HttpResponse.BodyHandlers.ofString()),
                    client.sendAsync(HttpRequest.newBuilder(slow).build(), HttpResponse.BodyHandlers.ofString()));
            Await.until("three requests in flight", Duration.ofSeconds(5), () -> client.inFlight() == 3);

            client.shutdown();
            IOException refused = assertThrows(IOException.class,
                    () -> client.send(HttpRequest.newBuilder(slow).build(), HttpResponse.BodyHandlers.ofString()));
            assertTrue(refused.getMessage().startsWith("closed"), refused.getMessage());
            assertFalse(client.isTerminated(), "exchanges are still running");

            client.close(); // waits
            assertTrue(client.isTerminated());
            for (var f : inFlight) {
                assertEquals("done", f.get(5, java.util.concurrent.TimeUnit.SECONDS).body(), "in-flight requests completed normally");
            }
            Await.until("servers see every connection closed", Duration.ofSeconds(5), pods::establishedConnections, n -> n == 0);
        }
        Await.until("threads of the client ended", Duration.ofSeconds(5), CloseTest::fairwayThreads, t -> t.equals(threadsBefore));
    }

    @Test
    void shutdownNowAbortsExchangesInFlight() throws Exception {
        try (Pods pods = Pods.start(1)) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(10_000)));
            FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", pods.addresses()).build();
            var f = client.sendAsync(HttpRequest.newBuilder(URI.create("http://orders.fairway.test:" + pods.port + "/slow")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Await.until("request in flight", Duration.ofSeconds(5), () -> client.inFlight() == 1);
            client.shutdownNow();
            assertTrue(client.awaitTermination(Duration.ofSeconds(5)));
            assertTrue(f.isCompletedExceptionally());
            assertEquals(0, client.inFlight());
        }
    }

    @Test
    void aClientThatSentNothingTerminatesAtOnce() throws Exception {
        FairwayClient client = FairwayClient.newBuilder().resolver("static").resolverOption("addresses", "127.0.0.2").build();
        assertFalse(client.isTerminated());
        client.shutdown();
        assertTrue(client.awaitTermination(Duration.ofSeconds(1)));
    }
}
