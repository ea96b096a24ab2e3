package dev.fairway.internal;

import dev.fairway.AddressClass;
import dev.fairway.FairwayListener;
import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.LifetimePolicyProvider;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.PickerProvider;
import dev.fairway.spi.Provider;
import dev.fairway.spi.ResolverProvider;
import dev.fairway.spi.Scheduler;
import dev.fairway.spi.Target;
import dev.fairway.spi.Ticker;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The validated configuration of one client, as {@code FairwayClient.Builder.build()} produced it. Built by name
 * through {@link #builder()}, never by position: several components share a type ({@code queueTimeout} and
 * {@code idleTimeout}, {@code maxConcurrency} and {@code subsetSize}, {@code seed} and {@code subsetKey}), and a swap
 * between them would compile.
 *
 * @param connectTimeout  the leaves' connect timeout
 * @param version         the preferred HTTP version
 * @param sslContext      the user's TLS context
 * @param sslParameters   the user's TLS parameters
 * @param executor        the user's executor
 * @param redirect        the redirect policy, applied by the facade
 * @param cookieHandler   the cookie handler, applied by the facade
 * @param resolveTimeout  the longest wait for a first resolution
 * @param resolver        the resolver provider and its options
 * @param picker          the picker provider and its options
 * @param health          the health-check provider and its options, if any
 * @param lifetime        the lifetime-policy provider and its options
 * @param listeners       the event listeners
 * @param ticker          an injected time source
 * @param scheduler       an injected scheduler
 * @param seed            the client's random seed
 * @param priority        the HTTP/2 priority for the leaves, or -1 for the JDK's default
 * @param authenticator   the leaves' authenticator
 * @param localAddress    the leaves' local address
 * @param leafFactory     builds a leaf from its configured builder ({@code HttpClient.Builder::build} but in benchmarks)
 * @param maxConcurrency  the most requests in flight per backend; more queue
 * @param maxQueued       the most requests queued per backend; more fail at once
 * @param maxTargets      the most targets kept; beyond it the least recently used is released
 * @param refusedAddresses the kinds of address never dialed
 * @param queueTimeout    the longest a request queues for a backend when it has no timeout of its own
 * @param idleTimeout     how long an unused target keeps its resolver, checks and leaves
 * @param panicThreshold  below this fraction of usable backends, all backends are used; 0 turns panic mode off
 * @param outliers        passive outlier detection settings
 * @param resilience      retries, hedging and throttling, for targets without per-target settings of their own
 * @param locality        zone-aware routing settings
 * @param subsetSize      backends each target keeps (rendezvous hashing); 0 for all
 * @param subsetKey       this client's subsetting key, hashed
 * @param subsetIndex     this client's index among its peers, for deterministic subsetting; -1 when not given
 * @param subsetClients   the number of those peers; 0 when not given
 * @param jmx             whether to register the client's MXBean when {@code java.management} is present
 * @param targets         per-target providers and options, which override the client's for the targets they match
 */
public record ClientConfig(Optional<Duration> connectTimeout, HttpClient.Version version,
                           Optional<SSLContext> sslContext, Optional<SSLParameters> sslParameters,
                           Optional<Executor> executor, HttpClient.Redirect redirect,
                           Optional<CookieHandler> cookieHandler, Duration resolveTimeout,
                           Selected<ResolverProvider> resolver, Selected<PickerProvider> picker,
                           Optional<Selected<HealthCheckProvider>> health, Selected<LifetimePolicyProvider> lifetime,
                           List<FairwayListener> listeners, Optional<Ticker> ticker, Optional<Scheduler> scheduler,
                           long seed, int priority, Optional<Authenticator> authenticator,
                           Optional<InetAddress> localAddress,
                           Function<HttpClient.Builder, HttpClient> leafFactory,
                           int maxConcurrency, int maxQueued, Duration queueTimeout, Duration idleTimeout,
                           int maxTargets, Set<AddressClass> refusedAddresses,
                           double panicThreshold, OutlierDetection outliers, Resilience resilience, Locality locality, int subsetSize, long subsetKey, int subsetIndex, int subsetClients,
                           boolean jmx, List<TargetRule> targets) {

    /** Rejects nulls and copies the listeners, so that a configuration is complete and immutable. */
    public ClientConfig {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(sslContext, "sslContext");
        Objects.requireNonNull(sslParameters, "sslParameters");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(redirect, "redirect");
        Objects.requireNonNull(cookieHandler, "cookieHandler");
        Objects.requireNonNull(resolveTimeout, "resolveTimeout");
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(picker, "picker");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(lifetime, "lifetime");
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(localAddress, "localAddress");
        Objects.requireNonNull(leafFactory, "leafFactory");
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(outliers, "outliers");
        Objects.requireNonNull(resilience, "resilience");
        Objects.requireNonNull(locality, "locality");
        refusedAddresses = Set.copyOf(refusedAddresses);
        targets = List.copyOf(targets);
    }

    /**
     * The providers a target uses: those of the {@link TargetRule} that matches it best, else the client's.
     *
     * @param target the target
     * @return its settings
     */
    public TargetSettings settingsFor(Target target) {
        TargetRule best = null;
        int bestRank = 0;
        for (TargetRule rule : targets) {
            int rank = rule.rank(target);
            if (rank > bestRank) {
                best = rule;
                bestRank = rank;
            }
        }
        return best != null ? best.settings() : new TargetSettings(Optional.empty(), resolver, picker, health, lifetime, resilience);
    }

    /**
     * The providers one target uses.
     *
     * @param rule     the pattern of the per-target configuration that applies, if any
     * @param resolver the resolver and its options
     * @param picker   the picker and its options
     * @param health   the health check and its options, if any
     * @param lifetime   the lifetime policy and its options
     * @param resilience retries, hedging and throttling
     */
    public record TargetSettings(Optional<String> rule, Selected<ResolverProvider> resolver, Selected<PickerProvider> picker,
                                 Optional<Selected<HealthCheckProvider>> health, Selected<LifetimePolicyProvider> lifetime,
                                 Resilience resilience) {

        /** Checks for nulls. */
        public TargetSettings {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(resolver, "resolver");
            Objects.requireNonNull(picker, "picker");
            Objects.requireNonNull(health, "health");
            Objects.requireNonNull(lifetime, "lifetime");
            Objects.requireNonNull(resilience, "resilience");
        }

        /**
         * The provider names, by family, as the snapshot shows them.
         *
         * @return {@code resolver}, {@code picker}, {@code health} ({@code none} without one) and {@code lifetime}
         */
        public Map<String, String> names() {
            Map<String, String> names = new LinkedHashMap<>();
            names.put("resolver", resolver.provider().name());
            names.put("picker", picker.provider().name());
            names.put("health", health.map(h -> h.provider().name()).orElse("none"));
            names.put("lifetime", lifetime.provider().name());
            return names;
        }
    }

    /**
     * Per-target configuration: the targets a pattern matches use these settings instead of the client's.
     *
     * @param pattern  {@code host:port}, {@code host}, or {@code *.suffix} (any host ending in {@code .suffix})
     * @param settings the providers and options for the targets it matches
     */
    public record TargetRule(String pattern, TargetSettings settings) {

        /** Checks for nulls. */
        public TargetRule {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(settings, "settings");
        }

        /**
         * How well the pattern matches {@code target}: 0 not at all; an exact {@code host:port} beats a {@code host},
         * which beats any wildcard; a longer wildcard beats a shorter one.
         *
         * @param target the target
         * @return the rank, 0 for no match
         */
        int rank(Target target) {
            String host = target.host().toLowerCase(Locale.ROOT);
            if (pattern.equals(host + ":" + target.port())) {
                return 3_000_000;
            }
            if (pattern.equals(host)) {
                return 2_000_000;
            }
            if (pattern.startsWith("*.") && host.endsWith(pattern.substring(1))) {
                return pattern.length();
            }
            return 0;
        }
    }

    /**
     * A builder with nothing set: optional components start empty ({@code health}, {@code ticker},
     * {@code sslContext}, ...), {@code priority} starts at -1 and {@code listeners} empty; every other component must
     * be set, or {@link Builder#build()} fails naming it. Defaults are the caller's to choose.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link ClientConfig} one named component at a time. Not thread-safe. */
    public static final class Builder {
        private Duration connectTimeout;
        private HttpClient.Version version;
        private SSLContext sslContext;
        private SSLParameters sslParameters;
        private Executor executor;
        private HttpClient.Redirect redirect;
        private CookieHandler cookieHandler;
        private Duration resolveTimeout;
        private Selected<ResolverProvider> resolver;
        private Selected<PickerProvider> picker;
        private Selected<HealthCheckProvider> health;
        private Selected<LifetimePolicyProvider> lifetime;
        private List<FairwayListener> listeners = List.of();
        private Ticker ticker;
        private Scheduler scheduler;
        private Long seed;
        private int priority = -1;
        private Authenticator authenticator;
        private InetAddress localAddress;
        private Function<HttpClient.Builder, HttpClient> leafFactory;
        private Integer maxConcurrency;
        private Integer maxQueued;
        private Integer maxTargets;
        private Set<AddressClass> refusedAddresses;
        private Duration queueTimeout;
        private Duration idleTimeout;
        private Double panicThreshold;
        private OutlierDetection outliers;
        private Resilience resilience = Resilience.defaults();
        private Locality locality = Locality.off();
        private Integer subsetSize;
        private Long subsetKey;
        private List<TargetRule> targets = List.of();
        private int subsetIndex = -1;
        private int subsetClients;
        private Boolean jmx;

        private Builder() {
        }

        /** The leaves' connect timeout, or {@code null} for none. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** The preferred HTTP version. */
        public Builder version(HttpClient.Version version) {
            this.version = version;
            return this;
        }

        /** The user's TLS context, or {@code null} for the default. */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = sslContext;
            return this;
        }

        /** The user's TLS parameters, or {@code null} for the context's. */
        public Builder sslParameters(SSLParameters sslParameters) {
            this.sslParameters = sslParameters;
            return this;
        }

        /** The user's executor, or {@code null} for one owned by the client. */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /** The redirect policy. */
        public Builder redirect(HttpClient.Redirect redirect) {
            this.redirect = redirect;
            return this;
        }

        /** The cookie handler, or {@code null} for none. */
        public Builder cookieHandler(CookieHandler cookieHandler) {
            this.cookieHandler = cookieHandler;
            return this;
        }

        /** The longest wait for a first resolution. */
        public Builder resolveTimeout(Duration resolveTimeout) {
            this.resolveTimeout = resolveTimeout;
            return this;
        }

        /** The resolver provider and its options. */
        public Builder resolver(Selected<ResolverProvider> resolver) {
            this.resolver = resolver;
            return this;
        }

        /** The picker provider and its options. */
        public Builder picker(Selected<PickerProvider> picker) {
            this.picker = picker;
            return this;
        }

        /** The health-check provider and its options, or {@code null} for none. */
        public Builder health(Selected<HealthCheckProvider> health) {
            this.health = health;
            return this;
        }

        /** The lifetime-policy provider and its options. */
        public Builder lifetime(Selected<LifetimePolicyProvider> lifetime) {
            this.lifetime = lifetime;
            return this;
        }

        /** The event listeners; copied. */
        public Builder listeners(List<FairwayListener> listeners) {
            this.listeners = List.copyOf(listeners);
            return this;
        }

        /** An injected time source, or {@code null} for the system's. */
        public Builder ticker(Ticker ticker) {
            this.ticker = ticker;
            return this;
        }

        /** An injected scheduler, or {@code null} for one owned by the client. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** The client's random seed. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The HTTP/2 priority for the leaves, or -1 for the JDK's default. */
        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        /** The leaves' authenticator, or {@code null} for none. */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        /** The leaves' local address, or {@code null} for any. */
        public Builder localAddress(InetAddress localAddress) {
            this.localAddress = localAddress;
            return this;
        }

        /** Builds a leaf from its configured builder. */
        public Builder leafFactory(Function<HttpClient.Builder, HttpClient> leafFactory) {
            this.leafFactory = leafFactory;
            return this;
        }

        /** The most requests in flight per backend. */
        public Builder maxConcurrency(int maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
            return this;
        }

        /** The most requests queued per backend. */
        public Builder maxQueued(int maxQueued) {
            this.maxQueued = maxQueued;
            return this;
        }

        /** The most targets kept. */
        public Builder maxTargets(int maxTargets) {
            this.maxTargets = maxTargets;
            return this;
        }

        /** The kinds of address never dialed. */
        public Builder refusedAddresses(Set<AddressClass> refusedAddresses) {
            this.refusedAddresses = refusedAddresses;
            return this;
        }

        /** The longest a request queues for a backend. */
        public Builder queueTimeout(Duration queueTimeout) {
            this.queueTimeout = queueTimeout;
            return this;
        }

        /** How long an unused target keeps its resolver, checks and leaves. */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /** The panic threshold, 0 for off. */
        public Builder panicThreshold(double panicThreshold) {
            this.panicThreshold = panicThreshold;
            return this;
        }

        /** Retries, hedging and throttling; {@link Resilience#defaults()} unless set. */
        public Builder resilience(Resilience resilience) {
            this.resilience = resilience;
            return this;
        }

        /** Passive outlier detection settings. */
        public Builder outliers(OutlierDetection outliers) {
            this.outliers = outliers;
            return this;
        }

        /** Per-target configuration; default none. */
        public Builder targets(List<TargetRule> targets) {
            this.targets = targets;
            return this;
        }

        /** Zone-aware routing settings; default off (no zone). */
        public Builder locality(Locality locality) {
            this.locality = locality;
            return this;
        }

        /** Backends each target keeps; 0 for all. */
        public Builder subsetSize(int subsetSize) {
            this.subsetSize = subsetSize;
            return this;
        }

        /** This client's subsetting key, hashed. */
        public Builder subsetKey(long subsetKey) {
            this.subsetKey = subsetKey;
            return this;
        }

        /** This client's index among its peers, for deterministic subsetting; default -1, not given. */
        public Builder subsetIndex(int subsetIndex) {
            this.subsetIndex = subsetIndex;
            return this;
        }

        /** The number of this client's peers, for deterministic subsetting; default 0, not given. */
        public Builder subsetClients(int subsetClients) {
            this.subsetClients = subsetClients;
            return this;
        }

        /** Whether to register the client's MXBean. */
        public Builder jmx(boolean jmx) {
            this.jmx = jmx;
            return this;
        }

        /**
         * The configuration; the only place that calls the canonical constructor, each argument the field of the
         * same name.
         *
         * @return the configuration
         * @throws IllegalStateException naming the first required component that was not set
         */
        public ClientConfig build() {
            return new ClientConfig(
                    Optional.ofNullable(connectTimeout), required(version, "version"),
                    Optional.ofNullable(sslContext), Optional.ofNullable(sslParameters),
                    Optional.ofNullable(executor), required(redirect, "redirect"),
                    Optional.ofNullable(cookieHandler), required(resolveTimeout, "resolveTimeout"),
                    required(resolver, "resolver"), required(picker, "picker"),
                    Optional.ofNullable(health), required(lifetime, "lifetime"),
                    listeners, Optional.ofNullable(ticker), Optional.ofNullable(scheduler),
                    required(seed, "seed"), priority, Optional.ofNullable(authenticator),
                    Optional.ofNullable(localAddress),
                    required(leafFactory, "leafFactory"),
                    required(maxConcurrency, "maxConcurrency"), required(maxQueued, "maxQueued"),
                    required(queueTimeout, "queueTimeout"),
                    required(idleTimeout, "idleTimeout"),
                    required(maxTargets, "maxTargets"), required(refusedAddresses, "refusedAddresses"),
                    required(panicThreshold, "panicThreshold"), required(outliers, "outliers"), required(resilience, "resilience"), locality,
                    required(subsetSize, "subsetSize"), required(subsetKey, "subsetKey"), subsetIndex, subsetClients,
                    required(jmx, "jmx"), targets);
        }

        private static <T> T required(T value, String name) {
            if (value == null) {
                throw new IllegalStateException("ClientConfig." + name + " was not set");
            }
            return value;
        }
    }

    /**
     * A selected provider with its validated options.
     *
     * @param provider the provider
     * @param options  its options
     * @param <P>      the family
     */
    public record Selected<P extends Provider<?, ?>>(P provider, OptionValues options) {
    }
}
