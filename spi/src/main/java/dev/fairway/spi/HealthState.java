package dev.fairway.spi;

/** The health of one backend, as reported by a {@link HealthCheck}. */
public enum HealthState {
    /** Probes pass: the backend gets its full share. */
    HEALTHY,
    /** The backend works but asks for less traffic; used when too few backends are healthy. */
    DEGRADED,
    /** Probes fail: the backend gets no traffic unless too few backends are usable (panic). */
    UNHEALTHY,
    /** Not probed (no health check configured) or not probed yet: usable. */
    UNKNOWN
}
