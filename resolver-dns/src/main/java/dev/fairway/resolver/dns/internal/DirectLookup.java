package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Target;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Looks names up with A and AAAA queries (one record type per query) sent straight to name servers: the given
 * ones, or those of {@code /etc/resolv.conf}, read again at every look-up. Bypasses the JVM's address cache,
 * {@code /etc/hosts} and search domains: names are queried as given.
 */
final class DirectLookup implements Lookup {

    private final List<NameServer> servers;
    private final Path resolvConf;
    private final int resolvConfPort;
    private final Duration timeout;
    private final int attempts;
    private final AddressPolicy policy;

    /**
     * A direct look-up.
     *
     * @param servers        the name servers; empty to read {@code resolvConf} at each look-up
     * @param resolvConf     the system configuration, {@link ResolvConf#SYSTEM} outside tests
     * @param resolvConfPort the port of the servers read from it, 53 outside tests
     * @param timeout        the first round's timeout per server
     * @param attempts       the rounds per query
     * @param policy         which record types to ask for and which addresses to keep
     */
    DirectLookup(List<NameServer> servers, Path resolvConf, int resolvConfPort, Duration timeout, int attempts,
                 AddressPolicy policy) {
        this.servers = List.copyOf(servers);
        this.resolvConf = Objects.requireNonNull(resolvConf, "resolvConf");
        this.resolvConfPort = resolvConfPort;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.attempts = attempts;
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * The client for one look-up: to the given servers, or to those of the system configuration as it is now.
     *
     * @return the client
     * @throws IOException if the system configuration is missing or malformed
     */
    JndiDns dns() throws IOException {
        return new JndiDns(servers.isEmpty() ? ResolvConf.read(resolvConf, resolvConfPort) : servers, timeout, attempts);
    }

    @Override
    public List<Endpoint> lookup(Target target) throws IOException {
        String host = target.host();
        if (NameServer.isLiteral(host)) {
            return literal(host, policy);
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (InetAddress a : addresses(dns(), host, policy)) {
            endpoints.add(Endpoint.of(a));
        }
        return endpoints;
    }

    /**
     * The addresses of {@code name} that {@code policy} asks for, by A and AAAA queries.
     *
     * @param dns    the client
     * @param name   the name
     * @param policy the address policy
     * @return at least one address
     * @throws NoAddressesException for NXDOMAIN, or when no record of the asked types exists
     * @throws IOException          for other failures
     */
    static List<InetAddress> addresses(JndiDns dns, String name, AddressPolicy policy) throws IOException {
        List<String> types = policy.recordTypes();
        List<InetAddress> found = new ArrayList<>();
        for (String type : types) {
            for (String record : dns.query(name, type)) {
                if (NameServer.isLiteral(record)) {
                    found.add(InetAddress.getByName(record));   // a checked literal: no look-up
                }
            }
            if (!found.isEmpty() && !policy.asksForBoth()) {
                break;
            }
        }
        if (found.isEmpty()) {
            throw new NoAddressesException("NODATA (no " + String.join(" or ", types) + " records) for " + name
                    + " from " + dns.serverList(), true);
        }
        return found;
    }

    /** An IP literal host, as the only address, if the policy keeps its family. */
    static List<Endpoint> literal(String host, AddressPolicy policy) throws IOException {
        InetAddress address = InetAddress.getByName(host);       // a checked literal: no look-up
        if (policy.select(List.of(address)).isEmpty()) {
            throw new NoAddressesException(host + " is an IP address that address_policy=" + policy.key() + " excludes", true);
        }
        return List.of(Endpoint.of(address));
    }

    @Override
    public String toString() {
        return "direct A/AAAA to " + (servers.isEmpty() ? "the name servers of " + resolvConf : servers) + ", " + policy.key();
    }
}
