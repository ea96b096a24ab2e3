package dev.fairway.spi;

import java.util.List;

/**
 * The shape shared by the four provider families, after the JDK's
 * {@link java.net.spi.InetAddressResolverProvider} and grpc-java's registries.
 *
 * <p>Implement one of the four sub-interfaces ({@link ResolverProvider}, {@link PickerProvider},
 * {@link HealthCheckProvider}, {@link LifetimePolicyProvider}), never this one directly. Implementations must
 * have a public no-argument constructor that does nothing else, and must be thread-safe: one instance serves
 * every client of the JVM.
 *
 * @param <C> the context type the library passes to {@link #create}
 * @param <T> the runtime object the provider creates
 */
public interface Provider<C, T> {

    /** The highest allowed {@linkplain #priority() priority}. */
    int MAX_PRIORITY = 10;

    /** The default {@linkplain #priority() priority}. */
    int DEFAULT_PRIORITY = 5;

    /**
     * The selection key users name in the builder or in {@code fairway.*} properties, for example
     * {@code "round_robin"}. It must match {@code [a-z][a-z0-9_]*} and never change between calls.
     *
     * @return the provider's name
     */
    String name();

    /**
     * Ranks providers of the same name: the highest wins. Must be between 0 and {@value #MAX_PRIORITY};
     * providers shipped with Fairway use {@value #DEFAULT_PRIORITY}, so a third party overrides a built-in
     * by shipping a provider of the same name with a higher priority.
     *
     * @return the priority, 0 to 10
     */
    default int priority() {
        return DEFAULT_PRIORITY;
    }

    /**
     * Whether this provider can work in this JVM (for example, whether an optional module it needs is
     * present). An unavailable provider is skipped and reported by the registry.
     *
     * @return {@code true} when the provider may be selected
     */
    default boolean isAvailable() {
        return true;
    }

    /**
     * The options this provider accepts. Fairway validates the user's values against these when the client
     * is built and rejects any other key, so {@link #create} only ever sees valid, typed values.
     *
     * @return the accepted options, with their defaults; empty by default
     */
    default List<Option<?>> options() {
        return List.of();
    }

    /**
     * Checks a combination of option values that {@link #options()} cannot express on its own (for example a
     * minimum that must not exceed a maximum). Fairway calls it when the client is built, after each value has
     * been validated, so that the user sees the error at {@code build()} rather than at the first request.
     *
     * @param options the validated values
     * @throws IllegalArgumentException naming the options, their values and what is allowed
     */
    default void validate(OptionValues options) {
    }

    /**
     * Creates the runtime object. Fairway has already passed the options through {@link #validate}; a provider
     * may check again and throw {@link IllegalArgumentException} naming the options and the allowed values.
     *
     * @param context the library-made context, with the validated options
     * @return a new runtime object, never {@code null}
     */
    T create(C context);
}
