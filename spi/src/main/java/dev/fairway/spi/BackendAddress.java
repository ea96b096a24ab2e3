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
 * @param attributes    further attributes, for example {@value #ZONE}; copied
 */
public record BackendAddress(InetSocketAddress socketAddress, int weight, Map<String, String> attributes) {

    /** The attribute key of the address's zone (for example a Kubernetes topology zone). */
    public static final String ZONE = "zone";

    /**
     * The attribute key that tells apart several backends at the same IP address and port: a resolver that
     * publishes one address more than once (to get several independent connection pools to a virtual IP) gives
     * each copy a distinct value, such as {@code "0"}, {@code "1"}, …. Fairway keys backends by socket address
     * and this attribute.
     */
    public static final String REPLICA = "replica";

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
