package dev.fairway;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What operators see without code: JFR events with the right fields, an MXBean per client, snapshots. */
class ObservabilityTest {

    @Test
    void fairwayEventsAreRecordedByJfrWithTheirFields(@TempDir Path dir) throws Exception {
        ScriptedResolver resolver = new ScriptedResolver();
        Path file = dir.resolve("fairway.jfr");
        try (Recording recording = new Recording(); JdkPods pods = JdkPods.start(3)) {
            for (String name : List.of("Resolution", "Backend", "Leaf", "NoBackend", "Ejection", "HealthTransition")) {
                recording.enable("dev.fairway." + name);
            }
            recording.start();
            try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver).build()) {
                resolver.publish(pods.port, "127.0.0.2", "127.0.0.3");
                URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
                for (int i = 0; i < 4; i++) {
                    client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                }
                resolver.publish(pods.port, "127.0.0.3", "127.0.0.4");
                resolver.publish(pods.port);
                org.junit.jupiter.api.Assertions.assertThrows(NoBackendException.class,
                        () -> client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()));
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        String target = "http://orders.fairway.test:";
        RecordedEvent resolution = events.stream().filter(e -> e.getEventType().getName().equals("dev.fairway.Resolution")
                && e.getInt("added") == 1 && e.getInt("removed") == 1).findFirst().orElseThrow(() -> new AssertionError(names(events)));
        assertTrue(resolution.getString("target").startsWith(target));
        assertEquals(2, resolution.getInt("addresses"));
        assertFalse(resolution.getBoolean("failed"));
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.fairway.Backend")
                && e.getString("change").equals("removed") && e.getString("backend").startsWith("127.0.0.2:")), names(events));
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.fairway.Leaf")
                && e.getString("action").equals("retired") && e.getString("reason").equals("backend removed")), names(events));
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.fairway.Leaf")
                && e.getString("action").equals("created") && e.getLong("leafId") > 0), names(events));
        RecordedEvent noBackend = events.stream().filter(e -> e.getEventType().getName().equals("dev.fairway.NoBackend"))
                .findFirst().orElseThrow(() -> new AssertionError(names(events)));
        assertEquals("NO_ADDRESSES", noBackend.getString("reason"));
        assertTrue(noBackend.getString("message").contains("returned no addresses"));
    }

    private static String names(List<RecordedEvent> events) {
        return events.stream().map(e -> e.getEventType().getName()).toList().toString();
    }

    @Test
    void eachClientIsAnMXBeanUntilItTerminates() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> before = server.queryNames(new ObjectName("dev.fairway:type=FairwayClient,*"), null);
        ObjectName name;
        try (JdkPods pods = JdkPods.start(2);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", pods.addresses()).build()) {
            Set<ObjectName> now = server.queryNames(new ObjectName("dev.fairway:type=FairwayClient,*"), null);
            now.removeAll(before);
            assertEquals(1, now.size(), "one MXBean for the new client");
            name = now.iterator().next();
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            for (int i = 0; i < 6; i++) {
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            }
            assertEquals(6L, server.getAttribute(name, "Requests"));
            assertEquals(2, server.getAttribute(name, "Backends"));
            assertEquals(2, server.getAttribute(name, "LeavesOpen"));
            assertEquals(0, server.getAttribute(name, "InFlight"));
            assertArrayEquals(new String[] {"http://orders.fairway.test:" + pods.port}, (String[]) server.getAttribute(name, "Targets"));
            assertEquals(2, ((String[]) server.getAttribute(name, "BackendDetails")).length);
        }
        assertFalse(server.isRegistered(name), "unregistered when the client terminated");
        try (FairwayClient quiet = FairwayClient.newBuilder().jmx(false).resolver("static").resolverOption("addresses", "127.0.0.2").build()) {
            assertEquals(before, server.queryNames(new ObjectName("dev.fairway:type=FairwayClient,*"), null), quiet + " stays out of JMX");
        }
    }

    @Test
    void aSnapshotShowsBackendsLoadCountersAndResolverState() throws Exception {
        try (JdkPods pods = JdkPods.start(2);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", pods.addresses() + ",127.0.0.9").build()) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            for (int i = 0; i < 9; i++) {
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            }
            TargetSnapshot t = client.snapshot().get(0);
            assertEquals("orders.fairway.test", t.target().host());
            assertEquals(3, t.backends().size());
            assertTrue(t.sinceResolution().orElseThrow().compareTo(Duration.ofMinutes(1)) < 0);
            assertTrue(t.lastResolverError().isEmpty());
            BackendSnapshot dead = t.backends().stream().filter(b -> b.address().authority().startsWith("127.0.0.9")).findFirst().orElseThrow();
            assertEquals(1, dead.failures(), "refused once, then out of rotation until the resolver lists it again: " + dead);
            assertTrue(dead.ejected(), "shown as ejected while out of rotation: " + dead);
            assertEquals(dead.requests(), dead.failures());
            assertEquals(0, t.inFlight());
            assertEquals(9 + dead.failures(), t.backends().stream().mapToLong(BackendSnapshot::requests).sum(),
                    "9 requests, and each refused one retried elsewhere");
            assertTrue(t.backends().stream().filter(b -> !b.address().authority().startsWith("127.0.0.9"))
                    .allMatch(b -> b.leafAge().isPresent() && b.concurrencyLimit() == 100));
        }
    }
}
