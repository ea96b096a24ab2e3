package dev.fairway.resolver.dns.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Which address families a resolver publishes. A load balancer uses every address it publishes, so "prefer" means
 * "only this family while it has addresses, the other one otherwise", not "this family first".
 */
public enum AddressPolicy {

    /** IPv4 addresses when there are any, otherwise IPv6 ones (the default). */
    PREFER_IPV4,
    /** IPv6 addresses when there are any, otherwise IPv4 ones. */
    PREFER_IPV6,
    /** IPv4 addresses only. */
    IPV4_ONLY,
    /** IPv6 addresses only. */
    IPV6_ONLY,
    /** Both families. */
    BOTH;

    /** The DNS record type of IPv4 addresses. */
    static final String A = "A";
    /** The DNS record type of IPv6 addresses. */
    static final String AAAA = "AAAA";

    /**
     * The addresses of {@code found} this policy keeps, in their order.
     *
     * @param found addresses of either family
     * @return the kept addresses; empty when the policy keeps none
     */
    List<InetAddress> select(List<InetAddress> found) {
        List<InetAddress> v4 = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        for (InetAddress a : found) {
            if (a instanceof Inet4Address) {
                v4.add(a);
            } else if (a instanceof Inet6Address) {
                v6.add(a);
            }
        }
        return switch (this) {
            case PREFER_IPV4 -> v4.isEmpty() ? v6 : v4;
            case PREFER_IPV6 -> v6.isEmpty() ? v4 : v6;
            case IPV4_ONLY -> v4;
            case IPV6_ONLY -> v6;
            case BOTH -> {
                List<InetAddress> all = new ArrayList<>(v4.size() + v6.size());
                for (InetAddress a : found) {
                    if (a instanceof Inet4Address || a instanceof Inet6Address) {
                        all.add(a);
                    }
                }
                yield all;
            }
        };
    }

    /**
     * The record types a direct look-up asks for, in order. For the two {@code prefer_} policies the second type is
     * asked only when the first has no records.
     *
     * @return {@code A}, {@code AAAA} or both
     */
    List<String> recordTypes() {
        return switch (this) {
            case PREFER_IPV4, BOTH -> List.of(A, AAAA);
            case PREFER_IPV6 -> List.of(AAAA, A);
            case IPV4_ONLY -> List.of(A);
            case IPV6_ONLY -> List.of(AAAA);
        };
    }

    /**
     * Whether a direct look-up asks for the second record type even when the first one has records.
     *
     * @return {@code true} for {@link #BOTH}
     */
    boolean asksForBoth() {
        return this == BOTH;
    }

    /**
     * The option value that selects this policy.
     *
     * @return for example {@code prefer_ipv4}
     */
    String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
