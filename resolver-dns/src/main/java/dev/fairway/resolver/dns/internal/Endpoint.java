package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.BackendAddress;

import java.net.InetAddress;
import java.util.Map;
import java.util.Objects;

/**
 * One address a look-up found, before the resolver orders and publishes it.
 *
 * @param address    the IP address
 * @param port       the port from the record (SRV), or 0 for the target's port
 * @param weight     the weight, 1 to {@link BackendAddress#MAX_WEIGHT}
 * @param attributes attributes to publish with the address; copied
 */
record Endpoint(InetAddress address, int port, int weight, Map<String, String> attributes) {

    Endpoint {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
        if (weight < 1 || weight > BackendAddress.MAX_WEIGHT) {
            throw new IllegalArgumentException("weight " + weight + " out of range");
        }
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
    }

    /**
     * An address with the target's port, weight 1 and no attributes.
     *
     * @param address the IP address
     * @return the endpoint
     */
    static Endpoint of(InetAddress address) {
        return new Endpoint(address, 0, 1, Map.of());
    }
}
