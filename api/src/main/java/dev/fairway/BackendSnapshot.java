package dev.fairway;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.HealthState;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A point-in-time view of one backend, part of a {@link TargetSnapshot}.
 *
 * @param address          the backend's address and attributes
 * @param health           its last reported health
 * @param ejected          whether it is out of rotation: ejected by passive outlier detection, or after refusing a connection
 *                         until the resolver lists it again
 * @param inFlight         requests sent and not yet finished (body included)
 * @param queued           requests waiting for a place under the concurrency limit
 * @param concurrencyLimit the most requests in flight at once (lower than configured once a server refused streams)
 * @param requests         requests sent to it so far (health probes not counted)
 * @param failures         requests that failed with an exception (not counting HTTP error statuses, nor probes)
 * @param probes           health-check probes sent to it so far
 * @param leavesOpen       its leaves open now (current and warming)
 * @param leafAge          age of its oldest current leaf, if it has one
 */
public record BackendSnapshot(BackendAddress address, HealthState health, boolean ejected, int inFlight, int queued, int concurrencyLimit,
                              long requests, long failures, long probes, int leavesOpen, Optional<Duration> leafAge) {

    /** Checks for nulls. */
    public BackendSnapshot {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(leafAge, "leafAge");
    }
}
