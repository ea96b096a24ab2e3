package dev.fairway.internal;

import dev.fairway.FairwayListener;
import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.LifetimePolicyProvider;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.PickerProvider;
import dev.fairway.spi.Provider;
import dev.fairway.spi.ResolverProvider;
import dev.fairway.spi.Scheduler;
import dev.fairway.spi.Ticker;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The validated configuration of one client, as {@code FairwayClient.Builder.build()} produced it.
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
 * @param queueTimeout    the longest a request queues for a backend when it has no timeout of its own
 * @param idleTimeout     how long an unused target keeps its resolver, checks and leaves
 * @param panicThreshold  below this fraction of usable backends, all backends are used; 0 turns panic mode off
 * @param outliers        passive outlier detection settings
 * @param subsetSize      backends each target keeps (rendezvous hashing); 0 for all
 * @param subsetKey       this client's subsetting key, hashed
 * @param jmx             whether to register the client's MXBean when {@code java.management} is present
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
                           java.util.function.Function<HttpClient.Builder, HttpClient> leafFactory,
                           int maxConcurrency, Duration queueTimeout, Duration idleTimeout,
                           double panicThreshold, OutlierDetection outliers, int subsetSize, long subsetKey,
                           boolean jmx) {

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
