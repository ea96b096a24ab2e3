package dev.fairway.resolver.dns.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The value of {@code refresh_interval}: {@code ttl} (the default: each look-up is followed by the next when its
 * answer's TTL runs out, clamped to {@code ttl_min} and {@code ttl_max}) or a fixed duration from
 * {@value #MIN_MILLIS} ms to 1 h.
 *
 * @param fixed the fixed interval; empty for {@code ttl}
 */
record RefreshInterval(Optional<Duration> fixed) {

    /** Follow the TTLs. */
    static final RefreshInterval TTL = new RefreshInterval(Optional.empty());

    /** The shortest fixed interval, in milliseconds. */
    static final long MIN_MILLIS = 100;

    /** The allowed values, in words. */
    static final String ALLOWED = "ttl (follow each answer's TTL, clamped to ttl_min and ttl_max) or a duration from"
            + " 100ms to 1h, like 5s or 30s";

    private static final Duration MAX = Duration.ofHours(1);

    /**
     * Parses an option value.
     *
     * @param raw {@code ttl}, a duration string, a {@link Duration} or a {@code RefreshInterval}
     * @return the value
     * @throws IllegalArgumentException when it is none of those, or out of range
     */
    static RefreshInterval parse(Object raw) {
        if (raw instanceof RefreshInterval r) {
            return r;
        }
        if (raw instanceof String s && s.strip().toLowerCase(Locale.ROOT).equals("ttl")) {
            return TTL;
        }
        Duration d = raw instanceof Duration given ? given
                : DURATION.convert("refresh_interval", raw);
        if (d.toMillis() < MIN_MILLIS || d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException();
        }
        return new RefreshInterval(Optional.of(d));
    }

    /** The duration parser of the spi, reused for its syntax. */
    private static final dev.fairway.spi.Option<Duration> DURATION = dev.fairway.spi.Option.ofDuration("refresh_interval",
            Duration.ofSeconds(30), Duration.ofMillis(MIN_MILLIS), MAX, "");

    @Override
    public String toString() {
        return fixed.map(d -> DnsResolver.format(d.toNanos())).orElse("ttl");
    }
}
