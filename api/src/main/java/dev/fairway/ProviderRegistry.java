package dev.fairway;

import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.LifetimePolicyProvider;
import dev.fairway.spi.Option;
import dev.fairway.spi.PickerProvider;
import dev.fairway.spi.Provider;
import dev.fairway.spi.ResolverProvider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The providers of one family that this JVM offers, found with {@link ServiceLoader} and selectable by name.
 *
 * <p>There is one default registry per family ({@link #resolvers()}, {@link #pickers()}, {@link #healthChecks()},
 * {@link #lifetimePolicies()}), loaded on first use from the class loader of this class (which sees the module
 * path and the class path). {@link FairwayClient.Builder} selects from them.
 *
 * <p><b>Selection.</b> Among providers of one name, the highest {@linkplain Provider#priority() priority} wins. On
 * a tie, a provider {@linkplain #register registered} in code beats one found by {@code ServiceLoader} (a later
 * registration beats an earlier one), and among found ones the class name that sorts first wins, so the choice
 * does not depend on class-path order.
 *
 * <p><b>Failures.</b> A provider whose class does not load, whose constructor throws, whose
 * {@link Provider#isAvailable()} is {@code false}, or whose name, priority or options are invalid is skipped,
 * logged at {@code WARNING} through {@link System.Logger} and listed by {@link #failures()}; the others stay
 * usable.
 *
 * {@snippet :
 * ProviderRegistry.pickers().register(new MyPickerProvider());   // selectable as picker("my_picker")
 * ProviderRegistry.pickers().failures().forEach(System.err::println);
 * }
 *
 * <p>Thread-safe.
 *
 * @param <P> the provider family
 */
public final class ProviderRegistry<P extends Provider<?, ?>> {

    private static final System.Logger LOG = System.getLogger(ProviderRegistry.class.getName());
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Map<Class<?>, String> FAMILIES = Map.of(
            ResolverProvider.class, "resolver",
            PickerProvider.class, "picker",
            HealthCheckProvider.class, "health",
            LifetimePolicyProvider.class, "lifetime");

    private final Class<P> type;
    private final String family;
    private final List<P> discovered;
    private final List<ProviderFailure> failures;
    private final List<P> registered = new ArrayList<>();

    private ProviderRegistry(Class<P> type, ClassLoader loader) {
        this.type = type;
        this.family = FAMILIES.get(type);
        List<P> found = new ArrayList<>();
        List<ProviderFailure> failed = new ArrayList<>();
        ServiceLoader<P> serviceLoader = ServiceLoader.load(type, loader);
        Iterator<P> iterator = serviceLoader.iterator();
        // A broken provider throws ServiceConfigurationError from hasNext() or next(); the iterator then moves on
        // to the next one. The bound guards against a loader that keeps failing on the same entry.
        for (int attempts = 0; attempts < 10_000; attempts++) {
            P provider;
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                provider = iterator.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                failed.add(report(new ProviderFailure(family, describe(e), "could not be loaded or instantiated", Optional.of(e))));
                continue;
            }
            Optional<String> problem = check(provider);
            if (problem.isPresent()) {
                failed.add(report(new ProviderFailure(family, provider.getClass().getName(), problem.get(), Optional.empty())));
            } else {
                found.add(provider);
                LOG.log(System.Logger.Level.DEBUG, () -> "found " + family + " provider '" + provider.name() + "' ("
                        + provider.getClass().getName() + ", priority " + provider.priority() + ", "
                        + moduleOf(provider) + ")");
            }
        }
        found.sort(Comparator.comparing(p -> p.getClass().getName()));
        this.discovered = List.copyOf(found);
        this.failures = List.copyOf(failed);
    }

    /**
     * The default registry of resolver providers.
     *
     * @return the registry
     */
    public static ProviderRegistry<ResolverProvider> resolvers() {
        return Defaults.RESOLVERS;
    }

    /**
     * The default registry of picker providers.
     *
     * @return the registry
     */
    public static ProviderRegistry<PickerProvider> pickers() {
        return Defaults.PICKERS;
    }

    /**
     * The default registry of health-check providers.
     *
     * @return the registry
     */
    public static ProviderRegistry<HealthCheckProvider> healthChecks() {
        return Defaults.HEALTH_CHECKS;
    }

    /**
     * The default registry of lifetime-policy providers.
     *
     * @return the registry
     */
    public static ProviderRegistry<LifetimePolicyProvider> lifetimePolicies() {
        return Defaults.LIFETIME_POLICIES;
    }

    /**
     * A new registry of one family, loaded from {@code loader}; for applications with their own class loaders
     * or module layers, and for tests. It shares nothing with the default registries.
     *
     * @param type   one of {@link ResolverProvider}, {@link PickerProvider}, {@link HealthCheckProvider} or
     *               {@link LifetimePolicyProvider}
     * @param loader where to look for providers
     * @param <P>    the family
     * @return the registry
     * @throws IllegalArgumentException if {@code type} is not a provider family
     */
    public static <P extends Provider<?, ?>> ProviderRegistry<P> load(Class<P> type, ClassLoader loader) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(loader, "loader");
        if (!FAMILIES.containsKey(type)) {
            throw new IllegalArgumentException(type.getName() + " is not a provider family: use one of " + FAMILIES.keySet().stream()
                    .map(Class::getSimpleName).sorted().toList());
        }
        return new ProviderRegistry<>(type, loader);
    }

    /**
     * The family's name as used in {@code fairway.*} keys: {@code resolver}, {@code picker}, {@code health} or
     * {@code lifetime}.
     *
     * @return the family
     */
    public String family() {
        return family;
    }

    /**
     * Adds a provider instance; it is selectable by its name from now on, under the selection rules above.
     *
     * @param provider the provider
     * @throws IllegalArgumentException if its name, priority or options are invalid, or it is unavailable
     */
    public void register(P provider) {
        Objects.requireNonNull(provider, "provider");
        type.cast(provider);
        Optional<String> problem = check(provider);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(family + " provider " + provider.getClass().getName() + " cannot be registered: " + problem.get());
        }
        synchronized (registered) {
            registered.add(provider);
        }
    }

    /**
     * Removes a provider instance added with {@link #register}.
     *
     * @param provider the provider
     * @return {@code true} if it was registered
     */
    public boolean deregister(P provider) {
        Objects.requireNonNull(provider, "provider");
        synchronized (registered) {
            return registered.removeIf(p -> p == provider);
        }
    }

    /**
     * The provider selected for {@code name}, if any.
     *
     * @param name the provider name
     * @return the winning provider
     */
    public Optional<P> find(String name) {
        Objects.requireNonNull(name, "name");
        P best = null;
        int bestRank = -1;
        List<P> candidates = candidates();
        for (int i = 0; i < candidates.size(); i++) {
            P p = candidates.get(i);
            if (!p.name().equals(name)) {
                continue;
            }
            // Candidates are listed discovered first (by class name), then registered in order; rank by priority,
            // then by position, with discovered ones ranked in reverse so that the first class name wins.
            int position = i < discovered.size() ? discovered.size() - 1 - i : i;
            int rank = p.priority() * 100_000 + position;
            if (rank > bestRank) {
                best = p;
                bestRank = rank;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The provider selected for {@code name}.
     *
     * @param name the provider name
     * @return the winning provider
     * @throws IllegalArgumentException if no usable provider has that name; the message lists the names that are
     *                                  available and any providers that failed to load
     */
    public P get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(unknown(name)));
    }

    /**
     * The names of the usable providers.
     *
     * @return the names, sorted
     */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (P p : candidates()) {
            names.add(p.name());
        }
        return names;
    }

    /**
     * Every usable provider, including those that lose to a higher-priority provider of the same name.
     *
     * @return the providers, found ones first (by class name), then registered ones
     */
    public List<P> providers() {
        return candidates();
    }

    /**
     * The providers that were found but could not be used, with the reason.
     *
     * @return the failures, in the order found
     */
    public List<ProviderFailure> failures() {
        return failures;
    }

    @Override
    public String toString() {
        Map<String, String> winners = new TreeMap<>();
        for (String name : names()) {
            winners.put(name, get(name).getClass().getName());
        }
        return "ProviderRegistry[" + family + ": " + winners + (failures.isEmpty() ? "" : ", failures " + failures) + "]";
    }

    /**
     * The artifact that provides each name Fairway's own modules provide, per family: what a missing provider's
     * message points at. The built-in names ({@code static}, {@code max_age}, {@code never}) are always available.
     */
    private static final Map<String, Map<String, String>> ARTIFACTS = Map.of(
            "resolver", Map.of("dns", "fairway-resolver-dns", "dns_srv", "fairway-resolver-dns",
                    "kubernetes", "fairway-resolver-kubernetes"),
            "picker", Map.of("least_loaded", "fairway-balancer-leastconn", "least_conn", "fairway-balancer-leastconn",
                    "peak_ewma", "fairway-balancer-leastconn", "round_robin", "fairway-balancer-roundrobin",
                    "weighted_round_robin", "fairway-balancer-roundrobin", "random", "fairway-balancer-roundrobin"),
            "health", Map.of("http", "fairway-health", "grpc_health", "fairway-health", "tcp", "fairway-health"));

    String unknown(String name) {
        StringBuilder message = new StringBuilder()
                .append(family).append(" '").append(name).append("' is not available; available: ");
        Set<String> names = names();
        message.append(names.isEmpty() ? "none" : String.join(", ", names));
        Map<String, String> artifacts = ARTIFACTS.getOrDefault(family, Map.of());
        String artifact = artifacts.get(name);
        if (artifact != null) {
            message.append(" ('").append(name).append("' is provided by ").append(artifact)
                    .append(": add it to the module path or class path)");
        } else {
            Set<String> known = new TreeSet<>(names);
            known.addAll(artifacts.keySet());
            String nearest = nearest(name, known);
            if (nearest != null) {
                message.append("; did you mean '").append(nearest).append("'")
                        .append(names.contains(nearest) || !artifacts.containsKey(nearest) ? ""
                                : " (provided by " + artifacts.get(nearest) + ", not on the path)")
                        .append("?");
            }
        }
        if (!failures.isEmpty()) {
            message.append("; providers that failed to load: ").append(failures);
        }
        return message.toString();
    }

    /** Names people write for a provider that has another name. */
    private static final Map<String, String> ALIASES = Map.of("k8s", "kubernetes", "srv", "dns_srv",
            "roundrobin", "round_robin", "rr", "round_robin", "leastconn", "least_conn", "ewma", "peak_ewma",
            "grpc", "grpc_health");

    /**
     * The known name {@code name} most likely meant: an alias, a known name it begins, or the closest by edit
     * distance when that is close (1 edit up to 4 characters, 2 up to 8, a third of the name beyond); else
     * {@code null}.
     */
    static String nearest(String name, Set<String> known) {
        if (name.length() > 64) {
            return null;
        }
        String lower = name.toLowerCase(Locale.ROOT).replace('-', '_');
        String alias = ALIASES.get(lower);
        if (alias != null && known.contains(alias)) {
            return alias;
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            if (lower.length() >= 3 && candidate.startsWith(lower) && !candidate.equals(lower)) {
                return candidate;
            }
            int d = distance(lower, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int allowed = lower.length() <= 4 ? 1 : lower.length() <= 8 ? 2 : lower.length() / 3;
        return best != null && bestDistance <= allowed ? best : null;
    }

    /** Levenshtein distance; both texts are short (provider names, at most 64 characters compared). */
    private static int distance(String a, String b) {
        if (a.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    private List<P> candidates() {
        List<P> all = new ArrayList<>(discovered);
        synchronized (registered) {
            all.addAll(registered);
        }
        return all;
    }

    /**
     * Checks a provider given as an instance to the builder as a registered one is checked.
     *
     * @throws IllegalArgumentException naming the family, the provider's class and what is wrong
     */
    static void checkInstance(String family, Provider<?, ?> provider) {
        check(provider).ifPresent(problem -> {
            throw new IllegalArgumentException(family + " provider " + provider.getClass().getName() + " cannot be used: " + problem);
        });
    }

    private static Optional<String> check(Provider<?, ?> provider) {
        try {
            String name = provider.name();
            if (name == null || !NAME.matcher(name).matches()) {
                return Optional.of("name '" + name + "' is not allowed: use lower_snake_case like round_robin");
            }
            int priority = provider.priority();
            if (priority < 0 || priority > Provider.MAX_PRIORITY) {
                return Optional.of("priority " + priority + " of '" + name + "' is out of range: use 0 to " + Provider.MAX_PRIORITY);
            }
            List<Option<?>> options = provider.options();
            if (options == null) {
                return Optional.of("options() of '" + name + "' returned null");
            }
            Set<String> keys = new HashSet<>();
            for (Option<?> option : options) {
                if (option == null || !keys.add(option.key())) {
                    return Optional.of("options() of '" + name + "' has a null or duplicate option");
                }
            }
            if (!provider.isAvailable()) {
                return Optional.of("'" + name + "' reports itself unavailable (isAvailable() is false)");
            }
            return Optional.empty();
        } catch (RuntimeException | LinkageError e) {
            return Optional.of("threw " + e + " while being checked");
        }
    }

    private static ProviderFailure report(ProviderFailure failure) {
        LOG.log(System.Logger.Level.WARNING, "skipping " + failure, failure.cause().orElse(null));
        return failure;
    }

    private static String describe(Throwable e) {
        String message = String.valueOf(e.getMessage());
        // ServiceConfigurationError messages read "<service>: Provider <class> could not be instantiated" or similar.
        int at = message.indexOf("Provider ");
        if (at >= 0) {
            String rest = message.substring(at + "Provider ".length());
            int end = rest.indexOf(' ');
            return end > 0 ? rest.substring(0, end) : rest;
        }
        return message;
    }

    private static String moduleOf(Object provider) {
        Module module = provider.getClass().getModule();
        return module.isNamed() ? "module " + module.getName() : "class path";
    }

    private static final class Defaults {
        private static final ClassLoader LOADER = ProviderRegistry.class.getClassLoader();
        static final ProviderRegistry<ResolverProvider> RESOLVERS = new ProviderRegistry<>(ResolverProvider.class, LOADER);
        static final ProviderRegistry<PickerProvider> PICKERS = new ProviderRegistry<>(PickerProvider.class, LOADER);
        static final ProviderRegistry<HealthCheckProvider> HEALTH_CHECKS = new ProviderRegistry<>(HealthCheckProvider.class, LOADER);
        static final ProviderRegistry<LifetimePolicyProvider> LIFETIME_POLICIES = new ProviderRegistry<>(LifetimePolicyProvider.class, LOADER);
    }
}
