package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.ResolverProvider;

import java.time.Duration;
import java.util.List;

/**
 * The {@code dns} resolver provider: resolves a target's host through the system resolver and refreshes it
 * periodically. See the module documentation for the options.
 *
 * <p>Thread-safe and stateless; the constructor does nothing.
 */
public final class DnsResolverProvider implements ResolverProvider {

    /** The prefix of this family's option keys, for messages. */
    static final String PREFIX = "fairway.resolver.";

    static final Option<Duration> REFRESH_INTERVAL = Option.ofDuration("refresh_interval", Duration.ofSeconds(30),
            Duration.ofMillis(100), Duration.ofHours(1), "time from one successful resolution to the next");

    static final Option<Double> REFRESH_JITTER = Option.ofDouble("refresh_jitter", 0.1, 0.0, 0.5,
            "random spread of each refresh interval (0.1 = ±10 %); retry delays are shortened by up to this fraction");

    static final Option<Duration> BACKOFF_INITIAL = Option.ofDuration("backoff_initial", Duration.ofSeconds(1),
            Duration.ofMillis(10), Duration.ofHours(1),
            "delay before the first retry after a failed resolution; doubles with each further failure in a row");

    static final Option<Duration> BACKOFF_MAX = Option.ofDuration("backoff_max", Duration.ofSeconds(30),
            Duration.ofMillis(10), Duration.ofHours(1),
            "longest retry delay after failed resolutions (never longer than refresh_interval)");

    static final Option<Duration> MIN_REFRESH_INTERVAL = Option.ofDuration("min_refresh_interval", Duration.ofSeconds(1),
            Duration.ZERO, Duration.ofHours(1), "least time between the starts of two look-ups on on-demand refreshes");

    private static final List<Option<?>> OPTIONS = List.of(REFRESH_INTERVAL, REFRESH_JITTER, BACKOFF_INITIAL,
            BACKOFF_MAX, MIN_REFRESH_INTERVAL);

    /** Creates the provider; does nothing else. */
    public DnsResolverProvider() {
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code "dns"}
     */
    @Override
    public String name() {
        return "dns";
    }

    @Override
    public int priority() {
        return DEFAULT_PRIORITY;
    }

    @Override
    public List<Option<?>> options() {
        return OPTIONS;
    }

    /**
     * Checks that {@code backoff_initial} is not longer than {@code backoff_max}.
     *
     * @param options the validated values
     * @throws IllegalArgumentException naming both options and their values
     */
    @Override
    public void validate(OptionValues options) {
        Duration initial = options.get(BACKOFF_INITIAL);
        Duration max = options.get(BACKOFF_MAX);
        if (initial.compareTo(max) > 0) {
            throw new IllegalArgumentException(PREFIX + BACKOFF_INITIAL.key() + " = " + DnsResolver.format(initial.toNanos())
                    + " is longer than " + PREFIX + BACKOFF_MAX.key() + " = " + DnsResolver.format(max.toNanos())
                    + ": shorten " + PREFIX + BACKOFF_INITIAL.key() + " or lengthen " + PREFIX + BACKOFF_MAX.key());
        }
    }

    /**
     * Creates a resolver for the context's target that uses the system resolver.
     *
     * @param context the library-made context
     * @return a new, unstarted resolver
     * @throws IllegalArgumentException if {@code backoff_initial} is longer than {@code backoff_max}
     */
    @Override
    public Resolver create(ResolverContext context) {
        return new DnsResolver(context, DnsResolver.SYSTEM_LOOKUP);
    }
}
