package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Target;
import dev.fairway.spi.Ticker;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static dev.fairway.resolver.dns.internal.DnsMessage.A;
import static dev.fairway.resolver.dns.internal.DnsMessage.AAAA;
import static dev.fairway.resolver.dns.internal.DnsMessage.NOERROR;
import static dev.fairway.resolver.dns.internal.DnsMessage.NXDOMAIN;
import static dev.fairway.resolver.dns.internal.DnsMessage.SERVFAIL;

/**
 * Looks names up as the system resolver does, but asking the name servers itself so that it sees every answer's
 * TTL and no cache stands in between: {@code /etc/hosts} first, then A/AAAA queries (see {@link DnsClient}) for the
 * names the search list and {@code ndots} of {@code /etc/resolv.conf} give (see {@link ResolvConf#candidates}), in
 * glibc's order: NXDOMAIN, NODATA and SERVFAIL move on to the next name, any other failure ends the search.
 * Both files are read again at each look-up.
 *
 * <p>Without {@code name_servers}, the servers are those of {@code /etc/resolv.conf}; where that file does not
 * exist or names no usable server, the look-up is the fallback's (the JVM's resolver), as on a system whose
 * resolver is not configured by that file.
 *
 * <p>A search that found its answer under a later name remembers the negative answers of the names before it,
 * for their negative TTL (from the SOA record, clamped like every TTL; without one, as long as the answer found), so
 * that refreshes ask each name at most once per TTL. At most one entry per search name of this target is kept.
 */
final class DirectLookup implements Lookup {

    private static final System.Logger LOG = System.getLogger(DnsResolver.class.getName());

    /**
     * Where the system configuration lives; the system's outside tests.
     *
     * @param resolvConf  the resolver configuration
     * @param hosts       the static host table
     * @param port        the port of the name servers listed in {@code resolvConf}
     * @param environment the environment, for {@code LOCALDOMAIN} and {@code RES_OPTIONS}
     */
    record SystemFiles(Path resolvConf, Path hosts, int port, Map<String, String> environment) {

        /** The system's own. */
        static final SystemFiles SYSTEM = new SystemFiles(ResolvConf.SYSTEM, HostsFile.SYSTEM, NameServer.DNS_PORT,
                System.getenv());

        SystemFiles {
            Objects.requireNonNull(resolvConf, "resolvConf");
            Objects.requireNonNull(hosts, "hosts");
            environment = Map.copyOf(environment);
        }
    }

    /**
     * What a search found: the records, the name they were found under, and their TTL.
     *
     * @param name    the name that answered
     * @param records at least one record
     * @param ttl     the least TTL of the records and the CNAMEs before them, in seconds, unclamped
     */
    record Found(String name, List<DnsMessage.Record> records, long ttl) {
    }

    /**
     * What asking one name gave: records, or an empty list with the response code and the negative TTL; and the
     * record types asked, for messages ({@code A}, {@code A and AAAA}).
     */
    private record Asked(List<DnsMessage.Record> records, long ttl, int rcode, long negativeTtl, String types) {
    }

    /** Asks one name. */
    @FunctionalInterface
    private interface Ask {
        Asked ask(DnsClient client, String name) throws IOException;
    }

    /** A remembered negative answer. */
    private record Negative(long untilNanos, boolean nodata) {
    }

    /** A negative answer a search met, before it is remembered: its TTL (−1 without an SOA record). */
    private record Met(String name, long ttl, boolean nodata) {
    }

    /** The name servers and the configuration of one look-up. */
    private record Config(DnsClient client, ResolvConf conf) {
    }

    private final List<NameServer> servers;
    private final Optional<Duration> timeout;
    private final Optional<Integer> attempts;
    private final AddressPolicy policy;
    private final SystemFiles files;
    private final Ticker ticker;
    private final TtlBounds ttl;
    private final Lookup fallback;

    /** Guards the fields below; look-ups of one resolver never overlap, but tests may share one. */
    private final Object lock = new Object();
    private DnsClient client;
    private String reported = "";
    private final Map<String, Negative> negatives = new HashMap<>();

    /**
     * A direct look-up.
     *
     * @param servers  the name servers; empty for those of {@code resolvConf}
     * @param timeout  {@code query_timeout} if the user gave it; else resolv.conf's {@code timeout:} or 1 s
     * @param attempts {@code query_attempts} if the user gave it; else resolv.conf's {@code attempts:} or 2
     * @param policy   which record types to ask for and which addresses to keep
     * @param files    the system configuration
     * @param ticker   the time source, for remembered negative answers
     * @param ttl      the bounds of every TTL, for remembered negative answers
     * @param fallback the look-up when there are no name servers to ask (the JVM's resolver)
     */
    DirectLookup(List<NameServer> servers, Optional<Duration> timeout, Optional<Integer> attempts, AddressPolicy policy,
                 SystemFiles files, Ticker ticker, TtlBounds ttl, Lookup fallback) {
        this.servers = List.copyOf(servers);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.attempts = Objects.requireNonNull(attempts, "attempts");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.files = Objects.requireNonNull(files, "files");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.fallback = Objects.requireNonNull(fallback, "fallback");
    }

    /**
     * The direct look-up the options of {@code context} describe.
     *
     * @param context  the resolver's context, with validated options of either provider
     * @param files    the system configuration
     * @param fallback the look-up when there are no name servers to ask
     * @return the look-up
     */
    static DirectLookup of(dev.fairway.spi.ResolverContext context, SystemFiles files, Lookup fallback) {
        dev.fairway.spi.OptionValues options = context.options();
        return new DirectLookup(options.get(DnsOptions.NAME_SERVERS),
                options.given(DnsOptions.QUERY_TIMEOUT).map(v -> options.get(DnsOptions.QUERY_TIMEOUT)),
                options.given(DnsOptions.QUERY_ATTEMPTS).map(v -> options.get(DnsOptions.QUERY_ATTEMPTS)),
                options.get(DnsOptions.ADDRESS_POLICY), files, context.ticker(), TtlBounds.of(options), fallback);
    }

    @Override
    public Answer lookup(Target target) throws IOException {
        String host = target.host();
        if (NameServer.isLiteral(host)) {
            return Answer.withoutTtl(literal(host, policy));
        }
        Config config = config(true);
        return config == null ? fallback.lookup(target) : resolve(config, host, host);
    }

    /**
     * {@code host} from {@code /etc/hosts}, else its A/AAAA records asked as {@code query}; an IP literal as it is.
     *
     * @param config the configuration
     * @param host   the host name, as {@code /etc/hosts} is searched for it
     * @param query  the name to search DNS for (with a final dot for an absolute name)
     * @return the addresses the policy keeps, and their TTL ({@link Answer#NO_TTL} from {@code /etc/hosts})
     */
    private Answer resolve(Config config, String host, String query) throws IOException {
        if (NameServer.isLiteral(host)) {
            return Answer.withoutTtl(literal(host, policy));
        }
        List<InetAddress> fromHosts = policy.select(HostsFile.lookup(files.hosts(), host));
        if (!fromHosts.isEmpty()) {
            List<Endpoint> endpoints = new ArrayList<>(fromHosts.size());
            fromHosts.forEach(a -> endpoints.add(Endpoint.of(a)));
            return Answer.withoutTtl(endpoints);
        }
        Found found = addresses(config, query);
        List<Endpoint> endpoints = new ArrayList<>(found.records().size());
        found.records().forEach(r -> endpoints.add(Endpoint.of(r.address())));
        return new Answer(endpoints, found.ttl());
    }

    /**
     * The name servers and search rules of this look-up.
     *
     * @param mayFallBack whether a missing configuration means "use the fallback" ({@code null}) rather than an error
     * @return the configuration, or {@code null} to use the fallback
     * @throws IOException when there are no servers to ask and {@code mayFallBack} is false, or a file cannot be read
     */
    private Config config(boolean mayFallBack) throws IOException {
        ResolvConf conf;
        String problem = null;
        try {
            conf = ResolvConf.read(files.resolvConf(), files.port(), files.environment());
            if (conf.servers().isEmpty()) {
                problem = files.resolvConf() + " names no usable name server";
            }
        } catch (NoSuchFileException e) {
            conf = null;
            problem = files.resolvConf() + " does not exist";
        } catch (IOException e) {
            throw new IOException("malformed configuration: cannot read " + files.resolvConf() + " (" + e + ")", e);
        }
        if (conf == null) {
            conf = ResolvConf.EMPTY;
        }
        List<NameServer> use = servers.isEmpty() ? conf.servers() : servers;
        String skipped = String.join("; ", conf.problems());
        String state = problem == null || !servers.isEmpty() ? skipped
                : problem + (skipped.isEmpty() ? "" : " (" + skipped + ")");
        report(state, use.isEmpty() && mayFallBack);
        if (use.isEmpty()) {
            if (mayFallBack) {
                return null;
            }
            throw new IOException("malformed configuration: " + problem + ", so there are no name servers to query;"
                    + " set fairway.resolver.name_servers");
        }
        ResolvConf read = conf;
        Duration t = timeout.orElseGet(() -> read.timeout().isPresent() ? Duration.ofSeconds(read.timeout().getAsInt())
                : DnsOptions.QUERY_TIMEOUT.defaultValue().orElseThrow());
        int n = attempts.orElseGet(() -> read.attempts().orElse(DnsOptions.QUERY_ATTEMPTS.defaultValue().orElseThrow()));
        DnsClient c;
        synchronized (lock) {
            c = client;
            if (c == null || !c.servers().equals(use) || !c.matches(t, n, conf.rotate())) {
                c = new DnsClient(use, t, n, conf.rotate());
                client = c;
            }
        }
        return new Config(c, conf);
    }

    /** Logs a change of the configuration's state once: a fallback at INFO, skipped lines at WARNING. */
    private void report(String state, boolean fallingBack) {
        synchronized (lock) {
            if (state.equals(reported)) {
                return;
            }
            reported = state;
        }
        if (state.isEmpty()) {
            return;
        }
        if (fallingBack) {
            LOG.log(System.Logger.Level.INFO, state + ": resolving through the JVM's resolver instead (InetAddress,"
                    + " with the JVM's address cache), as the system does without that file");
        } else {
            LOG.log(System.Logger.Level.WARNING, "resolver configuration: " + state);
        }
    }

    /**
     * The A/AAAA records of {@code name}, searched as the configuration says.
     *
     * @param config the configuration
     * @param name   the name; with a final dot it is asked as it is
     * @return what was found
     * @throws NoAddressesException for NXDOMAIN or NODATA under every name tried
     * @throws IOException          for other failures
     */
    private Found addresses(Config config, String name) throws IOException {
        List<String> types = policy.recordTypes();
        return search(config, name, String.join(" or ", types), (dns, candidate) -> {
            List<DnsMessage.Record> found = new ArrayList<>();
            long ttl = Long.MAX_VALUE;
            long negativeTtl = -1;
            List<String> asked = new ArrayList<>(2);
            for (String typeName : types) {
                int type = typeName.equals("A") ? A : AAAA;
                DnsMessage.Response r = dns.query(candidate, type);
                if (r.rcode() != NOERROR) {
                    if (!found.isEmpty()) {
                        break;                              // keep the first family's records
                    }
                    asked.add(typeName);
                    return new Asked(List.of(), -1, r.rcode(), r.negativeTtl(), String.join(" and ", asked));
                }
                asked.add(typeName);
                DnsMessage.Chain chain = r.follow(candidate, type);
                for (DnsMessage.Record record : chain.records()) {
                    if (found.stream().noneMatch(f -> f.address().equals(record.address()))) {
                        found.add(record);
                    }
                }
                if (chain.records().isEmpty()) {
                    negativeTtl = negativeTtl < 0 ? r.negativeTtl() : Math.min(negativeTtl, Math.max(0, r.negativeTtl()));
                } else {
                    ttl = Math.min(ttl, chain.ttl());
                }
                if (!found.isEmpty() && !policy.asksForBoth()) {
                    break;
                }
            }
            String what = String.join(" and ", asked);
            return found.isEmpty() ? new Asked(List.of(), -1, NOERROR, negativeTtl, what)
                    : new Asked(found, ttl, NOERROR, -1, what);
        });
    }

    /**
     * The records of {@code type} for {@code name}, searched as the configuration says; for SRV.
     *
     * @param name the name; with a final dot it is asked as it is
     * @param type the record type
     * @return what was found
     * @throws NoAddressesException for NXDOMAIN or NODATA under every name tried
     * @throws IOException          for other failures, and when there are no name servers to ask
     */
    Found records(String name, int type) throws IOException {
        Config config = config(false);
        return search(config, name, DnsMessage.typeName(type), (dns, candidate) -> {
            DnsMessage.Response r = dns.query(candidate, type);
            String what = DnsMessage.typeName(type);
            if (r.rcode() != NOERROR) {
                return new Asked(List.of(), -1, r.rcode(), r.negativeTtl(), what);
            }
            DnsMessage.Chain chain = r.follow(candidate, type);
            return chain.records().isEmpty() ? new Asked(List.of(), -1, NOERROR, r.negativeTtl(), what)
                    : new Asked(chain.records(), chain.ttl(), NOERROR, -1, what);
        });
    }

    /**
     * The A/AAAA records of an absolute {@code name} (an SRV target), with {@code /etc/hosts} first; for SRV.
     *
     * @param name an absolute name without the final dot
     * @return the addresses the policy keeps, and their TTL ({@link Answer#NO_TTL} from {@code /etc/hosts})
     * @throws NoAddressesException when the name has none
     * @throws IOException          for other failures
     */
    Answer absoluteAddresses(String name) throws IOException {
        return resolve(config(false), name, name + ".");
    }

    /** Asks the search names of {@code name} in order until one has records; see the class documentation. */
    private Found search(Config config, String name, String types, Ask ask) throws IOException {
        List<String> candidates = config.conf().candidates(name);
        List<String> tried = new ArrayList<>(candidates.size());
        List<Met> met = new ArrayList<>();
        boolean nodata = false;
        String servfail = null;
        String nxTypes = null;
        long now = ticker.read();
        for (String candidate : candidates) {
            tried.add(candidate);
            Negative remembered;
            synchronized (lock) {
                remembered = negatives.get(candidate);
            }
            if (remembered != null && remembered.untilNanos() - now > 0) {
                nodata |= remembered.nodata();
                continue;
            }
            Asked asked = ask.ask(config.client(), candidate);
            if (!asked.records().isEmpty()) {
                remember(candidates, met, ttl.clamp(asked.ttl()), now);
                return new Found(candidate, asked.records(), asked.ttl());
            }
            switch (asked.rcode()) {
                case NOERROR, NXDOMAIN -> {
                    boolean isNodata = asked.rcode() == NOERROR;
                    nodata |= isNodata;
                    nxTypes = nxTypes == null ? asked.types() : nxTypes;
                    met.add(new Met(candidate, asked.negativeTtl(), isNodata));
                }
                case SERVFAIL -> servfail = servfail == null ? asked.types() : servfail;
                default -> throw new IOException(DnsMessage.rcodeName(asked.rcode())
                        + (asked.rcode() == DnsMessage.FORMERR ? " (the name server could not read the query)" : "")
                        + " for " + asked.types() + " " + tried(config, name, tried) + " from "
                        + config.client().serverList() + " (does that server resolve this name for you?)");
            }
        }
        String names = tried(config, name, tried);
        if (nodata) {
            throw new NoAddressesException("NODATA (no " + types + " records) for " + names + " from "
                    + config.client().serverList(), true);
        }
        if (servfail != null) {
            throw new IOException("SERVFAIL (the name server failed) for " + servfail + " " + names + " from "
                    + config.client().serverList());
        }
        throw new NoAddressesException("NXDOMAIN (no such name) for " + (nxTypes == null ? types : nxTypes) + " " + names
                + " from " + config.client().serverList(), false);
    }

    /** The names a search tried, for messages: the one name, or the host and every name tried. */
    private String tried(Config config, String name, List<String> tried) {
        return tried.size() == 1 ? tried.get(0)
                : name + " (tried " + String.join(", ", tried) + ": the search list and ndots:" + config.conf().ndots()
                + " of " + files.resolvConf() + ")";
    }

    /** Remembers the negative answers before a search's success; forgets names this target no longer searches. */
    private void remember(List<String> candidates, List<Met> met, long foundNanos, long now) {
        if (met.isEmpty()) {
            return;                                         // an absolute name: nothing to remember, nothing to forget
        }
        synchronized (lock) {
            negatives.keySet().retainAll(candidates);
            for (Met m : met) {
                long nanos = m.ttl() < 0 ? foundNanos : ttl.clamp(m.ttl());
                negatives.put(m.name(), new Negative(now + nanos, m.nodata()));
            }
        }
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
        return "direct A/AAAA to " + (servers.isEmpty() ? "the name servers of " + files.resolvConf() : servers)
                + ", " + policy.key();
    }
}
