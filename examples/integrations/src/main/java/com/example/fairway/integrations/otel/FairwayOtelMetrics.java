package com.example.fairway.integrations.otel;

import com.example.fairway.integrations.FairwayMetricNames;
import dev.fairway.BackendSnapshot;
import dev.fairway.FairwayClient;
import dev.fairway.TargetSnapshot;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;

import java.util.Objects;

/**
 * OpenTelemetry asynchronous instruments over {@link FairwayClient#snapshot()}, with the attributes {@code target}
 * ({@code http://orders:8080}) and {@code backend} ({@code 10.0.0.5:8080}).
 *
 * <p>OpenTelemetry asks for the values at each collection, and a callback may report any set of attribute
 * combinations, so new targets and backends simply appear and gone ones stop being reported: nothing to refresh. One
 * batch callback serves every instrument, so each collection takes a single snapshot.
 *
 * <table>
 *   <caption>instruments</caption>
 *   <tr><th>name</th><th>instrument</th><th>unit</th></tr>
 *   <tr><td>{@code fairway.backend.in_flight}</td><td>gauge (long)</td><td>{@code {request}}</td></tr>
 *   <tr><td>{@code fairway.backend.requests}</td><td>counter (long, monotonic)</td><td>{@code {request}}</td></tr>
 *   <tr><td>{@code fairway.backend.failures}</td><td>counter (long, monotonic)</td><td>{@code {request}}</td></tr>
 *   <tr><td>{@code fairway.backend.leaves_open}</td><td>up-down counter (long)</td><td>{@code {client}}</td></tr>
 *   <tr><td>{@code fairway.backend.health}</td><td>gauge (double): 1 healthy, 0.5 degraded, 0 unhealthy, -1
 *       unknown</td><td>1</td></tr>
 * </table>
 */
public final class FairwayOtelMetrics implements AutoCloseable {

    /** The target's {@code scheme://host:port}. */
    public static final AttributeKey<String> TARGET = AttributeKey.stringKey("target");
    /** The backend's {@code ip:port}. */
    public static final AttributeKey<String> BACKEND = AttributeKey.stringKey("backend");

    private final BatchCallback callback;

    private FairwayOtelMetrics(BatchCallback callback) {
        this.callback = callback;
    }

    /**
     * Registers the instruments on a meter.
     *
     * @param client the client to report on
     * @param meter  the meter, for example {@code openTelemetry.getMeter("dev.fairway")}
     * @return the registration; close it to stop reporting
     */
    public static FairwayOtelMetrics register(FairwayClient client, Meter meter) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(meter, "meter");
        ObservableLongMeasurement inFlight = meter.gaugeBuilder("fairway.backend.in_flight").ofLongs()
                .setDescription("requests in flight on the backend, body included").setUnit("{request}").buildObserver();
        ObservableLongMeasurement requests = meter.counterBuilder("fairway.backend.requests")
                .setDescription("requests sent to the backend").setUnit("{request}").buildObserver();
        ObservableLongMeasurement failures = meter.counterBuilder("fairway.backend.failures")
                .setDescription("requests to the backend that failed with an exception").setUnit("{request}").buildObserver();
        ObservableLongMeasurement leavesOpen = meter.upDownCounterBuilder("fairway.backend.leaves_open")
                .setDescription("per-backend HTTP clients open").setUnit("{client}").buildObserver();
        ObservableDoubleMeasurement health = meter.gaugeBuilder("fairway.backend.health")
                .setDescription("1 healthy, 0.5 degraded, 0 unhealthy, -1 unknown").setUnit("1").buildObserver();
        BatchCallback callback = meter.batchCallback(() -> {
            for (TargetSnapshot target : client.snapshot()) {
                for (BackendSnapshot backend : target.backends()) {
                    Attributes attributes = Attributes.of(TARGET, target.target().toString(),
                            BACKEND, FairwayMetricNames.backend(backend));
                    inFlight.record(backend.inFlight(), attributes);
                    requests.record(backend.requests(), attributes);
                    failures.record(backend.failures(), attributes);
                    leavesOpen.record(backend.leavesOpen(), attributes);
                    health.record(switch (backend.health()) {
                        case HEALTHY -> 1;
                        case DEGRADED -> 0.5;
                        case UNHEALTHY -> 0;
                        case UNKNOWN -> -1;
                    }, attributes);
                }
            }
        }, inFlight, requests, failures, leavesOpen, health);
        return new FairwayOtelMetrics(callback);
    }

    /** Stops reporting: the instruments' callback is removed. */
    @Override
    public void close() {
        callback.close();
    }
}
