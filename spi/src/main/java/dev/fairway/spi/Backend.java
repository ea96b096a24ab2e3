package dev.fairway.spi;

/**
 * A read-only, live view of one backend, as pickers see it.
 *
 * <p>Implemented by Fairway; a picker's tests may implement it. {@link #address()} never changes for a given
 * backend; {@link #inFlight()} and {@link #health()} are read live and may change between calls.
 */
public interface Backend {

    /**
     * The backend's address, with its attributes.
     *
     * @return the address
     */
    BackendAddress address();

    /**
     * The requests sent to this backend whose response body has not yet completed, failed or been cancelled.
     *
     * @return the in-flight count, zero or more
     */
    int inFlight();

    /**
     * When the backend last became usable: when it was added, or when it recovered from being unhealthy or
     * ejected. Pickers that ramp new backends up (slow start) compare it with their context's ticker.
     *
     * @return a reading of the client's {@link Ticker}
     */
    long usableSince();

    /**
     * When a request was last sent to this backend, or {@link #usableSince()} if none has been yet; health probes do
     * not count. Health checks use it to probe less often while a backend carries no traffic.
     *
     * @return a reading of the client's {@link Ticker}
     */
    long lastRequestSent();

    /**
     * The backend's last reported health.
     *
     * @return the health state; {@link HealthState#UNKNOWN} without a health check
     */
    HealthState health();
}
