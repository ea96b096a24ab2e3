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
 * client shuts down; then in-flight exchanges may finish, within {@code drain_grace} if one is given (default
 * {@code none}: no bound).
 */
public final class NeverLifetimePolicyProvider implements LifetimePolicyProvider {

    static final Option<Duration> DRAIN_GRACE = DrainGrace.option(
            "how long a retired leaf may finish its exchanges before it is closed hard; none: as long as they last");

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
