package dev.fairway.resolver.dns.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The floor and ceiling every DNS TTL is clamped to ({@code ttl_min}, {@code ttl_max}): a TTL of 0 must not make a
 * client query without pause, and a TTL of a day must not hide a change for a day.
 *
 * @param minNanos the floor
 * @param maxNanos the ceiling, not below the floor
 */
record TtlBounds(long minNanos, long maxNanos) {

    TtlBounds {
        if (minNanos < 0 || maxNanos < minNanos) {
            throw new IllegalArgumentException("ttl bounds " + minNanos + ", " + maxNanos);
        }
    }

    /**
     * Bounds from two durations.
     *
     * @param min the floor
     * @param max the ceiling
     * @return the bounds
     */
    static TtlBounds of(Duration min, Duration max) {
        return new TtlBounds(min.toNanos(), max.toNanos());
    }

    /**
     * The bounds the options {@code ttl_min} and {@code ttl_max} give.
     *
     * @param options validated values of either provider
     * @return the bounds
     */
    static TtlBounds of(dev.fairway.spi.OptionValues options) {
        return of(options.get(DnsOptions.TTL_MIN), options.get(DnsOptions.TTL_MAX));
    }

    /**
     * A TTL in seconds, clamped.
     *
     * @param ttlSeconds the TTL, 0 or more
     * @return the time it stands for, between the floor and the ceiling
     */
    long clamp(long ttlSeconds) {
        long nanos = ttlSeconds >= TimeUnit.NANOSECONDS.toSeconds(Long.MAX_VALUE) ? Long.MAX_VALUE
                : TimeUnit.SECONDS.toNanos(Math.max(0, ttlSeconds));
        return Math.max(minNanos, Math.min(maxNanos, nanos));
    }
}
