package dev.fairway;

import java.util.Objects;
import java.util.Optional;

/**
 * A provider that a {@link ProviderRegistry} found but could not use: its class did not load, its constructor
 * threw, it reported itself unavailable, or it declared an invalid name, priority or options.
 *
 * @param family   the family: {@code "resolver"}, {@code "picker"}, {@code "health"} or {@code "lifetime"}
 * @param provider the provider's class name, or the loader's description when the class could not be named
 * @param problem  what was wrong, in words
 * @param cause    the error, when there was one
 */
public record ProviderFailure(String family, String provider, String problem, Optional<Throwable> cause) {

    /** Checks that no component is null. */
    public ProviderFailure {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(cause, "cause");
    }

    @Override
    public String toString() {
        return family + " provider " + provider + ": " + problem + cause.map(c -> " (" + c + ")").orElse("");
    }
}
