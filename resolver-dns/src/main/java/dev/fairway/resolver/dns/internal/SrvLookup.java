package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Target;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Looks a service up with an SRV query for {@code _service._protocol.host}, then A/AAAA queries for each record's
 * target, all sent straight to the name servers (see {@link DirectLookup}). Each address takes the port and the
 * weight of its record.
 *
 * <p>Only the records of the lowest priority value whose targets have addresses are used (RFC 2782: higher values
 * are fallbacks). A record with weight 0 gets weight 1 (a backend needs a positive weight; RFC 2782 gives weight 0
 * a very small chance of selection, which Fairway does not model) and keeps its raw weight in the
 * {@value #SRV_WEIGHT} attribute. A target without addresses (NXDOMAIN or NODATA) is skipped; any other failure
 * fails the look-up, so the last good set is kept rather than a partial one published.
 *
 * <p>A record whose port is not among the allowed {@code ports} (port 0 never is) is refused: logged once as a
 * WARNING naming the record, and left out as if it were not there. When every record with a target is refused, the
 * look-up fails with an {@link IOException} naming them, so the last good set is kept. At most
 * {@value #MAX_TARGETS} distinct targets are resolved per look-up, in priority order; the rest are left out with a
 * WARNING, so that one answer cannot make the resolver send thousands of queries.
 */
final class SrvLookup implements Lookup {

    private static final System.Logger LOG = System.getLogger(SrvLookup.class.getName());

    /** The most distinct SRV targets resolved per look-up. */
    static final int MAX_TARGETS = 1024;
    /** How many distinct refused records are remembered, so that each is warned about once. */
    private static final int MAX_WARNED = 1024;

    /** The attribute that carries the record's target name. */
    static final String SRV_TARGET = "srv_target";
    /** The attribute that carries the record's raw weight, 0 to 65535. */
    static final String SRV_WEIGHT = "srv_weight";

    private final DirectLookup direct;
    private final String service;
    private final String protocol;
    private final AddressPolicy policy;
    private final SrvPorts ports;
    /** The refused records already warned about; guarded by itself. */
    private final Set<String> warned = new HashSet<>();

    /**
     * An SRV look-up.
     *
     * @param direct   how to reach the name servers
     * @param service  the service label without underscore, for example {@code http}; empty for the target's scheme
     * @param protocol the protocol label without underscore, for example {@code tcp}
     * @param policy   which addresses of the targets to keep
     * @param ports    the ports a record may choose
     */
    SrvLookup(DirectLookup direct, String service, String protocol, AddressPolicy policy, SrvPorts ports) {
        this.direct = Objects.requireNonNull(direct, "direct");
        this.service = Objects.requireNonNull(service, "service");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ports = Objects.requireNonNull(ports, "ports");
    }

    /** One SRV record. */
    private record Srv(int priority, int weight, int port, String target) {
    }

    /**
     * The SRV name for a host.
     *
     * @param host    the target's host
     * @param service the service label, not empty
     * @return {@code _service._protocol.host}
     */
    String name(String host, String service) {
        return "_" + service + "._" + protocol + "." + host;
    }

    /**
     * Looks up the target's service: the SRV records of {@code _service._protocol.host}, where the service label is
     * the configured one or else the target's scheme.
     *
     * @param target the target
     * @return the endpoints, with ports and weights
     * @throws IOException as {@link Lookup#lookup}
     */
    @Override
    public Answer lookup(Target target) throws IOException {
        String name = name(target.host(), service.isEmpty() ? target.scheme() : service);
        DirectLookup.Found answer = direct.records(name, DnsMessage.SRV);
        TreeMap<Integer, List<Srv>> byPriority = new TreeMap<>();
        List<String> refused = new ArrayList<>();
        for (DnsMessage.Record r : answer.records()) {
            if (r.target().isEmpty()) {
                continue;                                  // target ".": "service decidedly not available" (RFC 2782)
            }
            if (!ports.allows(r.port())) {
                String record = "SRV " + answer.name() + " " + r.priority() + " " + r.weight() + " " + r.port() + " "
                        + r.target();
                refused.add(record);
                warnOnce(record, "refused: the port is not in " + portsRule());
                continue;
            }
            byPriority.computeIfAbsent(r.priority(), p -> new ArrayList<>())
                    .add(new Srv(r.priority(), r.weight(), r.port(), r.target()));
        }
        if (byPriority.isEmpty() && !refused.isEmpty()) {
            throw new IOException("every SRV record of " + answer.name() + " has a port outside " + portsRule()
                    + " and was refused: " + String.join("; ", refused.subList(0, Math.min(refused.size(), 5)))
                    + (refused.size() > 5 ? "; and " + (refused.size() - 5) + " more" : ""));
        }
        if (byPriority.isEmpty()) {
            throw new NoAddressesException("only SRV records with target '.' for " + answer.name(), true);
        }
        long ttl = answer.ttl();
        Map<String, Answer> resolved = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (List<Srv> group : byPriority.values()) {
            List<Endpoint> endpoints = new ArrayList<>();
            long groupTtl = ttl;
            for (Srv srv : group) {
                Answer addresses = resolved.get(srv.target());
                if (addresses == null && resolved.size() >= MAX_TARGETS) {
                    warnOnce("SRV " + answer.name() + " names more than " + MAX_TARGETS + " targets", srv.target()
                            + " and the targets after it are not resolved (at most " + MAX_TARGETS + " per look-up)");
                    break;
                }
                if (addresses == null) {
                    try {
                        addresses = direct.absoluteAddresses(srv.target());
                    } catch (NoAddressesException e) {
                        addresses = Answer.withoutTtl(List.of());
                        skipped.add(e.getMessage());
                    }
                    resolved.put(srv.target(), addresses);
                }
                if (addresses.ttlSeconds() >= 0 && !addresses.endpoints().isEmpty()) {
                    groupTtl = Math.min(groupTtl, addresses.ttlSeconds());
                }
                for (Endpoint a : addresses.endpoints()) {
                    endpoints.add(new Endpoint(a.address(), srv.port(), Math.max(1, srv.weight()),
                            Map.of(SRV_TARGET, srv.target(), SRV_WEIGHT, Integer.toString(srv.weight()))));
                }
            }
            if (!endpoints.isEmpty()) {
                return new Answer(endpoints, groupTtl);
            }
        }
        String why = String.join("; ", skipped.subList(0, Math.min(5, skipped.size())))
                + (skipped.size() > 5 ? "; and " + (skipped.size() - 5) + " more" : "")
                + (resolved.size() >= MAX_TARGETS ? "; targets after the first " + MAX_TARGETS + " were not resolved" : "");
        throw new NoAddressesException("no SRV target of " + answer.name() + " has addresses: " + why, true);
    }

    /** Logs {@code what} and why as a WARNING the first time (for up to {@value #MAX_WARNED} of them), else at DEBUG. */
    private void warnOnce(String what, String why) {
        boolean first;
        synchronized (warned) {
            first = warned.size() < MAX_WARNED && warned.add(what);
        }
        if (first) {
            LOG.log(System.Logger.Level.WARNING, what + ": " + why + " (logged once)");
        } else {
            LOG.log(System.Logger.Level.DEBUG, () -> what + ": " + why);
        }
    }

    /** What a refused record is told: the option and its value. */
    private String portsRule() {
        return DnsOptions.PREFIX + DnsOptions.PORTS.key() + " = " + ports;
    }

    @Override
    public String toString() {
        return "SRV _" + (service.isEmpty() ? "<scheme>" : service) + "._" + protocol + " via " + direct;
    }
}
