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
}
