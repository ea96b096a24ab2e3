package dev.fairway.spi;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * How long one leaf (a backend's {@link java.net.http.HttpClient}) may live, as decided by a
 * {@link LifetimePolicy}.
 *
 * @param maxAge      the age after which the leaf is replaced; {@link #NO_MAX_AGE} for never; positive, at most
 *                    {@link #LONGEST_MAX_AGE}
 * @param maxRequests the number of requests after which the leaf is replaced; {@link Long#MAX_VALUE} for no
 *                    limit; positive
 * @param drainGrace  how long the replaced leaf may finish its in-flight exchanges before it is closed hard;
 *                    zero or positive; {@link #NO_DRAIN_LIMIT} (the default) for as long as they last
 */
public record LeafTerms(Duration maxAge, long maxRequests, Duration drainGrace) {

    /** The {@link #maxAge()} that means "never replaced for age". */
    public static final Duration NO_MAX_AGE = ChronoUnit.FOREVER.getDuration();

    /** The longest finite {@link #maxAge()}, 100 days. */
    public static final Duration LONGEST_MAX_AGE = Duration.ofDays(100);

    /**
     * The {@link #drainGrace()} that means no bound: a replaced leaf takes no new exchange but is never cut while one
     * is alive (a long poll, a stream, a slow upload), as gRPC's {@code MAX_CONNECTION_AGE_GRACE} defaults to infinite.
     */
    public static final Duration NO_DRAIN_LIMIT = ChronoUnit.FOREVER.getDuration();

    /** The default drain grace: {@link #NO_DRAIN_LIMIT}. */
    public static final Duration DEFAULT_DRAIN_GRACE = NO_DRAIN_LIMIT;

    /** Terms with no limit and the default drain grace. */
    public static final LeafTerms UNLIMITED = new LeafTerms(NO_MAX_AGE, Long.MAX_VALUE, DEFAULT_DRAIN_GRACE);

    /**
     * Validates the terms.
     *
     * @throws IllegalArgumentException if {@code maxAge} or {@code maxRequests} is not positive, or
     *                                  {@code drainGrace} is negative
     */
    public LeafTerms {
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(drainGrace, "drainGrace");
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive, was " + maxAge);
        }
        if (!maxAge.equals(NO_MAX_AGE) && maxAge.compareTo(LONGEST_MAX_AGE) > 0) {
            throw new IllegalArgumentException("maxAge " + maxAge + " is too long: use at most " + LONGEST_MAX_AGE + ", or NO_MAX_AGE");
        }
        if (maxRequests <= 0) {
            throw new IllegalArgumentException("maxRequests must be positive, was " + maxRequests);
        }
        if (drainGrace.isNegative()) {
            throw new IllegalArgumentException("drainGrace must be zero or positive, was " + drainGrace);
        }
    }

    /**
     * Whether these terms limit the leaf's age.
     *
     * @return {@code false} when {@link #maxAge()} is {@link #NO_MAX_AGE}
     */
    public boolean hasMaxAge() {
        return !maxAge.equals(NO_MAX_AGE);
    }

    /**
     * Whether these terms bound how long a replaced leaf may drain.
     *
     * @return {@code false} when {@link #drainGrace()} is {@link #NO_DRAIN_LIMIT}
     */
    public boolean hasDrainLimit() {
        return !drainGrace.equals(NO_DRAIN_LIMIT);
    }
}
