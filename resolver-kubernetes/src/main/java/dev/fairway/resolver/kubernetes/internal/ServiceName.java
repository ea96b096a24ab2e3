package dev.fairway.resolver.kubernetes.internal;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Service a target's host names: {@code <service>.<namespace>.svc.<cluster domain>},
 * {@code <service>.<namespace>.svc}, {@code <service>.<namespace>} or {@code <service>}.
 *
 * @param service   the Service's name
 * @param namespace its namespace, empty when the host names none (the pod's own namespace then applies)
 */
record ServiceName(String service, Optional<String> namespace) {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    ServiceName {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(namespace, "namespace");
    }

    /**
     * Reads a target host.
     *
     * @param host          the target's host, lower case
     * @param clusterDomain the cluster's domain, such as {@code cluster.local}
     * @return the Service it names
     * @throws IllegalArgumentException if the host names no Service, saying which forms are accepted
     */
    static ServiceName of(String host, String clusterDomain) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String suffix = ".svc." + clusterDomain;
        if (h.endsWith(suffix)) {
            h = h.substring(0, h.length() - suffix.length());
        } else if (h.endsWith(".svc")) {
            h = h.substring(0, h.length() - ".svc".length());
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length <= 2 && LABEL.matcher(parts[0]).matches()
                && (parts.length == 1 || LABEL.matcher(parts[1]).matches())) {
            return new ServiceName(parts[0], parts.length == 2 ? Optional.of(parts[1]) : Optional.empty());
        }
        throw new IllegalArgumentException("host '" + host + "' names no Kubernetes Service: the kubernetes resolver"
                + " takes <service>.<namespace>.svc." + clusterDomain + ", <service>.<namespace>.svc,"
                + " <service>.<namespace> or <service> (DNS labels; set fairway.resolver.cluster_domain if the cluster's"
                + " domain is not " + clusterDomain + ")");
    }
}
