/**
 * Fairway: client-side HTTP load balancing for {@code java.net.http}.
 *
 * <p>{@link dev.fairway.FairwayClient} is an {@link java.net.http.HttpClient} that resolves each request's host to
 * all its addresses and spreads requests over them. Providers of the four families in {@code dev.fairway.spi} are
 * found with {@link java.util.ServiceLoader} on the module path and the class path; add the provider modules you
 * need ({@code dev.fairway.resolver.dns} for the default {@code dns} resolver, {@code dev.fairway.balancer.leastconn}
 * for the default {@code least_loaded} picker; without it the client falls back to {@code round_robin} from
 * {@code dev.fairway.balancer.roundrobin} and logs a WARNING).
 *
 * <p>Built in: the {@code static} resolver (option {@code fairway.resolver.addresses}, required: IP addresses with
 * optional ports); the {@code max_age} lifetime policy, the default (options {@code fairway.lifetime.max_age}, default
 * {@code 5m}; {@code fairway.lifetime.max_age_jitter}, default {@code 0.1}; {@code fairway.lifetime.max_requests},
 * default {@code 0} for no limit; {@code fairway.lifetime.drain_grace}, default {@code none}: a replaced leaf closes
 * when its last exchange ends); and the {@code never} lifetime policy (option {@code fairway.lifetime.drain_grace},
 * default {@code none}).
 *
 * <p>Configuration keys, read by {@code FairwayClient.Builder.configure(Properties)} and
 * {@code configureFromSystemProperties()} (never implicitly):
 * <ul>
 * <li>{@code fairway.resolver} (default {@code dns}), {@code fairway.resolver.<option>}</li>
 * <li>{@code fairway.picker} (default {@code least_loaded}), {@code fairway.picker.<option>}</li>
 * <li>{@code fairway.health} (default {@code none}), {@code fairway.health.<option>}</li>
 * <li>{@code fairway.lifetime} (default {@code max_age}), {@code fairway.lifetime.<option>}</li>
 * <li>{@code fairway.connect_timeout} (default {@code 2s}), {@code fairway.version} (default {@code http_2}),
 *     {@code fairway.follow_redirects} (default {@code never}), {@code fairway.resolve_timeout} (default {@code 10s}),
 *     {@code fairway.max_concurrency} (default {@code 100}), {@code fairway.max_queued} (default {@code 1000}),
 *     {@code fairway.queue_timeout} (default {@code 10s}), {@code fairway.idle_timeout} (default {@code 15m}),
 *     {@code fairway.max_targets} (default {@code 256}), {@code fairway.panic_threshold} (default {@code 0.5}),
 *     {@code fairway.subset_size} (default {@code 0}), {@code fairway.subset_key} (default random),
 *     {@code fairway.subset_index} (default {@code -1}, none), {@code fairway.subset_clients} (default {@code 0}, none),
 *     {@code fairway.refuse_addresses} (default {@code unspecified,multicast,broadcast,link_local}),
 *     {@code fairway.jmx} (default {@code true})</li>
 * <li>{@code fairway.outlier.<option>}: passive outlier detection (gRFC A50 defaults; see {@code docs/guide.md})</li>
 * <li>{@code fairway.retry.<option>}, {@code fairway.hedge.<option>}, {@code fairway.throttle.<option>}: retries, the
 * retry budget, hedging and client-side throttling (see {@code docs/guide.md})</li>
 * <li>{@code fairway.zone} (default: the environment variable {@code FAIRWAY_ZONE}, else none), {@code fairway.zone.<option>}:
 *     zone-aware routing (see {@code docs/kubernetes.md})</li>
 * <li>{@code fairway.target.<name>.host} and {@code fairway.target.<name>.<key>}: providers and options for some targets
 *     only (see {@code docs/guide.md})</li>
 * </ul>
 *
 * <p>Optional at run time: {@code jdk.jfr} (Fairway's events are then also JFR events, {@code dev.fairway.*}, recorded
 * when enabled) and {@code java.management} (each client registers a {@code FairwayClientMXBean}; property
 * {@code fairway.jmx}, default {@code true}). On the module path add them with {@code --add-modules} if nothing else
 * requires them.
 *
 * <p>JDK properties that matter: {@code jdk.httpclient.allowRestrictedHeaders=host} lets https HTTP/1.1 requests carry
 * the logical {@code Host}; {@code jdk.httpclient.redirects.retrylimit} (default 5) bounds redirects;
 * {@code jdk.httpclient.keepalive.timeout} (default 30 s) closes idle connections.
 */
module dev.fairway {
    requires transitive dev.fairway.spi;
    requires static java.management;
    requires static jdk.jfr;

    exports dev.fairway;
    exports dev.fairway.internal.jfr to jdk.jfr;

    uses dev.fairway.spi.ResolverProvider;
    uses dev.fairway.spi.PickerProvider;
    uses dev.fairway.spi.HealthCheckProvider;
    uses dev.fairway.spi.LifetimePolicyProvider;

    provides dev.fairway.spi.ResolverProvider with dev.fairway.internal.StaticResolverProvider;
    provides dev.fairway.spi.LifetimePolicyProvider with
            dev.fairway.internal.MaxAgeLifetimePolicyProvider,
            dev.fairway.internal.NeverLifetimePolicyProvider;
}
