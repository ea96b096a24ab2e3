package dev.fairway;

import dev.fairway.spi.BackendAddress;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The listener sees resolutions, backends coming and going, leaves created and closed, and failures. */
class EventsTest {

    @Test
    void scaleInAndOutAreReportedAndRemovedBackendsDrain() throws Exception {
        ScriptedResolver resolver = new ScriptedResolver();
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (Pods pods = Pods.start(3);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver)
                     .listener(events::add).listener(e -> { throw new IllegalStateException("a broken listener is isolated"); })
                     .build()) {
            resolver.publish(pods.port, "127.0.0.2", "127.0.0.3");
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            for (int i = 0; i < 4; i++) {
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            }
            resolver.publish(pods.port, "127.0.0.3", "127.0.0.4");
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                assertTrue(r.body().equals("127.0.0.3") || r.body().equals("127.0.0.4"), r.body());
            }
            Await.until("the removed backend's leaf closed", Duration.ofSeconds(10),
                    () -> events.stream().anyMatch(e -> e instanceof FairwayEvent.LeafClosed c && c.address().authority().startsWith("127.0.0.2")));

            List<FairwayEvent.ResolutionSucceeded> resolutions = events.stream()
                    .filter(e -> e instanceof FairwayEvent.ResolutionSucceeded).map(e -> (FairwayEvent.ResolutionSucceeded) e).toList();
            assertEquals(2, resolutions.size(), events.toString());
            assertEquals(List.of("127.0.0.4:" + pods.port), resolutions.get(1).added().stream().map(BackendAddress::authority).toList());
            assertEquals(List.of("127.0.0.2:" + pods.port), resolutions.get(1).removed().stream().map(BackendAddress::authority).toList());
            assertEquals(List.of("127.0.0.3:" + pods.port), resolutions.get(1).kept().stream().map(BackendAddress::authority).toList());
            assertTrue(events.stream().anyMatch(e -> e instanceof FairwayEvent.BackendRemoved r && r.address().authority().startsWith("127.0.0.2")));
            assertEquals(3, events.stream().filter(e -> e instanceof FairwayEvent.BackendAdded).count());
            assertEquals(3, events.stream().filter(e -> e instanceof FairwayEvent.LeafCreated).count());
            assertTrue(events.stream().anyMatch(e -> e instanceof FairwayEvent.LeafRetired r && r.reason().equals("backend removed")));
            assertTrue(events.stream().allMatch(e -> e.target().host().equals("orders.fairway.test")));
        }
    }

    @Test
    void failuresAreReported() {
        ScriptedResolver resolver = new ScriptedResolver();
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (FairwayClient client = FairwayClient.newBuilder().resolver(resolver).listener(events::add).build()) {
            resolver.fail(new java.io.IOException("cannot resolve orders.fairway.test: NXDOMAIN"));
            var f = client.sendAsync(HttpRequest.newBuilder(URI.create("http://orders.fairway.test/")).build(), HttpResponse.BodyHandlers.discarding());
            assertTrue(f.isCompletedExceptionally() || f.handle((r, e) -> e).join() != null);
            assertTrue(events.stream().anyMatch(e -> e instanceof FairwayEvent.ResolutionFailed rf && rf.keptAddresses() == 0
                    && rf.error().getMessage().contains("NXDOMAIN")), events.toString());
            assertTrue(events.stream().anyMatch(e -> e instanceof FairwayEvent.NoBackend nb
                    && nb.reason() == NoBackendException.Reason.RESOLUTION_FAILED), events.toString());
        }
    }
}
