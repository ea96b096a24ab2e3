package dev.fairway;

import dev.fairway.spi.HealthState;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Subsetting: each client keeps k of n backends by rendezvous hashing on its key, skipping unusable ones. */
class SubsettingTest {

    private static Set<String> served(FairwayClient client, URI uri, int n) throws Exception {
        Set<String> s = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            s.add(client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body());
        }
        return s;
    }

    private static FairwayClient client(JdkPods pods, String key, HealthRulesTest.Controlled health) {
        FairwayClient.Builder b = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .resolver("static").resolverOption("addresses", pods.addresses()).subsetSize(3).subsetKey(key);
        if (health != null) {
            b.healthCheck(health);
        }
        return b.build();
    }

    @Test
    void aClientUsesAStableSubsetChosenByItsKeyAndReplacesOnlyTheMemberThatFails() throws Exception {
        try (JdkPods pods = JdkPods.start(12)) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            Set<String> a1;
            Set<String> a2;
            Set<String> b;
            try (FairwayClient c = client(pods, "pod-a", null)) {
                a1 = served(c, uri, 30);
                assertEquals(3, c.snapshot().get(0).leavesOpen(), "connections to three backends only");
            }
            try (FairwayClient c = client(pods, "pod-a", null)) {
                a2 = served(c, uri, 30);
            }
            try (FairwayClient c = client(pods, "pod-b", null)) {
                b = served(c, uri, 30);
            }
            assertEquals(3, a1.size());
            assertEquals(a1, a2, "the same key chooses the same backends");
            assertNotEquals(a1, b, "another key chooses others (for these two keys)");

            HealthRulesTest.Controlled health = new HealthRulesTest.Controlled();
            try (FairwayClient c = client(pods, "pod-a", health)) {
                Set<String> before = served(c, uri, 30);
                String lost = before.iterator().next();
                health.set(lost, HealthState.UNHEALTHY);
                Set<String> after = served(c, uri, 30);
                assertEquals(3, after.size());
                assertTrue(!after.contains(lost));
                Set<String> stayed = new TreeSet<>(before);
                stayed.remove(lost);
                assertTrue(after.containsAll(stayed), "the other two stayed: " + before + " -> " + after);
            }
        }
    }

    @Test
    void onlyTheSubsetAndTheBackendsItFailsOverToAreProbed() throws Exception {
        try (JdkPods pods = JdkPods.start(12)) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            HealthRulesTest.Controlled health = new HealthRulesTest.Controlled();
            try (FairwayClient c = client(pods, "pod-a", health)) {
                served(c, uri, 1); // the target is built by its first request
                Await.until("probes started", java.time.Duration.ofSeconds(10), () -> health.listeners.size() == 6);
                assertEquals(6, health.created.get(), "twice the subset of 3, not all 12");
                health.listeners.keySet().forEach(ip -> health.set(ip, HealthState.HEALTHY));
                Set<String> before = served(c, uri, 30);
                assertTrue(health.listeners.keySet().containsAll(before), before + " within " + health.listeners.keySet());
                // the three fail: the three it fails over to are probed already, and healthy
                before.forEach(ip -> health.set(ip, HealthState.UNHEALTHY));
                Set<String> after = served(c, uri, 30);
                assertEquals(3, after.size());
                assertTrue(health.listeners.keySet().containsAll(after), after + " within " + health.listeners.keySet());
                assertTrue(after.stream().noneMatch(before::contains), before + " -> " + after);
                assertEquals(6, health.created.get(), "no probe started by health changes");
                assertEquals(0, health.closed.get(), "no probe stopped by health changes");
                long unprobed = c.snapshot().get(0).backends().stream()
                        .filter(b -> !health.listeners.containsKey(b.address().socketAddress().getAddress().getHostAddress()))
                        .filter(b -> b.health() == HealthState.UNKNOWN).count();
                assertEquals(6, unprobed, "the six out of reach stay UNKNOWN");
            }
        }
    }

    @Test
    void copiesOfOneVirtualIpShareOneProbe() throws Exception {
        try (JdkPods pods = JdkPods.start(2)) {
            ScriptedResolver resolver = new ScriptedResolver();
            java.util.List<dev.fairway.spi.BackendAddress> addresses = new java.util.ArrayList<>();
            for (int replica = 0; replica < 4; replica++) {
                addresses.add(new dev.fairway.spi.BackendAddress(new java.net.InetSocketAddress(
                        java.net.InetAddress.getByName("127.0.0.2"), pods.port), 1,
                        java.util.Map.of(dev.fairway.spi.BackendAddress.REPLICA, Integer.toString(replica))));
            }
            addresses.add(dev.fairway.spi.BackendAddress.of(java.net.InetAddress.getByName("127.0.0.3"), pods.port));
            resolver.publishAll(addresses);
            HealthRulesTest.Controlled health = new HealthRulesTest.Controlled();
            try (FairwayClient c = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver)
                    .healthCheck(health).build()) {
                c.send(HttpRequest.newBuilder(URI.create("http://vip.fairway.test:" + pods.port + "/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                Await.until("probes started", java.time.Duration.ofSeconds(10), () -> health.listeners.size() == 2);
                assertEquals(2, health.created.get(), "one probe per socket address, not one per copy");
                health.set("127.0.0.2", HealthState.UNHEALTHY);
                java.util.List<BackendSnapshot> backends = c.snapshot().get(0).backends();
                assertEquals(4, backends.stream().filter(b -> b.health() == HealthState.UNHEALTHY).count(), backends.toString());
                health.set("127.0.0.2", HealthState.HEALTHY);
                assertEquals(4, c.snapshot().get(0).backends().stream().filter(b -> b.health() == HealthState.HEALTHY
                        && b.address().socketAddress().getAddress().getHostAddress().equals("127.0.0.2")).count());
                // the copy that was probed goes away: another copy takes over the probes
                resolver.publishAll(addresses.subList(1, addresses.size()));
                Await.until("the probe moved to a remaining copy", java.time.Duration.ofSeconds(10),
                        () -> health.created.get() == 3 && health.listeners.size() == 2);
            }
        }
    }

    @Test
    void clientsThatKnowTheirIndexShareTheBackendsExactlyEvenly() throws Exception {
        try (JdkPods pods = JdkPods.start(12)) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            java.util.Map<String, Integer> clientsPerBackend = new java.util.TreeMap<>();
            java.util.Map<String, Integer> randomPerBackend = new java.util.TreeMap<>();
            for (int index = 0; index < 12; index++) {
                try (FairwayClient c = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .resolver("static").resolverOption("addresses", pods.addresses()).subsetSize(3)
                        .subsetIndex(index).subsetClients(12).build()) {
                    Set<String> subset = served(c, uri, 30);
                    assertEquals(3, subset.size(), subset.toString());
                    subset.forEach(ip -> clientsPerBackend.merge(ip, 1, Integer::sum));
                }
                try (FairwayClient c = client(pods, "pod-" + index, null)) {
                    served(c, uri, 30).forEach(ip -> randomPerBackend.merge(ip, 1, Integer::sum));
                }
            }
            assertEquals(12, clientsPerBackend.size(), clientsPerBackend.toString());
            assertTrue(clientsPerBackend.values().stream().allMatch(n -> n == 3),
                    "12 clients x 3 over 12 backends: exactly 3 each, got " + clientsPerBackend);
            // the same clients with keys pod-0 ... pod-11 (rendezvous, deterministic for fixed keys) are not even
            assertTrue(randomPerBackend.values().stream().anyMatch(n -> n != 3), randomPerBackend.toString());
            System.out.println("12 clients x subset 3 over 12 backends: by index " + clientsPerBackend.values()
                    + ", by random key " + randomPerBackend.values());
        }
    }

    @Test
    void anIndexWithoutASubsetSizeIsRefusedAtBuild() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FairwayClient.newBuilder().subsetIndex(4).subsetClients(10).build());
        assertTrue(e.getMessage().contains("fairway.subset_index") && e.getMessage().contains("fairway.subset_size) = 0"),
                e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FairwayClient.newBuilder().subsetSize(3).subsetIndex(4).build());
        assertTrue(e.getMessage().contains("fairway.subset_clients) = 0"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FairwayClient.newBuilder().subsetSize(3).subsetIndex(10).subsetClients(10).build());
        assertTrue(e.getMessage().contains("= 10") && e.getMessage().contains("number of clients - 1"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FairwayClient.newBuilder().subsetIndex(-2));
        assertTrue(e.getMessage().contains("fairway.subset_index") && e.getMessage().contains("-2"), e.getMessage());
    }
}
