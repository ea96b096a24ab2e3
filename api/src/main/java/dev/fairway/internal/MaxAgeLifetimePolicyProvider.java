package dev.fairway.internal;

import dev.fairway.spi.LeafTerms;
import dev.fairway.spi.LifetimePolicy;
import dev.fairway.spi.LifetimePolicyContext;
import dev.fairway.spi.LifetimePolicyProvider;
import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The built-in {@code max_age} lifetime policy, Fairway's default: each leaf lives {@code max_age} (default 5 min)
 * with ±{@code max_age_jitter} (default 10 %) drawn per leaf, so that leaves created together are not replaced
 * together (gRFC A9); optionally at most {@code max_requests} requests; then a successor takes over and the old
 * leaf takes no new exchange and closes when its last exchange ends, or after {@code drain_grace} if one is given
 * (default {@code none}: no bound, as gRPC's {@code MAX_CONNECTION_AGE_GRACE}).
 */
public final class MaxAgeLifetimePolicyProvider implements LifetimePolicyProvider {

    static final Option<Duration> MAX_AGE = Option.ofDuration("max_age", Duration.ofMinutes(5), Duration.ofMillis(1),
            LeafTerms.LONGEST_MAX_AGE, "how long a leaf (a backend's connections) lives before it is replaced");
    static final Option<Double> JITTER = Option.ofDouble("max_age_jitter", 0.1, 0, 0.5,
            "the fraction by which each leaf's age limit varies at random, both ways");
    static final Option<Integer> MAX_REQUESTS = Option.ofInt("max_requests", 0, 0, Integer.MAX_VALUE,
            "the number of requests after which a leaf is replaced; 0 for no limit");
    static final Option<Duration> DRAIN_GRACE = DrainGrace.option(
            "how long a replaced leaf may finish its exchanges before it is closed hard; none: as long as they last");

    /** Creates the provider; does nothing else. */
    public MaxAgeLifetimePolicyProvider() {
    }

    @Override
    public String name() {
        return "max_age";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(MAX_AGE, JITTER, MAX_REQUESTS, DRAIN_GRACE);
    }

    @Override
    public void validate(OptionValues options) {
        Duration age = options.get(MAX_AGE);
        double jitter = options.get(JITTER);
        if (age.toNanos() * (1 + jitter) > LeafTerms.LONGEST_MAX_AGE.toNanos()) {
            throw new IllegalArgumentException("fairway.lifetime.max_age = " + age + " with fairway.lifetime.max_age_jitter = " + jitter
                    + " can exceed " + LeafTerms.LONGEST_MAX_AGE + ": lower one of them");
        }
    }

    @Override
    public LifetimePolicy create(LifetimePolicyContext context) {
        validate(context.options());
        long ageNanos = context.options().get(MAX_AGE).toNanos();
        double jitter = context.options().get(JITTER);
        int maxRequests = context.options().get(MAX_REQUESTS);
        Duration grace = context.options().get(DRAIN_GRACE);
        long requests = maxRequests == 0 ? Long.MAX_VALUE : maxRequests;
        long seed = context.seed();
        AtomicLong draws = new AtomicLong();
        return address -> {
            double u = uniform(seed, draws.incrementAndGet()); // in [0, 1)
            long nanos = Math.max(1, Math.round(ageNanos * (1 + jitter * (2 * u - 1))));
            return new LeafTerms(Duration.ofNanos(nanos), requests, grace);
        };
    }

    /** A deterministic uniform draw from (seed, n): SplitMix64's finaliser, 53 bits. */
    static double uniform(long seed, long n) {
        long z = seed + n * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }
}
