package com.example.fairway.integrations.micrometer;

import com.example.fairway.integrations.Pods;

import dev.fairway.FairwayClient;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FairwayMeterBinderTest {

    @Test
    void metersReportEachBackendsShareAfterRealRequests() throws Exception {
        try (Pods pods = Pods.start(3); FairwayClient fairway = pods.fairwayClient()) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            FairwayMeterBinder binder = new FairwayMeterBinder(fairway);
            binder.bindTo(registry);
            assertTrue(registry.find("fairway.backend.requests").meters().isEmpty(), "no target before the first request");

            for (int i = 0; i < 30; i++) {
                fairway.send(HttpRequest.newBuilder(URI.create(pods.baseUrl() + "/orders/" + i)).build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            binder.refresh();

            assertEquals(pods.evenly(10), pods.served());
            String target = pods.baseUrl();
            for (String ip : pods.served().keySet()) {
                Tags tags = Tags.of("target", target, "backend", ip + ":" + pods.port());
                assertEquals(10, registry.get("fairway.backend.requests").tags(tags).functionCounter().count(), ip);
                assertEquals(0, registry.get("fairway.backend.failures").tags(tags).functionCounter().count(), ip);
                assertEquals(0, registry.get("fairway.backend.in_flight").tags(tags).gauge().value(), ip);
                assertEquals(1, registry.get("fairway.backend.leaves_open").tags(tags).gauge().value(), ip);
                // no health check configured: UNKNOWN, reported as -1
                assertEquals(-1, registry.get("fairway.backend.health").tags(tags).gauge().value(), ip);
                assertEquals(0, registry.get("fairway.backend.ejected").tags(tags).gauge().value(), ip);
            }
            assertEquals(3, registry.find("fairway.backend.requests").meters().size());

            // values move only on refresh
            fairway.send(HttpRequest.newBuilder(URI.create(target + "/orders/30")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(30, totalRequests(registry));
            binder.refresh();
            assertEquals(31, totalRequests(registry));
        }
    }

    @Test
    void metersOfATargetThatWasReleasedAreRemovedOnRefresh() throws Exception {
        try (Pods pods = Pods.start(3);
             FairwayClient fairway = FairwayClient.newBuilder()
                     .resolver("static").resolverOption("addresses", pods.addresses())
                     .version(HttpClient.Version.HTTP_1_1)
                     .idleTimeout(Duration.ofMillis(300)) // the target is released soon after its last request
                     .build()) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            FairwayMeterBinder binder = new FairwayMeterBinder(fairway);
            binder.bindTo(registry);
            for (int i = 0; i < 3; i++) {
                fairway.send(HttpRequest.newBuilder(URI.create(pods.baseUrl() + "/orders/" + i)).build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            binder.refresh();
            assertEquals(3, registry.find("fairway.backend.requests").meters().size());
            assertEquals(3 * 6, registry.getMeters().size(), "six meters per backend");

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> fairway.snapshot().isEmpty());
            binder.refresh();

            assertEquals(List.of(), registry.getMeters());
        }
    }

    @Test
    void refreshBeforeBindingIsMisuse() throws Exception {
        try (Pods pods = Pods.start(1); FairwayClient fairway = pods.fairwayClient()) {
            assertThrows(IllegalStateException.class, () -> new FairwayMeterBinder(fairway).refresh());
        }
    }

    private static double totalRequests(SimpleMeterRegistry registry) {
        return registry.find("fairway.backend.requests").functionCounters().stream()
                .mapToDouble(counter -> counter.count()).sum();
    }
}
