package dev.fairway;

import dev.fairway.internal.ClientConfig;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Provider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link FairwayClient.Builder} was told about one provider family ({@code resolver}, {@code picker},
 * {@code health}, {@code lifetime}): a provider name or instance, and its options, selected and validated at
 * {@code build()}. Not thread-safe, like the builder.
 *
 * @param <P> the family's provider type
 */
final class ProviderChoice<P extends Provider<?, ?>> {

    /** The builder's logger: the fallback warning is the builder's to give. */
    private static final System.Logger LOG = System.getLogger(FairwayClient.class.getName());

    private final String family;
    private final String fallback;
    private String prefix; // how option errors name the keys
    private String name;
    private boolean chosen;
    private P instance;
    private final Map<String, Object> options = new LinkedHashMap<>();

    /**
     * @param family      the family's key
     * @param defaultName the provider used when none is chosen
     * @param fallback    used instead of the default, with a warning, when the default is not available and
     *                    no option was given for it; {@code null} for none
     */
    ProviderChoice(String family, String defaultName, String fallback) {
        this.family = family;
        this.name = defaultName;
        this.fallback = fallback;
        this.prefix = "fairway." + family + ".";
    }

    /**
     * This family's choice for the targets of one per-target pattern: the provider {@code override} names, with only
     * its options; or, when it names none, this choice's provider with these options and {@code override}'s over them.
     *
     * @param pattern  the per-target pattern, for error messages
     * @param override what the pattern was given for this family
     * @return the combined choice
     */
    ProviderChoice<P> forTarget(String pattern, ProviderChoice<P> override) {
        ProviderChoice<P> combined = new ProviderChoice<>(family, name, override.chosen ? null : fallback);
        combined.prefix = "fairway.target[" + pattern + "]." + family + ".";
        if (override.chosen) {
            combined.name(override.name);
        } else {
            combined.chosen = chosen;
            combined.instance = instance;
            combined.options.putAll(options);
        }
        combined.options.putAll(override.options);
        return combined;
    }


    void name(String name) {
        Objects.requireNonNull(name, family);
        if (name.isBlank()) {
            throw new IllegalArgumentException("fairway." + family + " = '" + name + "' is not allowed: use a provider name");
        }
        this.name = name;
        this.chosen = true;
        this.instance = null;
    }

    void instance(P provider) {
        ProviderRegistry.checkInstance(family, Objects.requireNonNull(provider, family + " provider"));
        this.instance = provider;
        this.name = null;
    }

    void option(String key, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "fairway." + family + "." + key);
        options.put(key, value);
    }

    /**
     * The chosen provider with its options, validated.
     *
     * @throws IllegalArgumentException for an unknown provider name, an unknown option or a bad option value
     */
    ClientConfig.Selected<P> select(ProviderRegistry<P> registry) {
        P provider = instance != null ? instance : registry.find(name).or(() -> fallback(registry)).orElseGet(() -> registry.get(name));
        OptionValues values = OptionValues.of(prefix, provider.options(), options);
        provider.validate(values);
        return new ClientConfig.Selected<>(provider, values);
    }

    /**
     * As {@link #select}, or empty when the name is {@value FairwayClient.Builder#NO_HEALTH_CHECK}.
     *
     * @throws IllegalArgumentException also for options given without a provider
     */
    Optional<ClientConfig.Selected<P>> selectOptional(ProviderRegistry<P> registry) {
        if (instance == null && FairwayClient.Builder.NO_HEALTH_CHECK.equals(name)) {
            if (!options.isEmpty()) {
                throw new IllegalArgumentException("options " + options.keySet().stream().map(k -> prefix + k).toList()
                        + " were given but fairway." + family + " is none: select a " + family + " provider or remove them");
            }
            return Optional.empty();
        }
        return Optional.of(select(registry));
    }

    /** The fallback for a default that is not available, when nobody chose the default or gave it options. */
    private Optional<P> fallback(ProviderRegistry<P> registry) {
        if (chosen || fallback == null || !options.isEmpty()) {
            return Optional.empty();
        }
        Optional<P> found = registry.find(fallback);
        found.ifPresent(p -> LOG.log(System.Logger.Level.WARNING, () -> "the default " + family + " '" + name
                + "' is not available, so " + family + " '" + fallback + "' is used: " + registry.unknown(name)));
        return found;
    }
}
