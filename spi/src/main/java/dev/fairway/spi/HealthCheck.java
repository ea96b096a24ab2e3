package dev.fairway.spi;

/**
 * Probes one backend and reports its {@link HealthState}.
 *
 * <p>Fairway creates one health check per backend and calls {@link #start} once. The check schedules its probes
 * with {@link HealthCheckContext#scheduler()}, sends HTTP probes through {@link HealthCheckContext#client()}
 * (which always reaches this backend) and reports each state change, or each result, through the listener.
 * Reports must not overlap. Implementations must be thread-safe, must not block the caller and must not throw.
 */
public interface HealthCheck extends AutoCloseable {

    /**
     * Starts probing; called once.
     *
     * @param listener where results go
     */
    void start(Listener listener);

    /** Stops probing and releases resources. Idempotent; no listener calls follow it. */
    @Override
    void close();

    /** Receives a health check's results. Implemented by Fairway. */
    @FunctionalInterface
    interface Listener {

        /**
         * The backend's current state.
         *
         * @param state  the state
         * @param reason a short, human-readable reason, for example {@code "GET /healthz answered 503"}
         */
        void onHealth(HealthState state, String reason);
    }
}
