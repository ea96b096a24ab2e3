package com.example.fairway.integrations.micrometer;

import com.example.fairway.integrations.FairwayMetricNames;
import dev.fairway.BackendSnapshot;
import dev.fairway.FairwayClient;
import dev.fairway.TargetSnapshot;
import dev.fairway.spi.HealthState;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters over {@link FairwayClient#snapshot()}, one set per backend, tagged {@code target}
 * ({@code http://orders:8080}) and {@code backend} ({@code 10.0.0.5:8080}, or {@code 10.0.0.5:8080#1} for a copy of a
 * virtual IP, see {@link com.example.fairway.integrations.FairwayMetricNames}):
 *
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type</th><th>value</th></tr>
 *   <tr><td>{@code fairway.backend.in_flight}</td><td>gauge</td><td>requests sent and not yet finished (body included)</td></tr>
 *   <tr><td>{@code fairway.backend.requests}</td><td>function counter</td><td>requests sent to the backend</td></tr>
 *   <tr><td>{@code fairway.backend.failures}</td><td>function counter</td><td>requests that failed with an exception</td></tr>
 *   <tr><td>{@code fairway.backend.leaves_open}</td><td>gauge</td><td>per-backend HTTP clients open</td></tr>
 *   <tr><td>{@code fairway.backend.health}</td><td>gauge</td><td>{@link #health(HealthState)}: 1 healthy, 0.5 degraded,
 *       0 unhealthy, -1 unknown (no health check)</td></tr>
 *   <tr><td>{@code fairway.backend.ejected}</td><td>gauge</td><td>1 while out of rotation, else 0</td></tr>
 * </table>
 *
 * <p>Targets and backends come and go, and Micrometer registers meters when told to, so this binder is refreshed:
 * {@link #refresh()} takes one snapshot, stores the values the meters report, registers the meters of new backends
 * and removes those of backends that left. {@link #bindTo} refreshes once; call {@code refresh()} on a schedule, at
 * the registry's step or scrape interval (Spring: a {@code @Scheduled} method). Between refreshes the meters report the
 * last values taken.
 */
public final class FairwayMeterBinder implements MeterBinder {

    private final FairwayClient client;
    private final Map<Key, Row> rows = new HashMap<>();
    private MeterRegistry registry;

    /**
     * A binder for one client.
     *
     * @param client the client to report on
     */
    public FairwayMeterBinder(FairwayClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (this.registry != null) {
            throw new IllegalStateException("this binder is bound to a registry already; create one binder per registry");
        }
        this.registry = Objects.requireNonNull(registry, "registry");
        refresh();
    }

    /**
     * Takes a snapshot of the client: updates every backend's values, registers meters for new backends, removes the
     * meters of backends gone. Cheap (the snapshot takes no I/O and one short lock per target).
     *
     * @throws IllegalStateException if the binder is not bound yet
     */
    public synchronized void refresh() {
        if (registry == null) {
            throw new IllegalStateException("bind this binder to a registry first");
        }
        Set<Key> seen = new HashSet<>();
        for (TargetSnapshot target : client.snapshot()) {
            for (BackendSnapshot backend : target.backends()) {
                Key key = new Key(target.target().toString(), FairwayMetricNames.backend(backend));
                seen.add(key);
                Row row = rows.get(key);
                if (row == null) {
                    row = register(key, backend);
                    rows.put(key, row);
                }
                row.latest = backend;
            }
        }
        rows.entrySet().removeIf(entry -> {
            if (seen.contains(entry.getKey())) {
                return false;
            }
            entry.getValue().meters.forEach(registry::remove);
            return true;
        });
    }

    /**
     * The number reported for a health state.
     *
     * @param health the state
     * @return 1 healthy, 0.5 degraded, 0 unhealthy, -1 unknown
     */
    public static double health(HealthState health) {
        return switch (health) {
            case HEALTHY -> 1;
            case DEGRADED -> 0.5;
            case UNHEALTHY -> 0;
            case UNKNOWN -> -1;
        };
    }

    private Row register(Key key, BackendSnapshot first) {
        Row row = new Row(first);
        Tags tags = Tags.of("target", key.target(), "backend", key.backend());
        row.meters = List.of(
                gauge("fairway.backend.in_flight", "requests in flight on the backend, body included", tags, row,
                        r -> r.latest.inFlight()),
                FunctionCounter.builder("fairway.backend.requests", row, r -> r.latest.requests())
                        .description("requests sent to the backend").tags(tags).register(registry),
                FunctionCounter.builder("fairway.backend.failures", row, r -> r.latest.failures())
                        .description("requests to the backend that failed with an exception").tags(tags).register(registry),
                gauge("fairway.backend.leaves_open", "per-backend HTTP clients open", tags, row, r -> r.latest.leavesOpen()),
                gauge("fairway.backend.health", "1 healthy, 0.5 degraded, 0 unhealthy, -1 unknown", tags, row,
                        r -> health(r.latest.health())),
                gauge("fairway.backend.ejected", "1 while out of rotation", tags, row, r -> r.latest.ejected() ? 1 : 0));
        return row;
    }

    private Meter gauge(String name, String description, Tags tags, Row row, ToDoubleFunction<Row> value) {
        // the binder holds the row; a strong reference keeps the gauge reporting while the backend exists
        return Gauge.builder(name, row, value).description(description).tags(tags).strongReference(true).register(registry);
    }

    private record Key(String target, String backend) {
    }

    private static final class Row {
        volatile BackendSnapshot latest;
        List<Meter> meters = List.of();

        Row(BackendSnapshot latest) {
            this.latest = latest;
        }
    }
}
