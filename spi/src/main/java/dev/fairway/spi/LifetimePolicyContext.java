package dev.fairway.spi;

import java.util.Objects;

/**
 * What Fairway gives a {@link LifetimePolicyProvider} to create the {@link LifetimePolicy} of one target.
 *
 * @param target  the target
 * @param options the validated {@code fairway.lifetime.*} options
 * @param seed    a per-client random seed, for jitter
 */
public record LifetimePolicyContext(Target target, OptionValues options, long seed) {

    /** Checks that no component is null. */
    public LifetimePolicyContext {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
    }
}
