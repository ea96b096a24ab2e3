package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Target;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Looks names up through the JVM's system resolver, {@link InetAddress#getAllByName(String)}: {@code /etc/hosts},
 * search domains, any {@link java.net.spi.InetAddressResolverProvider}, and the JVM's address cache
 * ({@code networkaddress.cache.ttl}). The JDK cannot tell "no such name" from "DNS unreachable" (both are an
 * {@link java.net.UnknownHostException}), so such failures are plain errors here: the last good set is kept.
 */
final class SystemLookup implements Lookup {

    /** {@link InetAddress#getAllByName(String)}, replaceable in tests. */
    @FunctionalInterface
    interface Resolve {
        /**
         * Resolves {@code host}.
         *
         * @param host the host
         * @return its addresses
         * @throws IOException if it cannot be resolved
         */
        InetAddress[] resolve(String host) throws IOException;
    }

    private final Resolve resolve;
    private final AddressPolicy policy;

    /**
     * A look-up through {@code resolve}.
     *
     * @param resolve the system resolver, or a test's
     * @param policy  which families to keep
     */
    SystemLookup(Resolve resolve, AddressPolicy policy) {
        this.resolve = Objects.requireNonNull(resolve, "resolve");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * A look-up through the JVM's resolver.
     *
     * @param policy which families to keep
     * @return the look-up
     */
    static SystemLookup system(AddressPolicy policy) {
        return new SystemLookup(InetAddress::getAllByName, policy);
    }

    @Override
    public Answer lookup(Target target) throws IOException {
        String host = target.host();
        InetAddress[] found = resolve.resolve(host);
        List<InetAddress> kept = policy.select(List.of(found));
        if (kept.isEmpty()) {
            throw new NoAddressesException("the system resolver found " + (found.length == 0 ? "no addresses"
                    : List.of(found).stream().map(InetAddress::getHostAddress).collect(Collectors.joining(", ")))
                    + " for " + host + ", none of which address_policy=" + policy.key() + " keeps", true);
        }
        List<Endpoint> endpoints = new ArrayList<>(kept.size());
        for (InetAddress a : kept) {
            endpoints.add(Endpoint.of(a));
        }
        return Answer.withoutTtl(endpoints);
    }

    @Override
    public String toString() {
        return "system resolver, " + policy.key();
    }
}
