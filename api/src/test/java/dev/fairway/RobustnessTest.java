package dev.fairway;

import dev.fairway.spi.LeafTerms;
import dev.fairway.spi.LifetimePolicy;
import dev.fairway.spi.LifetimePolicyContext;
import dev.fairway.spi.LifetimePolicyProvider;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Edge cases found in review: no request is lost, no caller waits forever, no callback can deadlock the client. */
class RobustnessTest {

    private static FairwayClient.Builder builder(Pods pods) {
        return FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver("static").resolverOption("addresses", pods.addresses());
    }

    @Test
    void aRedirectToAnInvalidPortIsReturnedNotFollowedAndNeverHangs() throws Exception {
        try (Pods pods = Pods.start(1); FairwayClient client = builder(pods).followRedirects(HttpClient.Redirect.NORMAL).build()) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/r")).willReturn(aResponse().withStatus(302).withHeader("Location", "http://orders.fairway.test:0/x")));
            HttpResponse<String> r = client.sendAsync(HttpRequest.newBuilder(URI.create("http://orders.fairway.test:" + pods.port + "/r")).build(),
                    HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
            assertEquals(302, r.statusCode());
        }
    }

    /** Replaces every leaf after three requests. */
    static final class ThreeRequests implements LifetimePolicyProvider {
        @Override
        public String name() {
            return "three_requests";
        }

        @Override
        public LifetimePolicy create(LifetimePolicyContext context) {
            LeafTerms terms = new LeafTerms(LeafTerms.NO_MAX_AGE, 3, Duration.ofSeconds(5));
            return address -> terms;
        }
    }

    @Test
    void theRequestThatSpendsALeafsBudgetStillSucceeds() throws Exception {
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (Pods pods = Pods.start(1); FairwayClient client = builder(pods).lifetimePolicy(new ThreeRequests()).listener(events::add).build()) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            for (int i = 0; i < 20; i++) {
                assertEquals(200, client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode(), "request " + i);
            }
            assertEquals(20, pods.requestCounts().get(0), "each request reached the server once");
            assertEquals(6, events.stream().filter(e -> e instanceof FairwayEvent.LeafRetired r && r.reason().equals("requests")).count(), events.toString());
            assertEquals(7, events.stream().filter(e -> e instanceof FairwayEvent.LeafCreated).count());
        }
    }

    @Test
    void aCallbackThatClosesTheClientOnFailureDoesNotDeadlock() throws Exception {
        ScriptedResolver silent = new ScriptedResolver();
        FairwayClient client = FairwayClient.newBuilder().resolver(silent).resolveTimeout(Duration.ofMillis(100)).build();
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        client.sendAsync(HttpRequest.newBuilder(URI.create("http://orders.fairway.test/")).build(), HttpResponse.BodyHandlers.discarding())
                .whenComplete((r, e) -> {
                    client.close();
                    closed.complete(client.isTerminated());
                });
        assertTrue(closed.get(10, TimeUnit.SECONDS), "close() from the caller's callback returned and the client terminated");
    }

    @Test
    void awaitTerminationIsWokenByShutdown() throws Exception {
        FairwayClient client = FairwayClient.newBuilder().resolver("static").resolverOption("addresses", "127.0.0.2").build();
        CompletableFuture<Boolean> awaited = CompletableFuture.supplyAsync(() -> {
            try {
                return client.awaitTermination(Duration.ofHours(1));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("the waiter is waiting", Duration.ofSeconds(5), () -> !awaited.isDone());
        client.shutdown();
        assertTrue(awaited.get(10, TimeUnit.SECONDS));
    }

    @Test
    void cancellingADerivedStageCancelsTheExchange() throws Exception {
        try (Pods pods = Pods.start(1); FairwayClient client = builder(pods).build()) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));
            CompletableFuture<String> body = client.sendAsync(HttpRequest.newBuilder(URI.create("http://orders.fairway.test:" + pods.port + "/slow")).build(),
                    HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::body);
            Await.until("in flight", Duration.ofSeconds(5), () -> client.inFlight() == 1);
            assertTrue(body.cancel(true));
            Await.until("the exchange was aborted and its load released", Duration.ofSeconds(5), () -> client.inFlight() == 0);
        }
    }
}
