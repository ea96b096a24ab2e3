package dev.fairway.spi;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One resolved address of a target, with attributes a resolver may attach.
 *
 * @param socketAddress the IP address and port; must be resolved
 * @param weight        the relative share of traffic weighted pickers give this address, 1 to
 *                      {@value #MAX_WEIGHT}; 1 unless the resolver knows better (for example from an SRV record)
 * @param attributes    further attributes, for example {@value #ZONE} or {@value #DRAINING}; copied
 */
public record BackendAddress(InetSocketAddress socketAddress, int weight, Map<String, String> attributes) {

    /** The attribute key of the address's zone (for example a Kubernetes topology zone). */
    public static final String ZONE = "zone";

    /** The attribute key of the node (machine) the address's backend runs on, for example a Kubernetes node name. */
    public static final String NODE = "node";

    /**
     * The attribute key of the zones whose clients should use this address, comma-separated: Kubernetes'
     * {@code hints.forZones} (topology-aware routing, {@code trafficDistribution}). Fairway honours it as kube-proxy
     * does: only when every address of the target carries it.
     */
    public static final String HINTS_FOR_ZONES = "hints.for_zones";

    /**
     * The attribute key of the nodes whose clients should use this address, comma-separated: Kubernetes'
     * {@code hints.forNodes} ({@code trafficDistribution: PreferSameNode}). Honoured like {@value #HINTS_FOR_ZONES}.
     */
    public static final String HINTS_FOR_NODES = "hints.for_nodes";

    /**
     * The attribute key that tells apart several backends at the same IP address and port: a resolver that
     * publishes one address more than once (to get several independent connection pools to a virtual IP) gives
     * each copy a distinct value, such as {@code "0"}, {@code "1"}, …. Fairway keys backends by socket address
     * and this attribute.
     */
    public static final String REPLICA = "replica";

    /**
     * The attribute key that marks an address as draining, with the value {@code "true"} (any other value, or no
     * such attribute, means not draining). A resolver publishes an address as draining when its backend is still
     * serving but going away, such as a Kubernetes endpoint that is {@code serving} and {@code terminating}: Fairway
     * then picks it for no new requests, and keeps its connections open until the exchanges already on them end.
     * Publishing the address again without the attribute returns it to the rotation; leaving it out of the set removes
     * it. Resolvers that know nothing of draining (DNS) never set it.
     */
    public static final String DRAINING = "draining";

    /** The largest weight. */
    public static final int MAX_WEIGHT = 1_000_000;

    /**
     * Validates the address.
     *
     * @throws IllegalArgumentException if the socket address is unresolved or the weight is out of range
     */
    public BackendAddress {
        Objects.requireNonNull(socketAddress, "socketAddress");
        if (socketAddress.isUnresolved()) {
            throw new IllegalArgumentException("address " + socketAddress + " is unresolved: backends are IP addresses");
        }
        if (socketAddress.getPort() == 0) {
            throw new IllegalArgumentException("address " + socketAddress + " has port 0: backends need a port from 1 to 65535");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight " + weight + " of " + socketAddress + " is out of range: use 1 to " + MAX_WEIGHT);
        }
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
    }

    /**
     * An address with weight 1 and no attributes.
     *
     * @param address the IP address
     * @param port    the port
     * @return the backend address
     */
    public static BackendAddress of(InetAddress address, int port) {
        return new BackendAddress(new InetSocketAddress(address, port), 1, Map.of());
    }

    /**
     * The address's zone, from the {@value #ZONE} attribute.
     *
     * @return the zone, if the resolver knows it
     */
    public Optional<String> zone() {
        return Optional.ofNullable(attributes.get(ZONE));
    }

    /**
     * Whether the address is draining: its {@value #DRAINING} attribute is {@code "true"}. Fairway picks a draining
     * address for no new requests and keeps its connections until their exchanges end.
     *
     * @return {@code true} when the resolver marked the address as draining
     */
    public boolean draining() {
        return "true".equals(attributes.get(DRAINING));
    }

    /**
     * The authority to use in a URI that reaches this address: {@code ip:port}, with brackets around IPv6.
     *
     * @return the authority
     */
    public String authority() {
        InetAddress ip = socketAddress.getAddress();
        String literal = ip.getHostAddress();
        if (ip instanceof Inet6Address) {
            int scope = literal.indexOf('%');
            literal = "[" + (scope >= 0 ? literal.substring(0, scope) : literal) + "]";
        }
        return literal + ":" + socketAddress.getPort();
    }

    @Override
    public String toString() {
        return authority() + (weight != 1 ? " weight=" + weight : "") + (attributes.isEmpty() ? "" : " " + attributes);
    }
}
