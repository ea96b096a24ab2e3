package dev.fairway;

import dev.fairway.internal.ClientConfig;
import dev.fairway.internal.Engine;
import dev.fairway.internal.FacadeResponse;
import dev.fairway.internal.Locality;
import dev.fairway.internal.MultiExchange;
import dev.fairway.internal.OutlierDetection;
import dev.fairway.internal.PropertyConfiguration;
import dev.fairway.internal.Resilience;
import dev.fairway.internal.SslParametersCopy;
import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.LifetimePolicyProvider;
import dev.fairway.spi.PickerProvider;
import dev.fairway.spi.ResolverProvider;
import dev.fairway.spi.Scheduler;
import dev.fairway.spi.Ticker;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;

import static dev.fairway.internal.ClientKeys.CONNECT_TIMEOUT;
import static dev.fairway.internal.ClientKeys.FOLLOW_REDIRECTS;
import static dev.fairway.internal.ClientKeys.IDLE_TIMEOUT;
import static dev.fairway.internal.ClientKeys.JMX;
import static dev.fairway.internal.ClientKeys.MAX_CONCURRENCY;
import static dev.fairway.internal.ClientKeys.MAX_QUEUED;
import static dev.fairway.internal.ClientKeys.MAX_TARGETS;
import static dev.fairway.internal.ClientKeys.PANIC_THRESHOLD;
import static dev.fairway.internal.ClientKeys.QUEUE_TIMEOUT;
import static dev.fairway.internal.ClientKeys.REFUSE_ADDRESSES;
import static dev.fairway.internal.ClientKeys.RESOLVE_TIMEOUT;
import static dev.fairway.internal.ClientKeys.SUBSET_CLIENTS;
import static dev.fairway.internal.ClientKeys.SUBSET_INDEX;
import static dev.fairway.internal.ClientKeys.SUBSET_KEY;
import static dev.fairway.internal.ClientKeys.SUBSET_SIZE;
import static dev.fairway.internal.ClientKeys.VERSION;
import static dev.fairway.internal.ClientKeys.ZONE;

/**
 * An {@link HttpClient} that spreads each request over every address of the request's host.
 *
 * <p>Existing code keeps its {@link HttpRequest}s and {@link HttpResponse.BodyHandler}s: the first request to a
 * {@code scheme://host:port} resolves the host to all its addresses (by default through DNS, re-resolved
 * periodically), keeps one {@link HttpClient} per address (a <em>leaf</em>), and sends each request to the address
 * the picker chooses (by default round robin that passes over busy backends). Responses look as if the client had called the logical host:
 * {@link HttpResponse#uri()}, {@link HttpResponse#request()} and {@link HttpResponse#previousResponse()} show the
 * caller's URIs, and {@link #servedBy(HttpResponse)} tells which backend answered.
 *
 * {@snippet :
 * try (FairwayClient client = FairwayClient.newBuilder()
 *         .picker("least_loaded")
 *         .build()) {
 *     HttpRequest request = HttpRequest.newBuilder(URI.create("http://orders.shop.svc.cluster.local:8080/orders/42")).build();
 *     HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
 *     System.out.println(response.statusCode() + " from " + FairwayClient.servedBy(response).orElseThrow());
 * }
 * }
 *
 * <p><b>Load accounting.</b> A request counts as in flight on its backend from the moment it is sent until its
 * response body completes, fails or is cancelled (not when the headers arrive), also for streaming bodies such as
 * {@link HttpResponse.BodyHandlers#ofInputStream()}: read or close such a body.
 *
 * <p><b>Failures.</b> When no backend can be used the request fails quickly with a {@link NoBackendException}
 * naming the target and the reason. A request that failed before it reached a server (connection refused,
 * connect timeout, a leaf that was closing) is sent once more to another backend, whatever its method.
 *
 * <p><b>Redirects</b> are followed by this client, not by the leaves, so that each hop is balanced again;
 * {@code Authorization}, {@code Cookie}, {@code Origin} and {@code Referer} are not carried to another origin. The
 * {@link CookieHandler} sees the logical URIs.
 *
 * <p><b>Not supported:</b> proxies ({@link #proxy()} is empty), HTTP/2 server push (pushes are refused) and
 * WebSockets ({@link #newWebSocketBuilder()} throws).
 *
 * <p><b>Shutting down</b> follows {@link HttpClient}: {@link #shutdown()} lets exchanges in flight finish and fails
 * new ones with an {@link IOException}; {@link #awaitTermination(Duration)}, {@link #shutdownNow()} and
 * {@link #close()} act on every leaf; after termination every connection is closed and every thread Fairway
 * started has ended.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class FairwayClient extends HttpClient {

    /** Shuts down clients that became unreachable without {@code shutdown()}; one daemon thread per JVM, lazily. */
    private static final class Abandoned {
        static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create(
                Thread.ofPlatform().daemon().name("fairway-cleaner").factory());
    }

    private final Engine engine;

    private FairwayClient(Engine engine) {
        this.engine = engine;
        // The engine never refers to this facade (nor do its threads, leaves or MXBean), so a client that nobody holds
        // becomes unreachable; the cleaner then shuts its engine down, as the JDK does for its own HttpClient.
        Abandoned.CLEANER.register(this, engine::abandoned);
    }

    /**
     * A builder with every default; see {@link Builder} for them.
     *
     * @return a new builder
     */
    public static Builder newBuilder() {
        return new Builder();
    }

    /**
     * A client with every default: {@code dns} resolver, {@code least_loaded} picker, no health check.
     *
     * @return a new client
     * @throws IllegalArgumentException if a default provider is not on the module path or class path
     */
    public static FairwayClient newFairwayClient() {
        return newBuilder().build();
    }

    /**
     * The backend that served a response of a {@link FairwayClient}, by IP address alone, whatever the resolver: its
     * {@code toString()} is {@code /10.0.0.5:8080} (never {@code orders/10.0.0.5:8080}, which a resolver that keeps
     * the host name in its addresses would otherwise give).
     *
     * @param response a response
     * @return the backend's IP address and port, or empty for a response of another client
     */
    public static Optional<InetSocketAddress> servedBy(HttpResponse<?> response) {
        Objects.requireNonNull(response, "response");
        if (!(response instanceof FacadeResponse<?> facade)) {
            return Optional.empty();
        }
        InetSocketAddress socket = facade.servedBy().socketAddress();
        InetAddress ip = socket.getAddress();
        try {
            InetAddress bare;
            if (ip instanceof Inet6Address v6 && v6.getScopedInterface() != null) {
                bare = Inet6Address.getByAddress(null, v6.getAddress(), v6.getScopedInterface());
            } else if (ip instanceof Inet6Address v6 && v6.getScopeId() != 0) {
                bare = Inet6Address.getByAddress(null, v6.getAddress(), v6.getScopeId());
            } else {
                bare = InetAddress.getByAddress(ip.getAddress()); // no scope: no "%0" in its text
            }
            return Optional.of(new InetSocketAddress(bare, socket.getPort()));
        } catch (java.net.UnknownHostException impossible) {
            return Optional.of(socket); // an address of a valid length: not reached
        }
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return engine.config().cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return engine.config().connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return engine.config().redirect();
    }

    /**
     * Always empty: Fairway connects to the backends directly.
     *
     * @return an empty optional
     */
    @Override
    public Optional<ProxySelector> proxy() {
        return Optional.empty();
    }

    @Override
    public SSLContext sslContext() {
        return engine.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return engine.sslParametersCopy();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return engine.config().authenticator();
    }

    @Override
    public Version version() {
        return engine.config().version();
    }

    /**
     * Not supported: a WebSocket is one long-lived connection to one server, which per-request balancing cannot
     * spread.
     *
     * @return never
     * @throws UnsupportedOperationException always, saying so
     */
    @Override
    public WebSocket.Builder newWebSocketBuilder() {
        throw new UnsupportedOperationException("FairwayClient does not open WebSockets: a WebSocket is one long-lived"
                + " connection to one server, which per-request balancing cannot spread; use a plain HttpClient for it");
    }

    @Override
    public Optional<Executor> executor() {
        return engine.config().executor();
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> responseBodyHandler)
            throws IOException, InterruptedException {
        return MultiExchange.send(engine, request, responseBodyHandler);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                                                            HttpResponse.BodyHandler<T> responseBodyHandler) {
        return MultiExchange.sendAsync(engine, request, responseBodyHandler);
    }

    /**
     * Sends like {@link #sendAsync(HttpRequest, HttpResponse.BodyHandler)}. Server pushes are refused, so
     * {@code pushPromiseHandler} is never called.
     */
    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                                                            HttpResponse.BodyHandler<T> responseBodyHandler,
                                                            HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
        return MultiExchange.sendAsync(engine, request, responseBodyHandler);
    }

    @Override
    public void shutdown() {
        engine.shutdown();
    }

    @Override
    public boolean awaitTermination(Duration duration) throws InterruptedException {
        return engine.awaitTermination(duration);
    }

    @Override
    public boolean isTerminated() {
        return engine.isTerminated();
    }

    @Override
    public void shutdownNow() {
        engine.shutdownNow();
    }

    /**
     * A point-in-time view of every target: backends with their health, load, counters and leaves, and the
     * resolver's state. Cheap: no I/O, one short lock per target.
     *
     * @return one snapshot per target in use, in no particular order
     */
    public List<TargetSnapshot> snapshot() {
        return engine.snapshot();
    }

    /** Requests in flight over every backend. */
    int inFlight() {
        return engine.inFlight();
    }

    @Override
    public String toString() {
        return "FairwayClient[" + engine + "]";
    }

    /**
     * Builds {@link FairwayClient}s, like {@link HttpClient.Builder}, with the balancing options added.
     *
     * <p>Defaults: a 2-second connect timeout, {@link Version#HTTP_2}, {@link Redirect#NEVER}, no cookie handler, the
     * default {@link SSLContext}, a cached pool of daemon threads shared by all leaves; resolver {@code dns}, picker
     * {@code least_loaded} ({@code round_robin}, with a warning, where {@code fairway-balancer-leastconn} is missing),
     * no health check, lifetime policy {@code max_age}; first resolution waits at most 10 seconds;
     * at most 100 requests in flight per backend; targets unused for 15 minutes are released.
     *
     * <p>Each setting can come from code, from {@link #configure(Properties)} or from
     * {@link #configureFromSystemProperties()}; the last call wins. The client's own settings (the keys below without
     * {@code <option>}) are checked at once, by the setter or by {@code configure}, against the same limits and with
     * the same message, which names the key, the value and what is allowed: from {@code connectTimeout(Duration.ZERO)},
     * {@code connectTimeout (fairway.connect_timeout) = 'PT0S' is not allowed: use a duration from 1ms to 24h, like
     * 500ms, 30s, 5m or PT30S}; from {@code fairway.connect_timeout=0s}, the same after {@code fairway.connect_timeout}.
     * Provider names and options are checked by {@link #build()}, which fails in the same form.
     *
     * <table class="striped">
     * <caption>Configuration keys</caption>
     * <thead><tr><th>key</th><th>value</th><th>default</th></tr></thead>
     * <tbody>
     * <tr><td>{@code fairway.resolver}</td><td>resolver provider name</td><td>{@code dns}</td></tr>
     * <tr><td>{@code fairway.resolver.<option>}</td><td>an option of that resolver</td><td>the provider's</td></tr>
     * <tr><td>{@code fairway.picker}</td><td>picker provider name</td><td>{@code least_loaded}</td></tr>
     * <tr><td>{@code fairway.picker.<option>}</td><td>an option of that picker</td><td>the provider's</td></tr>
     * <tr><td>{@code fairway.health}</td><td>health-check provider name, or {@code none}</td><td>{@code none}</td></tr>
     * <tr><td>{@code fairway.health.<option>}</td><td>an option of that health check</td><td>the provider's</td></tr>
     * <tr><td>{@code fairway.lifetime}</td><td>lifetime-policy provider name</td><td>{@code max_age}</td></tr>
     * <tr><td>{@code fairway.lifetime.<option>}</td><td>an option of that policy</td><td>the provider's</td></tr>
     * <tr><td>{@code fairway.connect_timeout}</td><td>duration, like {@code 2s}, 1 ms to 1 day</td><td>{@code 2s}</td></tr>
     * <tr><td>{@code fairway.version}</td><td>{@code http_1_1} or {@code http_2}</td><td>{@code http_2}</td></tr>
     * <tr><td>{@code fairway.follow_redirects}</td><td>{@code never}, {@code always} or {@code normal}</td><td>{@code never}</td></tr>
     * <tr><td>{@code fairway.resolve_timeout}</td><td>duration, 1 ms to 1 hour</td><td>{@code 10s}</td></tr>
     * <tr><td>{@code fairway.max_concurrency}</td><td>requests in flight per backend, 1 to 100,000</td><td>{@code 100}</td></tr>
     * <tr><td>{@code fairway.max_queued}</td><td>requests queued per backend, 0 to 1,000,000</td><td>{@code 1000}</td></tr>
     * <tr><td>{@code fairway.queue_timeout}</td><td>duration, 1 ms to 1 hour</td><td>{@code 10s}</td></tr>
     * <tr><td>{@code fairway.idle_timeout}</td><td>duration, 1 ms to 30 days</td><td>{@code 15m}</td></tr>
     * <tr><td>{@code fairway.max_targets}</td><td>targets kept, 1 to 100,000; the least recently used is released</td><td>{@code 256}</td></tr>
     * <tr><td>{@code fairway.refuse_addresses}</td><td>{@code none}, or a list of {@code unspecified}, {@code multicast},
     * {@code broadcast}, {@code link_local}</td><td>all four</td></tr>
     * <tr><td>{@code fairway.panic_threshold}</td><td>0 (off) to 1</td><td>{@code 0.5}</td></tr>
     * <tr><td>{@code fairway.subset_size}</td><td>backends kept per target, 0 (all) to 100,000</td><td>{@code 0}</td></tr>
     * <tr><td>{@code fairway.subset_key}</td><td>the client's subsetting key, non-empty</td><td>random</td></tr>
     * <tr><td>{@code fairway.subset_index}</td><td>the client's index among its peers, 0 to 1,000,000, or -1</td><td>{@code -1}
     * (none)</td></tr>
     * <tr><td>{@code fairway.subset_clients}</td><td>the number of those peers, 1 to 1,000,000, or 0</td><td>{@code 0}
     * (none)</td></tr>
     * <tr><td>{@code fairway.jmx}</td><td>{@code true} or {@code false}</td><td>{@code true}</td></tr>
     * <tr><td>{@code fairway.outlier.<option>}</td><td>an outlier-detection option</td><td>gRFC A50</td></tr>
     * <tr><td>{@code fairway.retry.<option>}</td><td>a retry option ({@link Builder#retryOption})</td><td>requests never
     * sent, and lost idempotent ones, go elsewhere, within a 20 % budget</td></tr>
     * <tr><td>{@code fairway.hedge.<option>}</td><td>a hedging option ({@link Builder#hedgeOption})</td><td>off</td></tr>
     * <tr><td>{@code fairway.throttle.<option>}</td><td>a client-side throttling option
     * ({@link Builder#throttleOption})</td><td>off</td></tr>
     * <tr><td>{@code fairway.zone}</td><td>this client's zone, for zone-aware routing</td><td>the environment variable
     * {@code FAIRWAY_ZONE}, else none (off)</td></tr>
     * <tr><td>{@code fairway.zone.<option>}</td><td>a zone-routing option</td><td>see {@code docs/kubernetes.md}</td></tr>
     * <tr><td>{@code fairway.target.<name>.host}, {@code fairway.target.<name>.<key>}</td><td>per-target configuration:
     * the pattern {@code <name>} configures, and its keys ({@link Builder#targetOption})</td><td>none</td></tr>
     * </tbody>
     * </table>
     *
     * <p>{@code Builder} is an {@link HttpClient.Builder}, so code that configures an {@code HttpClient.Builder}
     * can configure this one; {@link #proxy(ProxySelector)} is not supported and throws.
     *
     * <p>Not thread-safe.
     */
    public static final class Builder implements HttpClient.Builder {

        /** The value of {@code fairway.health} that means no health check. */
        public static final String NO_HEALTH_CHECK = "none";

        private static final String DEFAULT_PICKER = "least_loaded";
        private static final String FALLBACK_PICKER = "round_robin";
        private Duration connectTimeout = CONNECT_TIMEOUT.defaultValue();
        private Version version = VERSION.defaultValue();
        private SSLContext sslContext;
        private SSLParameters sslParameters;
        private Executor executor;
        private Redirect redirect = FOLLOW_REDIRECTS.defaultValue();
        private CookieHandler cookieHandler;
        private Duration resolveTimeout = RESOLVE_TIMEOUT.defaultValue();
        private final ProviderChoice<ResolverProvider> resolver = new ProviderChoice<>("resolver", "dns", null);
        private final ProviderChoice<PickerProvider> picker = new ProviderChoice<>("picker", DEFAULT_PICKER, FALLBACK_PICKER);
        private final ProviderChoice<HealthCheckProvider> health = new ProviderChoice<>("health", NO_HEALTH_CHECK, null);
        private final ProviderChoice<LifetimePolicyProvider> lifetime = new ProviderChoice<>("lifetime", "max_age", null);
        /** Per-target overrides by pattern, then by family: what {@link #targetOption} was told. */
        private final Map<String, Map<String, ProviderChoice<?>>> targets = new LinkedHashMap<>();
        private final List<FairwayListener> listeners = new ArrayList<>();
        private Ticker ticker;
        private Scheduler scheduler;
        private Long seed;
        private int priority = -1;
        private java.util.function.Function<HttpClient.Builder, HttpClient> leafFactory = HttpClient.Builder::build;
        private int maxConcurrency = MAX_CONCURRENCY.defaultValue();
        private int maxQueued = MAX_QUEUED.defaultValue();
        private int maxTargets = MAX_TARGETS.defaultValue();
        private Set<AddressClass> refusedAddresses = REFUSE_ADDRESSES.defaultValue();
        private Duration queueTimeout = QUEUE_TIMEOUT.defaultValue();
        private Duration idleTimeout = IDLE_TIMEOUT.defaultValue();
        private double panicThreshold = PANIC_THRESHOLD.defaultValue();
        private int subsetSize = SUBSET_SIZE.defaultValue();
        private String subsetKey; // null: a random key per client
        private int subsetIndex = SUBSET_INDEX.defaultValue();
        private int subsetClients = SUBSET_CLIENTS.defaultValue();
        private boolean jmx = JMX.defaultValue();
        private final Map<String, Object> outlierOptions = new LinkedHashMap<>();
        /** {@code fairway.retry.*}, {@code fairway.hedge.*} and {@code fairway.throttle.*}, by family. */
        private final Map<String, Map<String, Object>> resilienceOptions = new LinkedHashMap<>();
        /** Per-target resilience options: pattern, family, key. */
        private final Map<String, Map<String, Map<String, Object>>> targetResilience = new LinkedHashMap<>();
        private String zone = ""; // not given: FAIRWAY_ZONE
        private final Map<String, Object> zoneOptions = new LinkedHashMap<>();
        private java.util.function.Function<String, String> environment = System::getenv;
        private Authenticator authenticator;
        private InetAddress localAddress;

        private Builder() {
        }

        /**
         * How long to wait for a TCP (and TLS) connection to a backend; default 2 seconds. A pod that vanished without
         * a trace black-holes the connection attempt; the timeout ends it, and the request moves to another backend
         * as after a refusal (see the guide's Retries). The default allows one lost SYN to be sent again (Linux resends
         * after 1 s); give more for backends far away, such as another region with TLS.
         *
         * @param duration 1 ms to 1 day
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        @Override
        public Builder connectTimeout(Duration duration) {
            this.connectTimeout = CONNECT_TIMEOUT.check(Objects.requireNonNull(duration, "duration"));
            return this;
        }

        /**
         * The HTTP/2 stream priority of requests, passed to every leaf; default the JDK's.
         *
         * @param priority 1 to 256
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        @Override
        public Builder priority(int priority) {
            if (priority < 1 || priority > 256) {
                throw new IllegalArgumentException("priority = '" + priority + "' is not allowed: use an integer from 1 to 256");
            }
            this.priority = priority;
            return this;
        }

        /**
         * Not supported: Fairway connects to each backend directly.
         *
         * @param proxySelector ignored
         * @return never returns
         * @throws UnsupportedOperationException always
         */
        @Override
        public Builder proxy(ProxySelector proxySelector) {
            Objects.requireNonNull(proxySelector, "proxySelector");
            throw new UnsupportedOperationException("FairwayClient connects to each backend directly and does not support a proxy;"
                    + " use a plain HttpClient for proxied traffic");
        }

        /**
         * An authenticator for servers that answer 401, passed to every leaf; default none. The leaf answers the
         * challenge on the same backend; the authenticator's requesting host is the backend's IP address.
         *
         * @param authenticator the authenticator
         * @return this builder
         */
        @Override
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * The local address the leaves bind to; default any.
         *
         * @param localAddress the address
         * @return this builder
         */
        @Override
        public Builder localAddress(InetAddress localAddress) {
            this.localAddress = Objects.requireNonNull(localAddress, "localAddress");
            return this;
        }

        /**
         * The preferred HTTP version; default {@link Version#HTTP_2}. Over plain http, {@link Version#HTTP_1_1}
         * is what makes servers see the logical {@code Host}; see the authority table in {@code docs/authority.md}.
         *
         * @param version the version
         * @return this builder
         */
        @Override
        public Builder version(Version version) {
            this.version = VERSION.check(Objects.requireNonNull(version, "version"));
            return this;
        }

        /**
         * The TLS context for https targets; default {@link SSLContext#getDefault()}. Fairway verifies each
         * backend's certificate against the logical host name (not the backend's IP) with this context's trust
         * managers.
         *
         * @param sslContext the context
         * @return this builder
         */
        @Override
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
            return this;
        }

        /**
         * TLS parameters (protocols, cipher suites); default the context's defaults. Server names (SNI) are
         * replaced by the logical host name.
         *
         * @param sslParameters the parameters; copied
         * @return this builder
         */
        @Override
        public Builder sslParameters(SSLParameters sslParameters) {
            Objects.requireNonNull(sslParameters, "sslParameters");
            this.sslParameters = SslParametersCopy.of(sslParameters);
            return this;
        }

        /**
         * The executor for all leaves' asynchronous work; default a cached pool of daemon platform threads, as the
         * JDK's own default but shared by every leaf, owned and shut down by the client (idle threads exit after
         * 60 s). An executor given here is not shut down by the client.
         *
         * @param executor the executor
         * @return this builder
         */
        @Override
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * The redirect policy, applied by Fairway so that each hop is balanced; default {@link Redirect#NEVER}.
         * At most {@code jdk.httpclient.redirects.retrylimit} (default 5) responses are read, as in the JDK.
         *
         * @param policy the policy
         * @return this builder
         */
        @Override
        public Builder followRedirects(Redirect policy) {
            this.redirect = FOLLOW_REDIRECTS.check(Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /**
         * The cookie handler, which sees the logical URIs; default none.
         *
         * @param cookieHandler the handler
         * @return this builder
         */
        @Override
        public Builder cookieHandler(CookieHandler cookieHandler) {
            this.cookieHandler = Objects.requireNonNull(cookieHandler, "cookieHandler");
            return this;
        }

        /**
         * The longest a request waits for the first resolution of its target when it has neither a
         * {@linkplain HttpRequest#timeout() timeout} nor a {@linkplain #connectTimeout connect timeout} (which
         * bound the wait otherwise); default 10 seconds. After it the request fails with a
         * {@link NoBackendException}.
         *
         * @param duration 1 ms to 1 hour
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder resolveTimeout(Duration duration) {
            this.resolveTimeout = RESOLVE_TIMEOUT.check(Objects.requireNonNull(duration, "duration"));
            return this;
        }

        /**
         * The most requests in flight per backend; default 100. Further requests wait (at most their
         * {@linkplain HttpRequest#timeout() timeout}, else {@link #queueTimeout}) for a place, then try another backend
         * once. It keeps the JDK's HTTP/2 "too many concurrent streams" from reaching callers: when a server allows
         * fewer streams, Fairway learns its limit for that backend and queues beyond it.
         *
         * @param max 1 to 100,000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxConcurrencyPerBackend(int max) {
            this.maxConcurrency = MAX_CONCURRENCY.check(max);
            return this;
        }

        /**
         * The most requests that may wait per backend for a place under {@link #maxConcurrencyPerBackend}; default
         * 1,000. A request that finds the queue full tries another backend, then fails at once with a
         * {@link NoBackendException} of reason {@link NoBackendException.Reason#SATURATED}. 0 queues nothing.
         *
         * @param max 0 to 1,000,000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxQueuedPerBackend(int max) {
            this.maxQueued = MAX_QUEUED.check(max);
            return this;
        }

        /**
         * The longest a request without a timeout of its own waits for a place on a saturated backend; default 10 s.
         *
         * @param duration 1 ms to 1 hour
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder queueTimeout(Duration duration) {
            this.queueTimeout = QUEUE_TIMEOUT.check(Objects.requireNonNull(duration, "duration"));
            return this;
        }

        /**
         * How long a target may go unused before its resolver, health checks and connections are released; default
         * 15 minutes. The next request builds them again (and waits for a first resolution).
         *
         * @param duration 1 ms to 30 days
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder idleTimeout(Duration duration) {
            this.idleTimeout = IDLE_TIMEOUT.check(Objects.requireNonNull(duration, "duration"));
            return this;
        }

        /**
         * The most targets (host and port pairs) this client keeps; default 256. A client that calls more hosts than
         * that (redirects to new names, webhooks, a gateway) releases the least recently used target, with its
         * resolver, health checks and leaves; exchanges still running on it finish. Each target holds at least one
         * leaf per backend it used, and each leaf one selector thread of the JDK's: this bounds those threads.
         *
         * @param max 1 to 100,000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxTargets(int max) {
            this.maxTargets = MAX_TARGETS.check(max);
            return this;
        }

        /**
         * The kinds of address never dialed, whatever the resolver answers; default all of {@link AddressClass}.
         * A refused address is left out of the target's backends, with a {@link FairwayEvent.AddressRefused} event and
         * a WARNING naming the answer. Loopback addresses are always allowed. An empty set turns the check off.
         *
         * @param classes the kinds to refuse
         * @return this builder
         */
        public Builder refuseAddresses(Set<AddressClass> classes) {
            this.refusedAddresses = REFUSE_ADDRESSES.check(Objects.requireNonNull(classes, "classes"));
            return this;
        }

        /**
         * Panic mode: when fewer than this fraction of a target's backends are usable (healthy, unknown or degraded,
         * and not ejected), requests are balanced over all of them rather than overload the few; default 0.5. With 0,
         * panic mode is off and a target with no usable backend fails requests with {@link NoBackendException}.
         *
         * @param fraction 0 to 1
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder panicThreshold(double fraction) {
            this.panicThreshold = PANIC_THRESHOLD.check(fraction);
            return this;
        }

        /**
         * Subsetting: each target keeps only {@code size} of its usable backends, chosen by rendezvous hashing on
         * {@link #subsetKey(String)}, so that a large fleet does not cost every client a connection to every backend;
         * default 0 (all backends). A backend that becomes unusable is replaced by the next in rank; the others stay.
         * Active health checks probe only the {@code 2 × size} best-ranked backends: the subset and those it would
         * fail over to.
         *
         * @param size 0 (off) to 100,000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder subsetSize(int size) {
            this.subsetSize = SUBSET_SIZE.check(size);
            return this;
        }

        /**
         * The key that decides which backends this client's subsets hold; default random per client. Clients with the
         * same key choose the same backends; give each instance of a service its own stable key (its pod name, say) to
         * keep its subset across restarts.
         *
         * @param key any non-empty text
         * @return this builder
         * @throws IllegalArgumentException if empty
         */
        public Builder subsetKey(String key) {
            this.subsetKey = SUBSET_KEY.check(Objects.requireNonNull(key, "key"));
            return this;
        }

        /**
         * This client's zone, which turns on zone-aware routing: requests stay in the client's zone while its backends
         * there have room for this zone's share of the traffic (up to {@code fairway.zone.max_load}, 1.2× their fair
         * share), and only the rest goes to other zones, in proportion to their room. Off in panic mode and for targets
         * of fewer than {@code fairway.zone.min_backends} (6) backends; Kubernetes' topology hints, when every address
         * carries them, decide instead, whatever the target's size. Default: the environment variable
         * {@code FAIRWAY_ZONE}, else none (off). Backends get their zone from their resolver ({@code kubernetes}) or
         * from {@code fairway.zone.subnets}. With subsetting, each zone gets its share of the subset. See
         * {@code docs/kubernetes.md}.
         *
         * @param zone a name of 1 to 253 characters without spaces, commas or '='
         * @return this builder
         * @throws IllegalArgumentException if empty or containing such characters
         */
        public Builder zone(String zone) {
            this.zone = ZONE.check(Objects.requireNonNull(zone, "zone"));
            return this;
        }

        /**
         * Sets an option of zone-aware routing ({@code fairway.zone.<key>}), checked by {@link #build()}:
         * {@code node} (this client's node, for {@code hints.forNodes}; default the environment variable
         * {@code FAIRWAY_NODE}), {@code min_backends} (6), {@code max_load} (1.2), {@code client_shares} (default: as
         * the backends spread, remembered), {@code subnets} (none), {@code hints} ({@code true}); see
         * {@code docs/kubernetes.md}.
         *
         * @param key   the option key, e.g. {@code max_load}
         * @param value the value, as a string ({@code client_shares} and {@code subnets} take only strings) or typed
         * @return this builder
         */
        public Builder zoneOption(String key, Object value) {
            Objects.requireNonNull(key, "key");
            zoneOptions.put(key, Objects.requireNonNull(value, "fairway.zone." + key));
            return this;
        }

        /** The environment the zone and node are read from when not given; tests replace it. */
        Builder environment(java.util.function.Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * This client's index among the clients of its targets (0, 1, 2, …: a StatefulSet's pod index), which with
         * {@link #subsetClients(int)} makes subsets exactly even: with {@link #subsetSize(int)} {@code k}, {@code n}
         * clients and {@code m} backends, every backend serves {@code n·k/m} clients, give or take one (random
         * subsets: about 0.4 to 1.8 times that). Every client must see the same backends and be given the same
         * {@code n}, and the indices must stay put (renumbering reshuffles the subsets). Default -1: not given,
         * subsets by rendezvous hashing of {@link #subsetKey(String)}. Needs {@code subsetSize} and
         * {@code subsetClients}; checked by {@link #build()}.
         *
         * @param index 0 to 1,000,000, or -1 for none
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder subsetIndex(int index) {
            this.subsetIndex = SUBSET_INDEX.check(index);
            return this;
        }

        /**
         * The number of clients among which {@link #subsetIndex(int)} places this one (a StatefulSet's replicas):
         * every client must be given the same number. Default 0: not given.
         *
         * @param clients 1 to 1,000,000, or 0 for none
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder subsetClients(int clients) {
            this.subsetClients = SUBSET_CLIENTS.check(clients);
            return this;
        }

        /**
         * Whether the client registers a {@link FairwayClientMXBean} ({@code dev.fairway:type=FairwayClient,name=client-<n>})
         * when {@code java.management} is present; default {@code true}.
         *
         * @param enabled {@code false} to keep the client out of JMX
         * @return this builder
         */
        public Builder jmx(boolean enabled) {
            this.jmx = JMX.check(enabled);
            return this;
        }

        /**
         * Sets an option of passive outlier detection ({@code fairway.outlier.<key>}); see {@code docs/guide.md},
         * "Passive outlier detection", for the keys and their defaults (gRFC A50 / Envoy: 5 consecutive failures, 10 s
         * sweeps, 30 s base ejection up to 300 s, at most 10 % ejected, success-rate ejection on).
         *
         * @param key   the option key, e.g. {@code consecutive_failures}
         * @param value the value, typed or as a string
         * @return this builder
         */
        public Builder outlierOption(String key, Object value) {
            Objects.requireNonNull(key, "key");
            outlierOptions.put(key, Objects.requireNonNull(value, "fairway.outlier." + key));
            return this;
        }

        /**
         * Sets a retry option ({@code fairway.retry.<key>}); see {@code docs/guide.md}, "Retries, hedging and
         * throttling", for the keys and their defaults. By default a request that provably never reached a server
         * goes to another backend, and so does a repeatable one (an idempotent method or an {@code Idempotency-Key},
         * and a body that can be sent again) whose connection was lost before the response, within a retry budget of
         * 20 % of the target's requests (or 10 per second, when that is more); at most {@code max_attempts} (4)
         * attempts in all. Retries on statuses ({@code statuses}) and per-try timeouts ({@code per_try_timeout}) are off.
         * Checked by {@link #build()}.
         *
         * @param key   the option key, e.g. {@code statuses}
         * @param value the value, typed or as a string
         * @return this builder
         */
        public Builder retryOption(String key, Object value) {
            return resilienceOption("retry", key, value);
        }

        /**
         * Sets a hedging option ({@code fairway.hedge.<key>}): after {@code delay} (a duration, or a percentile of
         * the target's recent response times such as {@code p95}), an idempotent request still without an answer is
         * sent to another backend as well; the first answer wins and the others are cancelled. Off by default. See
         * {@code docs/guide.md}. Checked by {@link #build()}.
         *
         * @param key   the option key, e.g. {@code delay}
         * @param value the value, typed or as a string
         * @return this builder
         */
        public Builder hedgeOption(String key, Object value) {
            return resilienceOption("hedge", key, value);
        }

        /**
         * Sets a client-side throttling option ({@code fairway.throttle.<key>}): with {@code k} set (2 is the SRE
         * book's), a target whose backends reject requests (429, 503) or fail has new requests rejected locally with a
         * {@link NoBackendException} of reason {@code THROTTLED}, in proportion. Off by default. See
         * {@code docs/guide.md}. Checked by {@link #build()}.
         *
         * @param key   the option key: {@code k}, {@code window} or {@code max_rejection}
         * @param value the value, typed or as a string
         * @return this builder
         */
        public Builder throttleOption(String key, Object value) {
            return resilienceOption("throttle", key, value);
        }

        private Builder resilienceOption(String family, String key, Object value) {
            Objects.requireNonNull(key, "key");
            resilienceOptions.computeIfAbsent(family, f -> new LinkedHashMap<>())
                    .put(key, Objects.requireNonNull(value, "fairway." + family + "." + key));
            return this;
        }

        /**
         * Selects the resolver by provider name; default {@code dns}.
         *
         * @param name a name from {@link ProviderRegistry#resolvers()}
         * @return this builder
         */
        public Builder resolver(String name) {
            resolver.name(name);
            return this;
        }

        /**
         * Uses this resolver provider instance, whatever the registry holds.
         *
         * @param provider the provider
         * @return this builder
         * @throws IllegalArgumentException if it fails the checks a discovered provider must pass (name, priority,
         *                                  options, {@code isAvailable()}), naming what is wrong
         */
        public Builder resolver(ResolverProvider provider) {
            resolver.instance(provider);
            return this;
        }

        /**
         * Sets an option of the resolver ({@code fairway.resolver.<key>}).
         *
         * @param key   the option key
         * @param value the value, typed or as a string
         * @return this builder
         */
        public Builder resolverOption(String key, Object value) {
            resolver.option(key, value);
            return this;
        }

        /**
         * Selects the picker by provider name; default {@code least_loaded} (from {@code fairway-balancer-leastconn};
         * where that module is missing, {@code round_robin} with a WARNING naming it).
         *
         * @param name a name from {@link ProviderRegistry#pickers()}
         * @return this builder
         */
        public Builder picker(String name) {
            picker.name(name);
            return this;
        }

        /**
         * Uses this picker provider instance, whatever the registry holds.
         *
         * @param provider the provider
         * @return this builder
         * @throws IllegalArgumentException if it fails the checks a discovered provider must pass (name, priority,
         *                                  options, {@code isAvailable()}), naming what is wrong
         */
        public Builder picker(PickerProvider provider) {
            picker.instance(provider);
            return this;
        }

        /**
         * Sets an option of the picker ({@code fairway.picker.<key>}).
         *
         * @param key   the option key
         * @param value the value, typed or as a string
         * @return this builder
         */
        public Builder pickerOption(String key, Object value) {
            picker.option(key, value);
            return this;
        }

        /**
         * Selects the health check by provider name, or {@value #NO_HEALTH_CHECK}; default none.
         *
         * @param name a name from {@link ProviderRegistry#healthChecks()}, or {@code none}
         * @return this builder
         */
        public Builder healthCheck(String name) {
            health.name(name);
            return this;
        }

        /**
         * Uses this health-check provider instance, whatever the registry holds.
         *
         * @param provider the provider
         * @return this builder
         * @throws IllegalArgumentException if it fails the checks a discovered provider must pass (name, priority,
         *                                  options, {@code isAvailable()}), naming what is wrong
         */
        public Builder healthCheck(HealthCheckProvider provider) {
            health.instance(provider);
            return this;
        }

        /**
         * Sets an option of the health check ({@code fairway.health.<key>}).
         *
         * @param key   the option key
         * @param value the value, typed or as a string
         * @return this builder
         */
        public Builder healthCheckOption(String key, Object value) {
            health.option(key, value);
            return this;
        }

        /**
         * Selects the connection-lifetime policy by provider name; default {@code max_age} (5 minutes ±10 %, then the
         * backend's connections are replaced, the old ones draining for up to 30 s).
         *
         * @param name a name from {@link ProviderRegistry#lifetimePolicies()}
         * @return this builder
         */
        public Builder lifetimePolicy(String name) {
            lifetime.name(name);
            return this;
        }

        /**
         * Uses this lifetime-policy provider instance, whatever the registry holds.
         *
         * @param provider the provider
         * @return this builder
         * @throws IllegalArgumentException if it fails the checks a discovered provider must pass (name, priority,
         *                                  options, {@code isAvailable()}), naming what is wrong
         */
        public Builder lifetimePolicy(LifetimePolicyProvider provider) {
            lifetime.instance(provider);
            return this;
        }

        /**
         * Sets an option of the lifetime policy ({@code fairway.lifetime.<key>}).
         *
         * @param key   the option key
         * @param value the value, typed or as a string
         * @return this builder
         */
        public Builder lifetimePolicyOption(String key, Object value) {
            lifetime.option(key, value);
            return this;
        }

        /**
         * Sets a provider or an option for some targets only, over the client-wide one: per-target configuration
         * ({@code fairway.target.<name>.host} and {@code fairway.target.<name>.<key>} in properties). The targets are
         * named by {@code host:port}, {@code host} (any port) or {@code *.suffix} (any host ending in {@code .suffix});
         * a target takes the most specific pattern that matches it ({@code host:port}, then {@code host}, then the
         * longest suffix), and its host as the request's URI gives it ({@code orders} and
         * {@code orders.shop.svc.cluster.local} are different targets). The key is a family's —
         * {@code resolver}, {@code picker}, {@code health}, {@code lifetime} — or one of its options, like
         * {@code resolver.addresses} or {@code health.path}: a provider named for a pattern takes only the options given
         * for that pattern; options given without a provider apply over the client-wide provider's. Checked by
         * {@link #build()} as the client-wide ones are; at most 1,000 patterns. See {@code docs/guide.md}.
         *
         * @param target a pattern: {@code orders}, {@code orders:8080} or {@code *.shop.svc.cluster.local}
         * @param key    {@code resolver}, {@code picker}, {@code health}, {@code lifetime}, or one of them, a dot and an
         *               option key
         * @param value  the provider name or the option's value, typed or as a string
         * @return this builder
         * @throws IllegalArgumentException if the pattern or the key is not allowed, or there would be more than 1,000
         *                                  patterns
         */
        public Builder targetOption(String target, String key, Object value) {
            String pattern = targetPattern(target);
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "fairway.target[" + pattern + "]." + key);
            int dot = key.indexOf('.');
            String family = dot < 0 ? key : key.substring(0, dot);
            boolean resilience = List.of("retry", "hedge", "throttle").contains(family);
            if ((!List.of("resolver", "picker", "health", "lifetime").contains(family) && !(resilience && dot > 0))
                    || dot == key.length() - 1) {
                throw new IllegalArgumentException("targetOption(" + pattern + ") key '" + (key.length() > 200 ? key.substring(0, 200) + "…" : key)
                        + "' is not allowed: use resolver, picker, health or lifetime, alone or followed by .<option>;"
                        + " or retry.<option>, hedge.<option> or throttle.<option>");
            }
            if (!targets.containsKey(pattern) && !targetResilience.containsKey(pattern) && patterns().size() == MAX_TARGET_PATTERNS) {
                throw new IllegalArgumentException("targetOption: more than " + MAX_TARGET_PATTERNS + " target patterns");
            }
            if (resilience) {
                targetResilience.computeIfAbsent(pattern, p -> new LinkedHashMap<>()).computeIfAbsent(family, f -> new LinkedHashMap<>())
                        .put(key.substring(dot + 1), value);
                return this;
            }
            ProviderChoice<?> choice = targets.computeIfAbsent(pattern, p -> new LinkedHashMap<>())
                    .computeIfAbsent(family, f -> new ProviderChoice<>(f, null, null));
            if (dot < 0) {
                if (!(value instanceof String name)) {
                    throw new IllegalArgumentException("fairway.target[" + pattern + "]." + family + " is not allowed: use a provider name");
                }
                choice.name(name.trim());
            } else {
                choice.option(key.substring(dot + 1), value);
            }
            return this;
        }

        /** Every per-target pattern, in the order given. */
        private java.util.Set<String> patterns() {
            java.util.Set<String> all = new java.util.LinkedHashSet<>(targets.keySet());
            all.addAll(targetResilience.keySet());
            return all;
        }

        /** The most per-target patterns a client takes. */
        static final int MAX_TARGET_PATTERNS = 1_000;

        /** Checks a per-target pattern: {@code host}, {@code host:port} or {@code *.suffix}, lower-cased. */
        static String targetPattern(String target) {
            Objects.requireNonNull(target, "target");
            String p = target.trim().toLowerCase(Locale.ROOT);
            String host = p.startsWith("*.") ? p.substring(2) : p;
            int colon = host.lastIndexOf(':');
            boolean ok = !host.isEmpty() && host.length() <= 253;
            if (ok && colon >= 0) {
                String port = host.substring(colon + 1);
                host = host.substring(0, colon);
                ok = !p.startsWith("*.") && !host.isEmpty() && !port.isEmpty() && port.length() <= 5
                        && port.chars().allMatch(Character::isDigit) && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535;
            }
            String h = host;
            ok = ok && h.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')
                    && !h.startsWith(".") && !h.endsWith(".");
            if (!ok) {
                throw new IllegalArgumentException("target '" + (target.length() > 200 ? target.substring(0, 200) + "…" : target)
                        + "' is not allowed: use a host name (orders), a host and port (orders:8080) or *.suffix (*.shop.svc.cluster.local)");
            }
            return p;
        }

        /**
         * Adds a listener for the client's events; default none.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(FairwayListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * The time source for resolvers, health checks and lifetime policies; default {@link System#nanoTime()}.
         * For tests, together with {@link #scheduler(Scheduler)}.
         *
         * @param ticker the time source
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Where timers run; default one daemon thread owned by the client. For tests, together with
         * {@link #ticker(Ticker)}; a scheduler given here is not shut down by the client.
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * The seed of the client's randomness (start offsets, shuffling, jitter); default random per client.
         * Clients with different seeds start on different backends.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Replaces how leaves are built from their configured {@link HttpClient.Builder}. Not public: for benchmarks
         * that measure the facade over an in-process leaf, and for tests.
         */
        Builder leafFactory(java.util.function.Function<HttpClient.Builder, HttpClient> factory) {
            this.leafFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Applies every {@code fairway.*} key of {@code properties} (see the table above); other keys are ignored.
         *
         * @param properties the configuration
         * @return this builder
         * @throws IllegalArgumentException for an unknown {@code fairway.*} key, naming it and listing the known ones,
         *                                  or a bad value of a client setting, naming the key, the value and what is
         *                                  allowed
         */
        public Builder configure(Properties properties) {
            PropertyConfiguration.apply(this, Objects.requireNonNull(properties, "properties"));
            return this;
        }

        /**
         * Applies the {@code fairway.*} system properties, as {@link #configure(Properties)} does. Nothing is read
         * from system properties unless this is called.
         *
         * @return this builder
         * @throws IllegalArgumentException for an unknown {@code fairway.*} key or a bad value of a client setting
         */
        public Builder configureFromSystemProperties() {
            return configure(System.getProperties());
        }

        /**
         * Validates the configuration and builds the client. Resolvers, leaves and threads are created lazily, on
         * the first request to each target.
         *
         * @return a new client
         * @throws IllegalArgumentException for an unknown provider name (listing the available ones), an unknown
         *                                  option (listing the accepted ones) or a bad option value (naming the key,
         *                                  the value and what is allowed)
         */
        /** The per-target rules, each family chosen and checked as the client-wide one is. */
        @SuppressWarnings("unchecked")
        private List<ClientConfig.TargetRule> targetRules() {
            List<ClientConfig.TargetRule> rules = new ArrayList<>();
            for (String pattern : patterns()) {
                Map<String, ProviderChoice<?>> families = targets.getOrDefault(pattern, Map.of());
                ProviderChoice<ResolverProvider> r = (ProviderChoice<ResolverProvider>) families.get("resolver");
                ProviderChoice<PickerProvider> p = (ProviderChoice<PickerProvider>) families.get("picker");
                ProviderChoice<HealthCheckProvider> h = (ProviderChoice<HealthCheckProvider>) families.get("health");
                ProviderChoice<LifetimePolicyProvider> l = (ProviderChoice<LifetimePolicyProvider>) families.get("lifetime");
                rules.add(new ClientConfig.TargetRule(pattern, new ClientConfig.TargetSettings(Optional.of(pattern),
                        (r == null ? resolver : resolver.forTarget(pattern, r)).select(ProviderRegistry.resolvers()),
                        (p == null ? picker : picker.forTarget(pattern, p)).select(ProviderRegistry.pickers()),
                        (h == null ? health : health.forTarget(pattern, h)).selectOptional(ProviderRegistry.healthChecks()),
                        (l == null ? lifetime : lifetime.forTarget(pattern, l)).select(ProviderRegistry.lifetimePolicies()),
                        resilience(targetResilience.getOrDefault(pattern, Map.of()), "fairway.target[" + pattern + "]."))));
            }
            return rules;
        }

        /** The client's resilience options, with {@code over} (a target's, by family) over them, checked. */
        private Resilience resilience(Map<String, Map<String, Object>> over, String prefix) {
            Map<String, Map<String, Object>> merged = new LinkedHashMap<>();
            for (String family : List.of("retry", "hedge", "throttle")) {
                Map<String, Object> values = new LinkedHashMap<>(resilienceOptions.getOrDefault(family, Map.of()));
                values.putAll(over.getOrDefault(family, Map.of()));
                merged.put(family, values);
            }
            return Resilience.of(merged.get("retry"), merged.get("hedge"), merged.get("throttle"), prefix);
        }

        @Override
        public FairwayClient build() {
            if ((subsetIndex >= 0 || subsetClients > 0) && (subsetSize == 0 || subsetIndex < 0 || subsetIndex >= subsetClients)) {
                throw new IllegalArgumentException("subsetIndex (fairway.subset_index) = " + subsetIndex
                        + " with subsetClients (fairway.subset_clients) = " + subsetClients + " and subsetSize"
                        + " (fairway.subset_size) = " + subsetSize + " is not allowed: deterministic subsets need all three,"
                        + " a size from 1 to 100000 and an index from 0 to the number of clients - 1; or leave index and clients out");
            }
            ClientConfig config = ClientConfig.builder()
                    .connectTimeout(connectTimeout)
                    .version(version)
                    .sslContext(sslContext)
                    .sslParameters(sslParameters == null ? null : SslParametersCopy.of(sslParameters))
                    .executor(executor)
                    .redirect(redirect)
                    .cookieHandler(cookieHandler)
                    .resolveTimeout(resolveTimeout)
                    .resolver(resolver.select(ProviderRegistry.resolvers()))
                    .picker(picker.select(ProviderRegistry.pickers()))
                    .health(health.selectOptional(ProviderRegistry.healthChecks()).orElse(null))
                    .lifetime(lifetime.select(ProviderRegistry.lifetimePolicies()))
                    .targets(targetRules())
                    .listeners(listeners)
                    .ticker(ticker)
                    .scheduler(scheduler)
                    .seed(seed != null ? seed : ThreadLocalRandom.current().nextLong())
                    .priority(priority)
                    .authenticator(authenticator)
                    .localAddress(localAddress)
                    .leafFactory(leafFactory)
                    .maxConcurrency(maxConcurrency)
                    .maxQueued(maxQueued)
                    .maxTargets(maxTargets)
                    .refusedAddresses(refusedAddresses)
                    .queueTimeout(queueTimeout)
                    .idleTimeout(idleTimeout)
                    .panicThreshold(panicThreshold)
                    .outliers(OutlierDetection.of(outlierOptions))
                    .resilience(resilience(Map.of(), "fairway."))
                    .locality(Locality.of(zone, zoneOptions, environment))
                    .subsetSize(subsetSize)
                    .subsetIndex(subsetIndex)
                    .subsetClients(subsetClients)
                    .subsetKey(subsetKey != null ? subsetKey.hashCode() * 0x9E3779B97F4A7C15L + subsetKey.length()
                            : ThreadLocalRandom.current().nextLong())
                    .jmx(jmx)
                    .build();
            return new FairwayClient(new Engine(config));
        }
    }
}
