package dev.fairway.spi;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What Fairway gives a {@link ResolverProvider} to create a {@link Resolver}: the target to watch, the validated
 * options, and the means to keep time and run work. Fairway makes these; a provider's tests may make their own.
 *
 * @param target    the target whose host the resolver watches
 * @param options   the validated {@code fairway.resolver.*} options
 * @param ticker    the time source
 * @param scheduler where timers go; tasks must not block
 * @param executor  where blocking work (look-ups) goes
 * @param seed      a per-client random seed, for jitter and shuffling
 */
public record ResolverContext(Target target, OptionValues options, Ticker ticker, Scheduler scheduler,
                              Executor executor, long seed) {

    /** Checks that no component is null. */
    public ResolverContext {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(executor, "executor");
    }
}
