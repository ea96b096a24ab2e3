package dev.fairway;

import dev.fairway.spi.Target;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * @param zoneShares       where zone-aware routing sends this target's new requests: the share of each zone, summing
 *                         to 1, this client's zone first when it gets any ({@code ""} stands for backends of no known
 *                         zone); when Kubernetes' topology hints decide, {@code {own zone: 1.0}}, whatever the hinted
 *                         backends' zones; empty when zone routing does not apply (no zone, panic mode, too few
 *                         backends), so that every usable backend is a candidate
 * @param rule             the per-target configuration that applies ({@code FairwayClient.Builder.targetOption}): its
 *                         pattern, like {@code orders} or {@code *.shop.svc.cluster.local}; empty when the client's
 * @param providers        the providers this target uses, by family: {@code resolver}, {@code picker}, {@code health}
 *                         ({@code none} without one) and {@code lifetime}
 * @param retries          its retries, hedges, retry budget and client-side throttling
 */
public record TargetSnapshot(Target target, List<BackendSnapshot> backends, int leavesOpen, long recycles,
                             Optional<Duration> sinceResolution, Optional<String> lastResolverError,
                             Map<String, Double> zoneShares, Optional<String> rule, Map<String, String> providers,
                             Retries retries) {

    /**
     * A target's retries and hedges, its retry budget and its client-side throttling, since the target was created
     * (counts) or now (budget and throttling).
     *
     * @param policy          the retry, hedging and throttling settings that differ from off, as text, like
     *                        {@code max_attempts=4, statuses=[503], hedge=p95}
     * @param retries         retries the retry budget allowed: of requests that reached a server (a lost connection,
     *                        a retried status, a per-try timeout); moves of requests that never did are not counted
     * @param hedges          hedges sent
     * @param denied          retries and hedges the budget did not allow
     * @param budgetAvailable retries the budget would allow now
     * @param throttled       requests rejected locally by client-side throttling
     * @param throttleRate    the probability that client-side throttling rejects a request now; 0 when it is off
     */
    public record Retries(String policy, long retries, long hedges, long denied, double budgetAvailable, long throttled,
                          double throttleRate) {

        /** Checks for nulls. */
        public Retries {
            Objects.requireNonNull(policy, "policy");
        }

        /** Nothing retried, for snapshots made without retry figures. */
        static final Retries NONE = new Retries("", 0, 0, 0, 0, 0, 0);
    }

    /** Copies the list and the map, keeping the map's order, and checks for nulls. */
    public TargetSnapshot {
        Objects.requireNonNull(target, "target");
        backends = List.copyOf(backends);
        Objects.requireNonNull(sinceResolution, "sinceResolution");
        Objects.requireNonNull(lastResolverError, "lastResolverError");
        Map<String, Double> copy = new LinkedHashMap<>();
        Objects.requireNonNull(zoneShares, "zoneShares").forEach((zone, share) ->
                copy.put(Objects.requireNonNull(zone, "zone"), Objects.requireNonNull(share, "share")));
        zoneShares = Collections.unmodifiableMap(copy);
        Objects.requireNonNull(rule, "rule");
        providers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(providers, "providers")));
        Objects.requireNonNull(retries, "retries");
    }

    /**
     * A snapshot without retry figures, as before {@code retries} existed.
     *
     * @param target            the target
     * @param backends          its backends
     * @param leavesOpen        leaves open now
     * @param recycles          leaves replaced or retired since the target was created
     * @param sinceResolution   time since the resolver last published addresses
     * @param lastResolverError the resolver's last error message
     * @param zoneShares        where zone-aware routing sends new requests
     * @param rule              the per-target configuration that applies
     * @param providers         the providers, by family
     */
    public TargetSnapshot(Target target, List<BackendSnapshot> backends, int leavesOpen, long recycles,
                          Optional<Duration> sinceResolution, Optional<String> lastResolverError,
                          Map<String, Double> zoneShares, Optional<String> rule, Map<String, String> providers) {
        this(target, backends, leavesOpen, recycles, sinceResolution, lastResolverError, zoneShares, rule, providers, Retries.NONE);
    }

    /**
     * A snapshot without zone routing, as before {@code zoneShares} existed.
     *
     * @param target            the target
     * @param backends          its backends
     * @param leavesOpen        leaves open now
     * @param recycles          leaves replaced or retired since the target was created
     * @param sinceResolution   time since the resolver last published addresses
     * @param lastResolverError the resolver's last error message
     */
    public TargetSnapshot(Target target, List<BackendSnapshot> backends, int leavesOpen, long recycles,
                          Optional<Duration> sinceResolution, Optional<String> lastResolverError) {
        this(target, backends, leavesOpen, recycles, sinceResolution, lastResolverError, Map.of(), Optional.empty(), Map.of(),
                Retries.NONE);
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
