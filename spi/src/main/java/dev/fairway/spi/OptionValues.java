package dev.fairway.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The validated option values of one provider, as its context carries them.
 *
 * <p>Made by Fairway when a client is built; provider tests make their own with {@link #of}. Immutable.
 */
public final class OptionValues {

    private final Map<String, Option<?>> declared;
    private final Map<String, Object> values;

    private OptionValues(Map<String, Option<?>> declared, Map<String, Object> values) {
        this.declared = declared;
        this.values = values;
    }

    /**
     * Converts and validates raw values against the declared options.
     *
     * @param prefix   what stands before each key in messages, for example {@code "fairway.health."}; may be empty
     * @param declared the options the provider accepts
     * @param raw      the user's values by key, typed or as strings
     * @return the validated values
     * @throws IllegalArgumentException for an unknown key (listing the known ones), a bad value (naming the key,
     *                                  the value and what is allowed) or a missing required option
     */
    public static OptionValues of(String prefix, List<Option<?>> declared, Map<String, ?> raw) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(declared, "declared");
        Objects.requireNonNull(raw, "raw");
        Map<String, Option<?>> byKey = new LinkedHashMap<>();
        for (Option<?> option : declared) {
            Objects.requireNonNull(option, "declared option");
            if (byKey.putIfAbsent(option.key(), option) != null) {
                throw new IllegalArgumentException("option " + prefix + option.key() + " is declared twice");
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : raw.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "option key");
            Option<?> option = byKey.get(key);
            if (option == null) {
                String known = byKey.isEmpty() ? "none are accepted" : "accepted: " + new TreeSet<>(byKey.keySet()).stream()
                        .map(k -> prefix + k).collect(Collectors.joining(", "));
                throw new IllegalArgumentException("unknown option " + prefix + key + " (value hidden: an unknown key may be a misspelt secret); " + known);
            }
            values.put(key, option.convert(prefix + key, e.getValue()));
        }
        for (Option<?> option : byKey.values()) {
            if (option.isRequired() && !values.containsKey(option.key())) {
                throw new IllegalArgumentException("option " + prefix + option.key() + " is required: give " + option.allowed()
                        + " (" + option.description() + ")");
            }
        }
        return new OptionValues(Map.copyOf(byKey), Map.copyOf(values));
    }

    /**
     * The defaults of the declared options, for providers without required options.
     *
     * @param declared the options the provider accepts
     * @return the values
     * @throws IllegalArgumentException if an option is required
     */
    public static OptionValues defaults(List<Option<?>> declared) {
        return of("", declared, Map.of());
    }

    /**
     * The value of {@code option}: the user's, or the default.
     *
     * @param option a declared option
     * @param <T>    the value type
     * @return the value
     * @throws IllegalArgumentException if the option was not declared by the provider
     */
    public <T> T get(Option<T> option) {
        Objects.requireNonNull(option, "option");
        if (!declared.containsKey(option.key())) {
            throw new IllegalArgumentException("option " + option.key() + " was not declared in the provider's options()");
        }
        @SuppressWarnings("unchecked")
        T value = (T) values.get(option.key());
        return value != null ? value : option.defaultValue().orElseThrow();
    }

    /**
     * The user's value of {@code option}, if one was given.
     *
     * @param option a declared option
     * @param <T>    the value type
     * @return the given value, or empty when the default applies
     */
    public <T> Optional<T> given(Option<T> option) {
        Objects.requireNonNull(option, "option");
        if (!declared.containsKey(option.key())) {
            throw new IllegalArgumentException("option " + option.key() + " was not declared in the provider's options()");
        }
        @SuppressWarnings("unchecked")
        T value = (T) values.get(option.key());
        return Optional.ofNullable(value);
    }

    /**
     * The values the user gave, by key.
     *
     * @return an unmodifiable map
     */
    public Map<String, Object> asMap() {
        return values;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
