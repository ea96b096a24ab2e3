package com.example.fairway.integrations.otel;

import com.example.fairway.integrations.Pods;

import dev.fairway.FairwayClient;

import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FairwayOtelMetricsTest {

    @Test
    void instrumentsReportEachBackendsShareAfterRealRequests() throws Exception {
        InMemoryMetricReader reader = InMemoryMetricReader.create();
        try (SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader).build();
             Pods pods = Pods.start(3);
             FairwayClient fairway = pods.fairwayClient()) {
            // closed with the provider if an assertion fails first
            FairwayOtelMetrics metrics = FairwayOtelMetrics.register(fairway, provider.get("dev.fairway"));
            assertTrue(reader.collectAllMetrics().isEmpty(), "no target before the first request: nothing reported");

            for (int i = 0; i < 30; i++) {
                fairway.send(HttpRequest.newBuilder(URI.create(pods.baseUrl() + "/orders/" + i)).build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            Collection<MetricData> collected = reader.collectAllMetrics();

            assertEquals(pods.evenly(10), pods.served());
            Map<String, Number> tenEach = perBackend(pods, ip -> 10L);
            assertEquals(tenEach, values(collected, "fairway.backend.requests", pods.baseUrl()));
            assertEquals(perBackend(pods, ip -> 0L), values(collected, "fairway.backend.failures", pods.baseUrl()));
            assertEquals(perBackend(pods, ip -> 0L), values(collected, "fairway.backend.in_flight", pods.baseUrl()));
            assertEquals(perBackend(pods, ip -> 1L), values(collected, "fairway.backend.leaves_open", pods.baseUrl()));
            assertEquals(perBackend(pods, ip -> -1.0), values(collected, "fairway.backend.health", pods.baseUrl()));

            metrics.close();
            assertTrue(reader.collectAllMetrics().isEmpty(), "registration closed: nothing reported");
        }
    }

    private static Map<String, Number> perBackend(Pods pods, Function<String, Number> value) {
        Map<String, Number> expected = new TreeMap<>();
        pods.served().keySet().forEach(ip -> expected.put(ip + ":" + pods.port(), value.apply(ip)));
        return expected;
    }

    /** The points of one metric, by backend; every point must belong to the target. */
    private static Map<String, Number> values(Collection<MetricData> collected, String name, String target) {
        MetricData metric = collected.stream().filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not collected: " + collected));
        Map<String, Number> byBackend = new TreeMap<>();
        for (PointData point : metric.getData().getPoints()) {
            assertEquals(target, point.getAttributes().get(FairwayOtelMetrics.TARGET));
            Number value = switch (point) {
                case io.opentelemetry.sdk.metrics.data.LongPointData p -> p.getValue();
                case io.opentelemetry.sdk.metrics.data.DoublePointData p -> p.getValue();
                default -> throw new AssertionError("unexpected point " + point);
            };
            byBackend.put(point.getAttributes().get(FairwayOtelMetrics.BACKEND), value);
        }
        return byBackend;
    }
}
