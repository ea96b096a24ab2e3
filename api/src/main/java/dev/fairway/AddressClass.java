package dev.fairway;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;

/**
 * Kinds of IP address a client refuses to dial, whatever resolver published them ({@code fairway.refuse_addresses};
 * by default all four). None of them is ever a pod: an answer holding one is a misconfiguration or an attack (a
 * record pointing at {@code 0.0.0.0} reaches a service listening on the client's own loopback; {@code 169.254.169.254}
 * is the cloud metadata service). Loopback addresses stay allowed, for sidecars and tests.
 */
public enum AddressClass {
    /** {@code 0.0.0.0} and {@code ::}. */
    UNSPECIFIED,
    /** {@code 224.0.0.0/4} and {@code ff00::/8}. */
    MULTICAST,
    /** {@code 255.255.255.255}. */
    BROADCAST,
    /** {@code 169.254.0.0/16} (among them the cloud metadata address {@code 169.254.169.254}) and {@code fe80::/10}. */
    LINK_LOCAL;

    /**
     * The class of an address, if it is one of these.
     *
     * @param address the address
     * @return its class, or {@code null} for an ordinary (unicast, routable or loopback) address
     */
    public static AddressClass of(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return UNSPECIFIED;
        }
        if (address.isMulticastAddress()) {
            return MULTICAST;
        }
        if (address.isLinkLocalAddress()) {
            return LINK_LOCAL;
        }
        if (address instanceof Inet4Address v4) {
            byte[] b = v4.getAddress();
            if ((b[0] & b[1] & b[2] & b[3]) == (byte) 0xff) {
                return BROADCAST;
            }
        }
        return null;
    }

    /**
     * The name used in configuration.
     *
     * @return the name in lower case, e.g. {@code link_local}
     */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
