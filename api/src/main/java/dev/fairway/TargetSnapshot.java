package dev.fairway;

import dev.fairway.spi.Target;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A point-in-time view of one target of a {@link FairwayClient}, from {@link FairwayClient#snapshot()}.
 *
 * @param target           the target
 * @param backends         its backends, in the order the client keeps them
 * @param leavesOpen       leaves (per-backend HTTP clients) open now, including warming successors, not draining ones
 * @param recycles         leaves replaced or retired since the target was created (for age, requests, removal, idle)
 * @param sinceResolution  time since the resolver last published addresses; empty if it never did
 * @param lastResolverError the resolver's last error message, if its last attempt failed
 */
public record TargetSnapshot(Target target, List<BackendSnapshot> backends, int leavesOpen, long recycles,
                             Optional<Duration> sinceResolution, Optional<String> lastResolverError) {

    /** Copies the list and checks for nulls. */
    public TargetSnapshot {
        Objects.requireNonNull(target, "target");
        backends = List.copyOf(backends);
        Objects.requireNonNull(sinceResolution, "sinceResolution");
        Objects.requireNonNull(lastResolverError, "lastResolverError");
    }

    /**
     * Requests in flight over all backends.
     *
     * @return the sum
     */
    public int inFlight() {
        return backends.stream().mapToInt(BackendSnapshot::inFlight).sum();
    }
}
