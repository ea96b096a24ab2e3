package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The options of the {@code kubernetes} resolver, with their defaults, and the checks that span several of them.
 * The module documentation and {@code docs/kubernetes.md} describe each one.
 */
final class KubernetesOptions {

    /** The prefix of this family's option keys, for messages. */
    static final String PREFIX = "fairway.resolver.";

    /** Where a pod finds its service account. */
    static final String SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount/";

    /** How the target URI's port becomes an endpoint port. */
    enum PortMode {
        /** The URI's port is a Service port, mapped to the endpoints' port through the Service's port name. */
        SERVICE,
        /** The URI's port is an endpoint (target) port; the Service is not read. */
        ENDPOINT
    }

    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    static final Option<String> CLUSTER_DOMAIN = Option.ofCustom("cluster_domain", "cluster.local",
            "the cluster's DNS domain, for targets <service>.<namespace>.svc.<cluster_domain>",
            "a DNS name such as cluster.local", raw -> {
                if (raw instanceof String s) {
                    String d = s.trim().toLowerCase(Locale.ROOT);
                    d = d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
                    if (d.length() <= 253 && DNS_NAME.matcher(d).matches()) {
                        return d;
                    }
                }
                throw new IllegalArgumentException();
            });

    static final Option<String> NAMESPACE_FILE = Option.ofString("namespace_file", SERVICE_ACCOUNT + "namespace",
            "the file holding the namespace of targets that name none (the pod's own namespace)");

    static final Option<PortMode> PORT_MODE = Option.ofEnum("port_mode", PortMode.class, PortMode.SERVICE,
            "service (the URI's port is a Service port, mapped through the Service's port name; needs get on services)"
                    + " or endpoint (the URI's port is an endpoint port; the Service is not read)");

    static final Option<Duration> SERVICE_REFRESH = Option.ofDuration("service_refresh", Duration.ofSeconds(30),
            Duration.ofSeconds(1), Duration.ofHours(1), "how often the Service is read again (port_mode=service)");

    static final Option<String> API_URL = Option.ofCustom("api_url", "",
            "the API server; empty means in the cluster, from KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT",
            "empty, or an http:// or https:// URL with a host and no path, query or user info, such as"
                    + " http://127.0.0.1:8001", raw -> {
                if (raw instanceof String s) {
                    String t = s.trim();
                    if (t.isEmpty()) {
                        return "";
                    }
                    try {
                        URI uri = new URI(t.endsWith("/") ? t.substring(0, t.length() - 1) : t);
                        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                        if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                                && uri.getRawUserInfo() == null && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                                && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                            return scheme + uri.toString().substring(uri.getScheme().length()); // HTTPS:// is https://
                        }
                    } catch (URISyntaxException e) {
                        throw new IllegalArgumentException(e.getReason(), e);
                    }
                }
                throw new IllegalArgumentException();
            });

    static final Option<String> TOKEN_FILE = Option.ofString("token_file", SERVICE_ACCOUNT + "token",
            "the bearer token file, re-read every token_refresh; empty sends no token");

    static final Option<Duration> TOKEN_REFRESH = Option.ofDuration("token_refresh", Duration.ofMinutes(1),
            Duration.ofSeconds(1), Duration.ofMinutes(1),
            "how long a token read from token_file is used before the file is read again (kubelet rotates it)");

    static final Option<String> CA_FILE = Option.ofString("ca_file", SERVICE_ACCOUNT + "ca.crt",
            "PEM certificates: the only trust anchors for an https API server");

    static final Option<Duration> REQUEST_TIMEOUT = Option.ofDuration("request_timeout", Duration.ofSeconds(10),
            Duration.ofMillis(100), Duration.ofMinutes(5), "connect and response timeout of list and get requests");

    static final Option<Duration> WATCH_TIMEOUT = Option.ofDuration("watch_timeout", Duration.ofMinutes(5),
            Duration.ofSeconds(1), Duration.ofHours(1),
            "the server-side end of each watch (timeoutSeconds), spread by up to 20 % less; the watch then resumes");

    static final Option<Duration> STALL_TIMEOUT = Option.ofDuration("stall_timeout", Duration.ofMinutes(2),
            Duration.ofMillis(100), Duration.ofHours(1),
            "a watch that sends no byte for this long is dropped and resumed (bookmarks come about every minute)");

    static final Option<Duration> BACKOFF_INITIAL = Option.ofDuration("backoff_initial", Duration.ofSeconds(1),
            Duration.ofMillis(10), Duration.ofHours(1),
            "delay before the first retry after a failure; doubles with each further failure in a row, with jitter");

    static final Option<Duration> BACKOFF_MAX = Option.ofDuration("backoff_max", Duration.ofSeconds(30),
            Duration.ofMillis(10), Duration.ofHours(1), "longest retry delay after failures");

    static final Option<Integer> MAX_SLICES = Option.ofInt("max_slices", 1000, 1, 100_000,
            "most EndpointSlices of one Service; more fail the resolution");

    static final Option<Integer> MAX_ENDPOINTS = Option.ofInt("max_endpoints", 10_000, 1, 1_000_000,
            "most endpoints over all slices of one Service; more fail the resolution");

    static final Option<Integer> MAX_LINE_BYTES = Option.ofInt("max_line_bytes", 4 << 20, 1024, 256 << 20,
            "longest watch event (one line of the watch stream), in bytes");

    static final Option<Integer> MAX_RESPONSE_BYTES = Option.ofInt("max_response_bytes", 32 << 20, 1024, 1 << 30,
            "largest list or get response, in bytes");

    static final List<Option<?>> ALL = List.of(CLUSTER_DOMAIN, NAMESPACE_FILE, PORT_MODE, SERVICE_REFRESH, API_URL,
            TOKEN_FILE, TOKEN_REFRESH, CA_FILE, REQUEST_TIMEOUT, WATCH_TIMEOUT, STALL_TIMEOUT, BACKOFF_INITIAL,
            BACKOFF_MAX, MAX_SLICES, MAX_ENDPOINTS, MAX_LINE_BYTES, MAX_RESPONSE_BYTES);

    private KubernetesOptions() {
    }

    /**
     * Checks what single options cannot: {@code backoff_initial} not longer than {@code backoff_max}.
     *
     * @param options the validated values
     * @throws IllegalArgumentException naming both options, their values and what to change
     */
    static void validate(OptionValues options) {
        Duration initial = options.get(BACKOFF_INITIAL);
        Duration max = options.get(BACKOFF_MAX);
        if (initial.compareTo(max) > 0) {
            throw new IllegalArgumentException(PREFIX + BACKOFF_INITIAL.key() + " = " + text(initial) + " is longer than "
                    + PREFIX + BACKOFF_MAX.key() + " = " + text(max) + ": make " + BACKOFF_INITIAL.key()
                    + " shorter or " + BACKOFF_MAX.key() + " longer");
        }
    }

    static String text(Duration d) {
        return d.toNanosPart() % 1_000_000 == 0 && d.getSeconds() < 1000 && d.toMillisPart() != 0 ? d.toMillis() + "ms"
                : d.getNano() == 0 ? d.getSeconds() + "s" : d.toString();
    }
}
