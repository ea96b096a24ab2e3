package dev.fairway.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One typed option a provider accepts, with its default and the values it allows.
 *
 * <p>Providers declare their options in {@link Provider#options()}; users give values programmatically (typed
 * values or strings) or as {@code fairway.<family>.<key>} properties (strings). Fairway converts and validates
 * every value when the client is built, so a bad value fails at {@code build()} with a message that names the
 * key, the value and what is allowed.
 *
 * {@snippet :
 * static final Option<Duration> INTERVAL = Option.ofDuration("interval", Duration.ofSeconds(10),
 *         Duration.ofMillis(10), Duration.ofHours(1), "time between two probes");
 * }
 *
 * <p>Strings are parsed as follows: integers and decimals in plain notation; booleans as {@code true} or
 * {@code false}; durations as a number with a unit ({@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h},
 * {@code 1d}, also {@code us} and {@code ns}) or in ISO-8601 ({@code PT10S}); enums by constant name, ignoring case;
 * lists as comma-separated items.
 *
 * @param <T> the value type
 */
public final class Option<T> {

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*");
    /** The longest text value any option accepts, in characters; longer ones fail before they are parsed. */
    public static final int MAX_TEXT = 1 << 20;
    /** How much of a refused value an error message repeats. */
    private static final int MAX_ECHO = 200;
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h|d)");

    private final String key;
    private final T defaultValue;
    private final boolean required;
    private final String description;
    private final String allowed;
    private final Function<Object, T> converter;

    private Option(String key, T defaultValue, boolean required, String description, String allowed,
                   Function<Object, T> converter) {
        this.key = Objects.requireNonNull(key, "key");
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("option key '" + key + "' is not allowed: use lower_snake_case like refresh_interval");
        }
        this.defaultValue = defaultValue;
        this.required = required;
        this.description = Objects.requireNonNull(description, "description");
        this.allowed = allowed;
        this.converter = converter;
    }

    /**
     * A free-form string option.
     *
     * @param key          the key, {@code lower_snake_case}
     * @param defaultValue the default
     * @param description  what the option does
     * @return the option
     */
    public static Option<String> ofString(String key, String defaultValue, String description) {
        Objects.requireNonNull(defaultValue, "defaultValue");
        return new Option<>(key, defaultValue, false, description, "any text", raw -> {
            if (raw instanceof String s) {
                return s;
            }
            throw new IllegalArgumentException();
        });
    }

    /**
     * An integer option.
     *
     * @param key          the key
     * @param defaultValue the default, within {@code [min, max]}
     * @param min          the smallest allowed value
     * @param max          the largest allowed value
     * @param description  what the option does
     * @return the option
     */
    public static Option<Integer> ofInt(String key, int defaultValue, int min, int max, String description) {
        checkDefault(key, defaultValue >= min && defaultValue <= max, defaultValue);
        return new Option<>(key, defaultValue, false, description, "an integer from " + min + " to " + max, raw -> {
            long v;
            if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
                v = ((Number) raw).longValue();
            } else if (raw instanceof String s) {
                v = Long.parseLong(s.trim());
            } else {
                throw new IllegalArgumentException();
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException();
            }
            return (int) v;
        });
    }

    /**
     * A decimal option.
     *
     * @param key          the key
     * @param defaultValue the default, within {@code [min, max]}
     * @param min          the smallest allowed value
     * @param max          the largest allowed value
     * @param description  what the option does
     * @return the option
     */
    public static Option<Double> ofDouble(String key, double defaultValue, double min, double max, String description) {
        checkDefault(key, defaultValue >= min && defaultValue <= max, defaultValue);
        return new Option<>(key, defaultValue, false, description, "a number from " + min + " to " + max, raw -> {
            double v;
            if (raw instanceof Number n) {
                v = n.doubleValue();
            } else if (raw instanceof String s) {
                v = Double.parseDouble(s.trim());
            } else {
                throw new IllegalArgumentException();
            }
            if (!(v >= min && v <= max)) {
                throw new IllegalArgumentException();
            }
            return v;
        });
    }

    /**
     * A boolean option.
     *
     * @param key          the key
     * @param defaultValue the default
     * @param description  what the option does
     * @return the option
     */
    public static Option<Boolean> ofBoolean(String key, boolean defaultValue, String description) {
        return new Option<>(key, defaultValue, false, description, "true or false", raw -> {
            if (raw instanceof Boolean b) {
                return b;
            }
            if (raw instanceof String s) {
                String t = s.trim().toLowerCase(Locale.ROOT);
                if (t.equals("true")) {
                    return true;
                }
                if (t.equals("false")) {
                    return false;
                }
            }
            throw new IllegalArgumentException();
        });
    }

    /**
     * A duration option.
     *
     * @param key          the key
     * @param defaultValue the default, within {@code [min, max]}
     * @param min          the shortest allowed value
     * @param max          the longest allowed value
     * @param description  what the option does
     * @return the option
     */
    public static Option<Duration> ofDuration(String key, Duration defaultValue, Duration min, Duration max,
                                              String description) {
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        checkDefault(key, defaultValue.compareTo(min) >= 0 && defaultValue.compareTo(max) <= 0, defaultValue);
        String allowed = "a duration from " + format(min) + " to " + format(max) + ", like 500ms, 30s, 5m or PT30S";
        return new Option<>(key, defaultValue, false, description, allowed, raw -> {
            Duration d;
            if (raw instanceof Duration given) {
                d = given;
            } else if (raw instanceof String s) {
                d = parseDuration(s.trim());
            } else {
                throw new IllegalArgumentException();
            }
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException();
            }
            return d;
        });
    }

    /**
     * An option whose value is one constant of an enum; strings match constant names ignoring case, with
     * {@code -} read as {@code _}.
     *
     * @param key          the key
     * @param type         the enum class
     * @param defaultValue the default
     * @param description  what the option does
     * @param <E>          the enum type
     * @return the option
     */
    public static <E extends Enum<E>> Option<E> ofEnum(String key, Class<E> type, E defaultValue, String description) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
        String names = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        return new Option<>(key, defaultValue, false, description, "one of " + names, raw -> {
            if (type.isInstance(raw)) {
                return type.cast(raw);
            }
            if (raw instanceof String s) {
                String t = s.trim().replace('-', '_');
                for (E e : type.getEnumConstants()) {
                    if (e.name().equalsIgnoreCase(t)) {
                        return e;
                    }
                }
            }
            throw new IllegalArgumentException();
        });
    }

    /**
     * A list of strings; a string value is split at commas and each item trimmed. Items must not be empty.
     *
     * @param key         the key
     * @param description what the option does
     * @return the option, empty by default
     */
    public static Option<List<String>> ofList(String key, String description) {
        return new Option<>(key, List.of(), false, description, "a comma-separated list of non-empty items", raw -> {
            List<String> items = new ArrayList<>();
            if (raw instanceof String s) {
                if (s.isBlank()) {
                    return List.of();
                }
                for (String item : s.split(",", -1)) {
                    items.add(item.trim());
                }
            } else if (raw instanceof List<?> list) {
                for (Object o : list) {
                    if (!(o instanceof String item)) {
                        throw new IllegalArgumentException();
                    }
                    items.add(item.trim());
                }
            } else {
                throw new IllegalArgumentException();
            }
            if (items.stream().anyMatch(String::isEmpty)) {
                throw new IllegalArgumentException();
            }
            return List.copyOf(items);
        });
    }

    /**
     * An option of any type, converted by the provider's own function; for values the other factories cannot
     * express, such as a list of IP addresses.
     *
     * @param key          the key
     * @param defaultValue the default
     * @param description  what the option does
     * @param allowed      the allowed values in words, completing "use ..." in error messages
     * @param converter    turns a user's value (a string, or a value of the type) into a valid typed value, or throws
     *                     {@link IllegalArgumentException} (its message, if any, is appended to the error)
     * @param <T>          the value type
     * @return the option
     */
    public static <T> Option<T> ofCustom(String key, T defaultValue, String description, String allowed,
                                         Function<Object, T> converter) {
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(allowed, "allowed");
        Objects.requireNonNull(converter, "converter");
        return new Option<>(key, defaultValue, false, description, allowed, converter);
    }

    /**
     * The same option, but one the user must give: building a client without it fails.
     *
     * @return a required copy of this option
     */
    public Option<T> required() {
        return new Option<>(key, defaultValue, true, description, allowed, converter);
    }

    /**
     * The key, in {@code lower_snake_case}.
     *
     * @return the key
     */
    public String key() {
        return key;
    }

    /**
     * The default value; empty for a {@linkplain #required() required} option.
     *
     * @return the default
     */
    public Optional<T> defaultValue() {
        return required ? Optional.empty() : Optional.of(defaultValue);
    }

    /**
     * Whether the user must give a value.
     *
     * @return {@code true} for a required option
     */
    public boolean isRequired() {
        return required;
    }

    /**
     * What the option does.
     *
     * @return the description
     */
    public String description() {
        return description;
    }

    /**
     * The allowed values, in words, for error messages and documentation.
     *
     * @return for example {@code "an integer from 1 to 100"}
     */
    public String allowed() {
        return allowed;
    }

    /**
     * Converts and validates a user's value: a value of the option's type or its string form.
     *
     * @param qualifiedKey the key as the user wrote it, for the error message (for example
     *                     {@code fairway.health.interval})
     * @param raw          the value
     * @return the typed value
     * @throws IllegalArgumentException naming the key, the value and what is allowed
     */
    public T convert(String qualifiedKey, Object raw) {
        Objects.requireNonNull(qualifiedKey, "qualifiedKey");
        Objects.requireNonNull(raw, qualifiedKey);
        if (raw instanceof String text && text.length() > MAX_TEXT) {
            throw new IllegalArgumentException(qualifiedKey + " = " + echo(raw) + " is not allowed: a value of more than "
                    + MAX_TEXT + " characters; use " + allowed);
        }
        T value;
        try {
            value = converter.apply(raw);
        } catch (RuntimeException e) {
            // Total: whatever a converter throws on a bad value (its own IllegalArgumentException, a parse or
            // arithmetic error, or a provider's converter failing some other way) is this one error.
            String detail = e.getMessage() == null || e instanceof NumberFormatException || !(e instanceof IllegalArgumentException
                    || e instanceof ArithmeticException || e instanceof DateTimeParseException) ? "" : " (" + e.getMessage() + ")";
            // A converter's bare IllegalArgumentException (no message: "not this") says nothing the message does not:
            // no cause then, rather than a meaningless "IllegalArgumentException: null" under the named error.
            boolean bare = e.getClass() == IllegalArgumentException.class && e.getMessage() == null && e.getCause() == null;
            throw new IllegalArgumentException(qualifiedKey + " = " + echo(raw) + " is not allowed: use " + allowed + detail,
                    bare ? null : e);
        }
        if (value == null) {
            throw new IllegalArgumentException(qualifiedKey + " = " + echo(raw) + " is not allowed: use " + allowed);
        }
        return value;
    }

    /** The value as an error message shows it: quoted, and cut after {@value #MAX_ECHO} characters. */
    private static String echo(Object raw) {
        String text = String.valueOf(raw);
        if (text.length() <= MAX_ECHO) {
            return "'" + text + "'";
        }
        return "'" + text.substring(0, MAX_ECHO) + "…' (" + text.length() + " characters)";
    }

    @Override
    public String toString() {
        return key + (required ? " (required)" : " (default " + (defaultValue instanceof Duration d ? format(d) : defaultValue) + ")");
    }

    private static Duration parseDuration(String s) {
        if (s.length() > 1 && (s.charAt(0) == 'P' || s.charAt(0) == 'p')) {
            return Duration.parse(s);
        }
        Matcher m = DURATION.matcher(s.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException();
        }
        double n = Double.parseDouble(m.group(1));
        long unitNanos = switch (m.group(2)) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
        };
        double nanos = n * unitNanos;
        if (nanos > Long.MAX_VALUE) {
            throw new IllegalArgumentException();
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    private static String format(Duration d) {
        if (d.toNanosPart() == 0 && d.toMillisPart() == 0 && d.getSeconds() % 3600 == 0 && d.getSeconds() > 0) {
            return d.toHours() + "h";
        }
        if (d.getNano() == 0) {
            return d.getSeconds() % 60 == 0 && d.getSeconds() > 0 ? d.toMinutes() + "m" : d.getSeconds() + "s";
        }
        if (d.getNano() % 1_000_000 == 0 && d.getSeconds() < 1000) {
            return d.toMillis() + "ms";
        }
        return d.toString();
    }

    private static void checkDefault(String key, boolean ok, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("default " + value + " of option " + key + " is outside its own range");
        }
    }
}
