package dev.fairway.internal;

import dev.fairway.spi.LeafTerms;
import dev.fairway.spi.LifetimePolicy;
import dev.fairway.spi.LifetimePolicyContext;
import dev.fairway.spi.LifetimePolicyProvider;
import dev.fairway.spi.Option;

import java.time.Duration;
import java.util.List;

/**
 * The built-in {@code never} lifetime policy: leaves are replaced only when their backend leaves the target or the
 * client shuts down; then in-flight exchanges get {@code drain_grace} (default 30 s) to finish.
 */
public final class NeverLifetimePolicyProvider implements LifetimePolicyProvider {

    static final Option<Duration> DRAIN_GRACE = Option.ofDuration("drain_grace", LeafTerms.DEFAULT_DRAIN_GRACE,
            Duration.ZERO, Duration.ofHours(1), "how long a retired leaf may finish its exchanges before it is closed hard");

    /** Creates the provider; does nothing else. */
    public NeverLifetimePolicyProvider() {
    }

    @Override
    public String name() {
        return "never";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(DRAIN_GRACE);
    }

    @Override
    public LifetimePolicy create(LifetimePolicyContext context) {
        LeafTerms terms = new LeafTerms(LeafTerms.NO_MAX_AGE, Long.MAX_VALUE, context.options().get(DRAIN_GRACE));
        return address -> terms;
    }
}
