package dev.fairway.internal;

/**
 * When to hedge a target's requests: a fixed delay, or a percentile of the time its backends took to answer over the
 * last {@value #WINDOW_SECONDS} seconds (to the response headers, successful answers only). The percentile comes from
 * a histogram of {@value #BUCKETS} logarithmic buckets (4 per doubling, so within 25 % of the true value), computed
 * again at most once a second; with fewer than {@value #MIN_SAMPLES} answers in the window there is no percentile
 * yet, and no hedge. One per target, only when hedging is configured.
 */
final class HedgeDelay {

    static final int WINDOW_SECONDS = 10;
    static final int MIN_SAMPLES = 20;
    static final int BUCKETS = 4 * 40; // to 2^40 ns, about 18 minutes
    private static final long RECOMPUTE_NANOS = 1_000_000_000L;

    private final long fixedNanos;
    private final int percentileTenths;
    private final SlidingWindow histogram;
    private volatile long computedAt = Long.MIN_VALUE;
    private volatile long cached = -1;

    HedgeDelay(Resilience settings) {
        this.fixedNanos = settings.hedgeDelay().toNanos();
        this.percentileTenths = settings.hedgePercentile();
        this.histogram = percentileTenths > 0 ? new SlidingWindow(WINDOW_SECONDS * 1_000_000_000L, BUCKETS) : null;
    }

    /** A backend answered (headers, status below 500) after {@code elapsedNanos}. */
    void answered(long now, long elapsedNanos) {
        if (histogram != null) {
            histogram.add(bucket(elapsedNanos), now);
        }
    }

    /**
     * The delay before a hedge, or -1 when there is none yet (too few answers for the percentile).
     *
     * @param now the ticker's nanoseconds
     * @return nanoseconds
     */
    long delayNanos(long now) {
        if (histogram == null) {
            return fixedNanos;
        }
        if (now - computedAt >= RECOMPUTE_NANOS || computedAt == Long.MIN_VALUE) {
            cached = percentile(now);
            computedAt = now;
        }
        return cached;
    }

    private long percentile(long now) {
        long[] counts = new long[BUCKETS];
        long total = 0;
        for (int b = 0; b < BUCKETS; b++) {
            counts[b] = histogram.sum(b, now);
            total += counts[b];
        }
        if (total < MIN_SAMPLES) {
            return -1;
        }
        long rank = (long) Math.ceil(total * percentileTenths / 1000.0);
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += counts[b];
            if (seen >= rank) {
                return Math.max(1_000_000L, upperBound(b)); // at least 1 ms
            }
        }
        return upperBound(BUCKETS - 1);
    }

    /** The bucket of a time: 4 per doubling. */
    static int bucket(long nanos) {
        if (nanos < 4) {
            return 0;
        }
        int log = 63 - Long.numberOfLeadingZeros(nanos);
        int sub = (int) (nanos >>> (log - 2)) & 3;
        return Math.min(BUCKETS - 1, 4 * log + sub);
    }

    /** The largest time in bucket {@code b}. */
    static long upperBound(int b) {
        int log = b / 4;
        int sub = b % 4;
        return log < 2 ? 4 : ((4L + sub + 1) << (log - 2)) - 1;
    }
}
