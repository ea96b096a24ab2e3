/**
 * The Kubernetes resolver: follows a Service's pods through the API server's EndpointSlices, with the JDK alone,
 * so that a client sees a pod within milliseconds of its readiness change, and sees pods that are going away as
 * draining rather than gone.
 *
 * <p>Put this module on the module path (or its jar on the class path) and select it by name:
 * {@code resolver("kubernetes")} or {@code fairway.resolver=kubernetes}; options are
 * {@code resolverOption(key, value)} or {@code fairway.resolver.<key>}. It exports nothing and requires only
 * {@code dev.fairway.spi} (and through it {@code java.net.http}); it has its own small, bounded JSON reader.
 *
 * <p><b>Targets.</b> {@code http://orders.shop.svc.cluster.local:8080/}, {@code http://orders.shop:8080/} and
 * {@code http://orders:8080/} (the namespace of the pod, read from {@code namespace_file}) all name the Service
 * {@code orders} in the namespace {@code shop}. The URI's port is the Service's port: with {@code port_mode=service}
 * (the default) the resolver reads the Service, takes the name of the port with that number, and publishes each
 * endpoint with the EndpointSlice port of that name (a port that the Service does not have is taken as an endpoint
 * port as it is); with {@code port_mode=endpoint} the URI's port must be an endpoint port and the Service is not read.
 *
 * <p><b>Discovery.</b> It lists the EndpointSlices labelled {@code kubernetes.io/service-name=<service>}, then
 * watches them from the list's {@code resourceVersion} with bookmarks. All slices are merged, an endpoint in two
 * slices (during a handover) is published once, and a deleted slice removes only its own endpoints. Conditions are
 * read as kube-proxy reads them (KEP-1669): {@code ready} absent means ready; the ready endpoints are published; an
 * endpoint that is {@code serving} and {@code terminating} is published with the attribute
 * {@link dev.fairway.spi.BackendAddress#DRAINING draining=true} (no new requests, in-flight ones finish); when no
 * endpoint is ready, the serving and terminating ones are published as usable. Each address carries the attributes
 * {@code zone}, {@code node}, {@code hints.for_zones} and {@code hints.for_nodes} (comma-separated) where the slice
 * gives them. A watch that ends is resumed from the last {@code resourceVersion}; one that fails, or stays silent for
 * {@code stall_timeout}, is resumed after a backoff with jitter; {@code 410 Gone} lists again. While the API server is
 * unreachable the last published set stays, and each failure is reported to Fairway and logged at WARNING.
 *
 * <p><b>Access.</b> In a pod: {@code https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT}, the
 * service-account token (re-read at least every {@code token_refresh}, and at once after a 401) and the
 * service-account {@code ca.crt} as the only trust anchor, with host name verification; nothing JVM-wide changes.
 * Out of a cluster: {@code api_url} (for example {@code http://127.0.0.1:8001} of {@code kubectl proxy}),
 * {@code token_file} and {@code ca_file}. RBAC: {@code list} and {@code watch} on {@code endpointslices}
 * ({@code discovery.k8s.io}) in the Service's namespace, and {@code get} on {@code services} for
 * {@code port_mode=service}.
 *
 * <table class="striped">
 * <caption>Options (key {@code fairway.resolver.<key>})</caption>
 * <thead><tr><th>key</th><th>default</th><th>meaning</th></tr></thead>
 * <tbody>
 * <tr><td>{@code cluster_domain}</td><td>{@code cluster.local}</td><td>the cluster's DNS domain, for targets
 *     {@code <service>.<namespace>.svc.<cluster_domain>}</td></tr>
 * <tr><td>{@code namespace_file}</td><td>{@code /var/run/secrets/kubernetes.io/serviceaccount/namespace}</td>
 *     <td>where the namespace of a target without one is read</td></tr>
 * <tr><td>{@code port_mode}</td><td>{@code service}</td><td>{@code service} (the URI's port is a Service port,
 *     mapped through the Service's port name; needs {@code get services}) or {@code endpoint} (the URI's port is an
 *     endpoint port)</td></tr>
 * <tr><td>{@code service_refresh}</td><td>{@code 30s}</td><td>how often the Service is read again, 1s to 1h</td></tr>
 * <tr><td>{@code api_url}</td><td>empty</td><td>the API server, {@code http://} or {@code https://} with host and
 *     port; empty means in the cluster, from {@code KUBERNETES_SERVICE_HOST} and {@code KUBERNETES_SERVICE_PORT}</td></tr>
 * <tr><td>{@code token_file}</td><td>{@code /var/run/secrets/kubernetes.io/serviceaccount/token}</td>
 *     <td>the bearer token; empty sends none; with {@code api_url} given and this left at its default, the file's
 *     token is sent only to an {@code https} URL and only if the file exists</td></tr>
 * <tr><td>{@code token_refresh}</td><td>{@code 1m}</td><td>how long a read token is used before the file is read
 *     again, 1s to 1m</td></tr>
 * <tr><td>{@code ca_file}</td><td>{@code /var/run/secrets/kubernetes.io/serviceaccount/ca.crt}</td>
 *     <td>PEM certificates, the only trust anchors for an {@code https} API server</td></tr>
 * <tr><td>{@code request_timeout}</td><td>{@code 10s}</td><td>connect and response timeout of list and get
 *     requests, 100ms to 5m</td></tr>
 * <tr><td>{@code watch_timeout}</td><td>{@code 5m}</td><td>the server-side end of each watch
 *     ({@code timeoutSeconds}, spread by up to 20 % less), 1s to 1h</td></tr>
 * <tr><td>{@code stall_timeout}</td><td>{@code 2m}</td><td>a watch that sends no byte for this long is dropped and
 *     resumed, 100ms to 1h (the API server sends a bookmark about every minute)</td></tr>
 * <tr><td>{@code backoff_initial}</td><td>{@code 1s}</td><td>delay before the first retry after a failure, 10ms to
 *     1h; doubles per failure in a row, with up to 20 % jitter</td></tr>
 * <tr><td>{@code backoff_max}</td><td>{@code 30s}</td><td>longest retry delay, 10ms to 1h, not shorter than
 *     {@code backoff_initial}</td></tr>
 * <tr><td>{@code max_slices}</td><td>{@code 1000}</td><td>most EndpointSlices of one Service, 1 to 100000</td></tr>
 * <tr><td>{@code max_endpoints}</td><td>{@code 10000}</td><td>most endpoints over all slices, 1 to 1000000</td></tr>
 * <tr><td>{@code max_line_bytes}</td><td>{@code 4194304}</td><td>longest watch event (one line), 1 KiB to
 *     256 MiB</td></tr>
 * <tr><td>{@code max_response_bytes}</td><td>{@code 33554432}</td><td>largest list or get response, 1 KiB to
 *     1 GiB</td></tr>
 * </tbody>
 * </table>
 *
 * <p>A {@code token_file}, {@code ca_file} or {@code namespace_file} that is given must be readable when the client is
 * built; the defaults, which Kubernetes mounts into every pod, are read when used. Beyond a bound the resolution fails with an error naming the bound's key and the value to raise, and the last
 * set stays. This module reads no system properties; it reads the environment variables
 * {@code KUBERNETES_SERVICE_HOST} and {@code KUBERNETES_SERVICE_PORT}.
 *
 * @provides dev.fairway.spi.ResolverProvider {@code kubernetes}, priority 5
 */
module dev.fairway.resolver.kubernetes {
    requires dev.fairway.spi;

    provides dev.fairway.spi.ResolverProvider with dev.fairway.resolver.kubernetes.internal.KubernetesResolverProvider;
}
