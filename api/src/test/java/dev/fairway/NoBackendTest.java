package dev.fairway;

import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthCheckContext;
import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.HealthState;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way of finding no backend gives a NoBackendException naming the target and the reason, and an event. */
class NoBackendTest {

    private static final URI URI_ = URI.create("http://orders.fairway.test:8080/x");

    private static HttpRequest request() {
        return HttpRequest.newBuilder(URI_).build();
    }

    private static NoBackendException fails(FairwayClient client) {
        return assertThrows(NoBackendException.class, () -> client.send(request(), HttpResponse.BodyHandlers.discarding()));
    }

    @Test
    void resolverThatNeverAnswersFailsAfterTheResolveTimeout() {
        ScriptedResolver resolver = new ScriptedResolver();
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (FairwayClient client = FairwayClient.newBuilder().resolver(resolver).resolveTimeout(Duration.ofMillis(200))
                .listener(events::add).build()) {
            NoBackendException e = fails(client);
            assertEquals(NoBackendException.Reason.NOT_RESOLVED_YET, e.reason());
            assertEquals("orders.fairway.test", e.target().host());
            assertTrue(e.getMessage().contains("http://orders.fairway.test:8080") && e.getMessage().contains("200 ms"), e.getMessage());
            assertTrue(events.stream().anyMatch(ev -> ev instanceof FairwayEvent.NoBackend nb
                    && nb.reason() == NoBackendException.Reason.NOT_RESOLVED_YET), events.toString());
        }
    }

    @Test
    void requestTimeoutBoundsTheFirstResolution() {
        ScriptedResolver resolver = new ScriptedResolver();
        try (FairwayClient client = FairwayClient.newBuilder().resolver(resolver).build()) {
            HttpRequest r = HttpRequest.newBuilder(URI_).timeout(Duration.ofMillis(150)).build();
            NoBackendException e = assertThrows(NoBackendException.class, () -> client.send(r, HttpResponse.BodyHandlers.discarding()));
            assertTrue(e.getMessage().contains("150 ms"), e.getMessage());
        }
    }

    @Test
    void resolutionFailureNamesTheHostAndCause() {
        try (FairwayClient client = FairwayClient.newBuilder().resolver("dns").build()) {
            HttpRequest r = HttpRequest.newBuilder(URI.create("http://no-such-host.fairway.invalid/")).build();
            NoBackendException e = assertThrows(NoBackendException.class, () -> client.send(r, HttpResponse.BodyHandlers.discarding()));
            assertEquals(NoBackendException.Reason.RESOLUTION_FAILED, e.reason());
            assertTrue(e.getMessage().contains("no-such-host.fairway.invalid"), e.getMessage());
            assertInstanceOf(UnknownHostException.class, rootCause(e), "the resolver's error is the cause");
        }
    }

    @Test
    void emptyAnswerMeansNoAddresses() {
        ScriptedResolver resolver = new ScriptedResolver();
        resolver.publish(8080);
        try (FairwayClient client = FairwayClient.newBuilder().resolver(resolver).build()) {
            NoBackendException e = fails(client);
            assertEquals(NoBackendException.Reason.NO_ADDRESSES, e.reason());
            assertTrue(e.getMessage().contains("no addresses for orders.fairway.test"), e.getMessage());
        }
    }

    @Test
    void allUnhealthyMeansNoneUsable() throws Exception {
        try (Pods pods = Pods.start(2);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", pods.addresses())
                     .healthCheck(new AlwaysUnhealthy()).panicThreshold(0).build()) {
            HttpRequest r = HttpRequest.newBuilder(URI.create("http://orders.fairway.test:" + pods.port + "/")).build();
            NoBackendException e = assertThrows(NoBackendException.class, () -> client.send(r, HttpResponse.BodyHandlers.discarding()));
            assertEquals(NoBackendException.Reason.NONE_USABLE, e.reason());
            assertTrue(e.getMessage().contains("all 2 backends are unhealthy, ejected or refusing connections (panic mode is off)"), e.getMessage());
            assertEquals(List.of(0, 0), pods.requestCounts(), "nothing was sent");
        }
    }

    @Test
    void afterShutdownNewRequestsFailWithClosed() {
        FairwayClient client = FairwayClient.newBuilder().resolver("static").resolverOption("addresses", "127.0.0.2").build();
        client.shutdown();
        IOException e = assertThrows(IOException.class, () -> client.send(request(), HttpResponse.BodyHandlers.discarding()));
        assertTrue(e.getMessage().startsWith("closed"), e.getMessage());
        assertTrue(client.isTerminated());
    }

    @Test
    void keepsTheLastGoodSetWhenResolutionLaterFails() throws Exception {
        ScriptedResolver resolver = new ScriptedResolver();
        try (Pods pods = Pods.start(1);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver).build()) {
            resolver.publish(pods.port, "127.0.0.2");
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            assertEquals(200, client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            resolver.fail(new IOException("cannot resolve orders.fairway.test: SERVFAIL"));
            assertEquals(200, client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Reports every backend unhealthy at once. */
    static final class AlwaysUnhealthy implements HealthCheckProvider {
        @Override
        public String name() {
            return "always_unhealthy";
        }

        @Override
        public HealthCheck create(HealthCheckContext context) {
            return new HealthCheck() {
                @Override
                public void start(Listener listener) {
                    listener.onHealth(HealthState.UNHEALTHY, "test says so");
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @Test
    void noBackendIsAnIOException() {
        assertFalse(RuntimeException.class.isAssignableFrom(NoBackendException.class));
        assertTrue(IOException.class.isAssignableFrom(NoBackendException.class));
    }
}
