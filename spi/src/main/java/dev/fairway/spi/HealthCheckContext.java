package dev.fairway.spi;

import java.net.http.HttpClient;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What Fairway gives a {@link HealthCheckProvider} to create the {@link HealthCheck} of one backend.
 *
 * <p>{@link #client()} sends every request to this backend, whatever host the request URI names: build probe
 * URIs from {@code target().uri()} so that the server sees the same authority as ordinary requests.
 *
 * @param target    the target the backend belongs to
 * @param backend   the backend to probe, as a live view: its address, load, health and when it last got a request
 *                  (for a slower interval while it carries no traffic)
 * @param options   the validated {@code fairway.health.*} options
 * @param ticker    the time source
 * @param scheduler where timers go; tasks must not block
 * @param executor  where blocking work goes
 * @param client    an HTTP client pinned to this backend
 * @param seed      a per-backend random seed, for jitter
 */
public record HealthCheckContext(Target target, Backend backend, OptionValues options, Ticker ticker,
                                 Scheduler scheduler, Executor executor, HttpClient client, long seed) {

    /**
     * The address of the backend to probe.
     *
     * @return {@code backend().address()}
     */
    public BackendAddress address() {
        return backend.address();
    }

    /** Checks that no component is null. */
    public HealthCheckContext {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(client, "client");
    }
}
