package dev.fairway.internal;

import dev.fairway.AddressClass;
import dev.fairway.FairwayClient;
import dev.fairway.spi.Option;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The client's own configuration keys, {@code fairway.<key>}, one definition each: its {@link Option} (key, default,
 * limits, description) is the only place the key's default and limits live. {@code FairwayClient.Builder}'s setters
 * and its {@code configure(Properties)} both check values through it, so a bad value fails the same way from code and
 * from configuration, in one format:
 *
 * <pre>{@code
 * connectTimeout (fairway.connect_timeout) = 'PT-1S' is not allowed: use a duration from 1ms to 24h, like 500ms, 30s, 5m or PT30S
 * fairway.connect_timeout = '-1s' is not allowed: use a duration from 1ms to 24h, like 500ms, 30s, 5m or PT30S
 * }</pre>
 *
 * <p>The first is a setter's message (it names the method and the key), the second a property's.
 */
public final class ClientKeys {

    /**
     * One client key.
     *
     * @param option the key, default, limits and description
     * @param method the {@code FairwayClient.Builder} method that sets it, named in the setter's error messages
     * @param setter calls that method, for values that come from configuration
     * @param <T>    the value type
     */
    public record Key<T>(Option<T> option, String method, BiConsumer<FairwayClient.Builder, T> setter) {

        /**
         * The property name.
         *
         * @return {@code fairway.} and the key, e.g. {@code fairway.connect_timeout}
         */
        public String property() {
            return "fairway." + option.key();
        }

        /**
         * Checks a value given in code, to a setter.
         *
         * @param value the value
         * @return the value, checked
         * @throws IllegalArgumentException naming the method, the key, the value and what is allowed
         */
        public T check(T value) {
            return option.convert(method + " (" + property() + ")", value);
        }

        /**
         * Checks a value given in configuration and passes it to the setter.
         *
         * @param builder the builder to configure
         * @param value   the property's text
         * @throws IllegalArgumentException naming the key, the value and what is allowed
         */
        public void configure(FairwayClient.Builder builder, String value) {
            setter.accept(builder, option.convert(property(), value));
        }

        /**
         * The default.
         *
         * @return the option's default
         */
        public T defaultValue() {
            return option.defaultValue().orElseThrow();
        }
    }

    /** {@code fairway.connect_timeout}. */
    public static final Key<Duration> CONNECT_TIMEOUT = new Key<>(Option.ofDuration("connect_timeout",
            Duration.ofSeconds(2), Duration.ofMillis(1), Duration.ofDays(1),
            "how long a leaf waits for a TCP (and TLS) connection to a backend"),
            "connectTimeout", FairwayClient.Builder::connectTimeout);

    /** {@code fairway.version}. */
    public static final Key<HttpClient.Version> VERSION = new Key<>(Option.ofEnum("version",
            HttpClient.Version.class, HttpClient.Version.HTTP_2, "the preferred HTTP version"),
            "version", FairwayClient.Builder::version);

    /** {@code fairway.follow_redirects}. */
    public static final Key<HttpClient.Redirect> FOLLOW_REDIRECTS = new Key<>(Option.ofEnum("follow_redirects",
            HttpClient.Redirect.class, HttpClient.Redirect.NEVER, "the redirect policy, applied by the client"),
            "followRedirects", FairwayClient.Builder::followRedirects);

    /** {@code fairway.resolve_timeout}. */
    public static final Key<Duration> RESOLVE_TIMEOUT = new Key<>(Option.ofDuration("resolve_timeout",
            Duration.ofSeconds(10), Duration.ofMillis(1), Duration.ofHours(1),
            "the longest a request without a timeout of its own waits for its target's first resolution"),
            "resolveTimeout", FairwayClient.Builder::resolveTimeout);

    /** {@code fairway.max_concurrency}. */
    public static final Key<Integer> MAX_CONCURRENCY = new Key<>(Option.ofInt("max_concurrency",
            100, 1, 100_000, "the most requests in flight per backend; more wait for a place"),
            "maxConcurrencyPerBackend", FairwayClient.Builder::maxConcurrencyPerBackend);

    /** {@code fairway.max_queued}. */
    public static final Key<Integer> MAX_QUEUED = new Key<>(Option.ofInt("max_queued",
            1_000, 0, 1_000_000, "the most requests waiting per backend for a place under max_concurrency; more fail at once"),
            "maxQueuedPerBackend", FairwayClient.Builder::maxQueuedPerBackend);

    /** {@code fairway.queue_timeout}. */
    public static final Key<Duration> QUEUE_TIMEOUT = new Key<>(Option.ofDuration("queue_timeout",
            Duration.ofSeconds(10), Duration.ofMillis(1), Duration.ofHours(1),
            "the longest a request without a timeout of its own waits for a place on a saturated backend"),
            "queueTimeout", FairwayClient.Builder::queueTimeout);

    /** {@code fairway.idle_timeout}. */
    public static final Key<Duration> IDLE_TIMEOUT = new Key<>(Option.ofDuration("idle_timeout",
            Duration.ofMinutes(15), Duration.ofMillis(1), Duration.ofDays(30),
            "how long a target may go unused before its resolver, health checks and connections are released"),
            "idleTimeout", FairwayClient.Builder::idleTimeout);

    /** {@code fairway.panic_threshold}. */
    public static final Key<Double> PANIC_THRESHOLD = new Key<>(Option.ofDouble("panic_threshold",
            0.5, 0, 1, "below this fraction of usable backends, requests are balanced over all of them; 0 turns it off"),
            "panicThreshold", FairwayClient.Builder::panicThreshold);

    /** {@code fairway.subset_size}. */
    public static final Key<Integer> SUBSET_SIZE = new Key<>(Option.ofInt("subset_size",
            0, 0, 100_000, "the usable backends each target keeps, chosen by rendezvous hashing; 0 keeps all"),
            "subsetSize", FairwayClient.Builder::subsetSize);

    /**
     * {@code fairway.subset_key}. Its option's default, the empty text, stands for "not given": the builder then draws
     * a random key per client; the empty text itself is not allowed as a value.
     */
    public static final Key<String> SUBSET_KEY = new Key<>(Option.ofCustom("subset_key", "",
            "the key that decides which backends this client's subsets hold; random per client when not given",
            "any non-empty text", raw -> {
                if (raw instanceof String s && !s.isEmpty()) {
                    return s;
                }
                throw new IllegalArgumentException();
            }),
            "subsetKey", FairwayClient.Builder::subsetKey);

    /**
     * {@code fairway.zone}. Its option's default, the empty text, stands for "not given": the builder then reads the
     * environment variable {@value Locality#ZONE_ENV}; the empty text itself is not allowed as a value.
     */
    public static final Key<String> ZONE = new Key<>(Option.ofCustom("zone", "",
            "this client's zone, for zone-aware routing; when not given, the environment variable " + Locality.ZONE_ENV,
            "a name of 1 to " + Locality.MAX_NAME + " characters without spaces, commas or '='", Locality::name),
            "zone", FairwayClient.Builder::zone);

    /** {@code fairway.subset_index}; -1, the default, stands for "not given". */
    public static final Key<Integer> SUBSET_INDEX = new Key<>(Option.ofInt("subset_index", -1, -1, 1_000_000,
            "this client's index among the target's clients (0, 1, 2, ...), which makes subsets exactly even; -1: not given, rendezvous subsets"),
            "subsetIndex", FairwayClient.Builder::subsetIndex);

    /** {@code fairway.subset_clients}; 0, the default, stands for "not given". */
    public static final Key<Integer> SUBSET_CLIENTS = new Key<>(Option.ofInt("subset_clients", 0, 0, 1_000_000,
            "the number of the target's clients, with subset_index (a StatefulSet's replicas); 0: not given"),
            "subsetClients", FairwayClient.Builder::subsetClients);

    /** {@code fairway.max_targets}. */
    public static final Key<Integer> MAX_TARGETS = new Key<>(Option.ofInt("max_targets",
            256, 1, 100_000, "the most targets (host and port pairs) a client keeps; beyond it the least recently used is released"),
            "maxTargets", FairwayClient.Builder::maxTargets);

    /** {@code fairway.refuse_addresses}. */
    public static final Key<Set<AddressClass>> REFUSE_ADDRESSES = new Key<>(Option.ofCustom("refuse_addresses",
            Set.copyOf(EnumSet.allOf(AddressClass.class)),
            "the kinds of address never dialed, whatever the resolver answers",
            "none, or a comma-separated list of unspecified, multicast, broadcast, link_local", ClientKeys::addressClasses),
            "refuseAddresses", FairwayClient.Builder::refuseAddresses);

    /** {@code fairway.jmx}. */
    public static final Key<Boolean> JMX = new Key<>(Option.ofBoolean("jmx", true,
            "whether the client registers its MXBean when java.management is present"),
            "jmx", FairwayClient.Builder::jmx);

    /** Every client key, in the order of the builder's documentation. */
    public static final List<Key<?>> ALL = List.of(CONNECT_TIMEOUT, VERSION, FOLLOW_REDIRECTS, RESOLVE_TIMEOUT,
            MAX_CONCURRENCY, MAX_QUEUED, QUEUE_TIMEOUT, IDLE_TIMEOUT, MAX_TARGETS, PANIC_THRESHOLD, SUBSET_SIZE, SUBSET_KEY,
            SUBSET_INDEX, SUBSET_CLIENTS, ZONE, REFUSE_ADDRESSES, JMX);

    private static final Map<String, Key<?>> BY_KEY = ALL.stream()
            .collect(Collectors.toUnmodifiableMap(k -> k.option().key(), Function.identity()));

    /**
     * The client key with this name.
     *
     * @param key the key without the {@code fairway.} prefix, e.g. {@code connect_timeout}
     * @return the key, or empty if it is not a client key
     */
    public static Optional<Key<?>> find(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    private static Set<AddressClass> addressClasses(Object raw) {
        if (raw instanceof String text) {
            if (text.trim().equals("none")) {
                return Set.of();
            }
            Set<AddressClass> classes = EnumSet.noneOf(AddressClass.class);
            for (String item : text.split(",", -1)) {
                String name = item.trim();
                classes.add(Arrays.stream(AddressClass.values()).filter(c -> c.key().equals(name)).findFirst()
                        .orElseThrow(IllegalArgumentException::new));
            }
            return Set.copyOf(classes);
        }
        if (raw instanceof Set<?> set) {
            Set<AddressClass> classes = EnumSet.noneOf(AddressClass.class);
            for (Object o : set) {
                if (!(o instanceof AddressClass c)) {
                    throw new IllegalArgumentException();
                }
                classes.add(c);
            }
            return Set.copyOf(classes);
        }
        throw new IllegalArgumentException();
    }

    private ClientKeys() {
    }
}
