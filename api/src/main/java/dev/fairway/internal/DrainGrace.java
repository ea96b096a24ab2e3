package dev.fairway.internal;

import dev.fairway.spi.LeafTerms;
import dev.fairway.spi.Option;

import java.time.Duration;
import java.util.Locale;

/**
 * The {@code drain_grace} option of the built-in lifetime policies: {@code none} (the default: a replaced leaf drains
 * for as long as its exchanges last) or a bound from 0 to 100 days.
 */
final class DrainGrace {

    /** Parses the bounded values; its own messages are not shown (the option's say what is allowed). */
    private static final Option<Duration> BOUNDED = Option.ofDuration("drain_grace", Duration.ZERO, Duration.ZERO,
            Duration.ofDays(100), "drain bound");

    private DrainGrace() {
    }

    /**
     * The option.
     *
     * @param description what the option does, for this policy
     * @return the option, default {@link LeafTerms#NO_DRAIN_LIMIT}
     */
    static Option<Duration> option(String description) {
        return Option.ofCustom("drain_grace", LeafTerms.NO_DRAIN_LIMIT, description,
                "none (no bound, the default) or a duration from 0 to 100d, like 30s, 5m or PT30S", raw -> {
                    if (raw instanceof String s && s.trim().toLowerCase(Locale.ROOT).equals("none")) {
                        return LeafTerms.NO_DRAIN_LIMIT;
                    }
                    if (raw instanceof Duration d && d.equals(LeafTerms.NO_DRAIN_LIMIT)) {
                        return d;
                    }
                    try {
                        return BOUNDED.convert("fairway.lifetime.drain_grace", raw);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException();
                    }
                });
    }
}
