package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The options of the {@code dns} and {@code dns_srv} resolvers, with their defaults, and the checks that span
 * several of them. The module documentation and {@code docs/dns.md} describe each one.
 */
final class DnsOptions {

    /** The prefix of this family's option keys, for messages. */
    static final String PREFIX = "fairway.resolver.";

    /** How the {@code dns} resolver looks names up. */
    enum Mode {
        /** Through the JVM's system resolver ({@link java.net.InetAddress#getAllByName}). */
        SYSTEM,
        /** With A/AAAA queries sent straight to name servers. */
        DIRECT
    }

    // ---------------------------------------------------------------- refresh, both providers

    static final Option<RefreshInterval> REFRESH_INTERVAL = Option.ofCustom("refresh_interval", RefreshInterval.TTL,
            "time from one successful resolution to the next: ttl (when the answer's TTL runs out) or a fixed duration",
            RefreshInterval.ALLOWED, raw -> {
                try {
                    return RefreshInterval.parse(raw);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException();          // the caller's message names the key and the allowed values
                }
            });

    static final Option<Duration> TTL_MIN = Option.ofDuration("ttl_min", Duration.ofSeconds(1), Duration.ofMillis(100),
            Duration.ofHours(1), "the floor of every DNS TTL (a TTL of 0 must not make the client query without pause)");

    static final Option<Duration> TTL_MAX = Option.ofDuration("ttl_max", Duration.ofSeconds(30), Duration.ofSeconds(1),
            Duration.ofHours(1), "the ceiling of every DNS TTL, and the refresh interval of answers without a TTL"
                    + " (mode=system, /etc/hosts)");

    static final Option<Double> REFRESH_JITTER = Option.ofDouble("refresh_jitter", 0.1, 0.0, 0.5,
            "random spread of each refresh interval (0.1 = ±10 %); retry delays are shortened by up to this fraction");

    static final Option<Duration> BACKOFF_INITIAL = Option.ofDuration("backoff_initial", Duration.ofSeconds(1),
            Duration.ofMillis(10), Duration.ofHours(1),
            "delay before the first retry after a failed resolution; doubles with each further failure in a row");

    static final Option<Duration> BACKOFF_MAX = Option.ofDuration("backoff_max", Duration.ofSeconds(30),
            Duration.ofMillis(10), Duration.ofHours(1),
            "longest retry delay after failed resolutions (never longer than the refresh interval or ttl_max)");

    static final Option<Duration> MIN_REFRESH_INTERVAL = Option.ofDuration("min_refresh_interval", Duration.ofSeconds(1),
            Duration.ZERO, Duration.ofHours(1), "least time between the starts of two look-ups on on-demand refreshes");

    // ---------------------------------------------------------------- answers, both providers

    static final Option<AddressPolicy> ADDRESS_POLICY = Option.ofEnum("address_policy", AddressPolicy.class,
            AddressPolicy.PREFER_IPV4, "which address families to publish: prefer_ipv4 (IPv4 when there is any, else IPv6),"
                    + " prefer_ipv6, ipv4_only, ipv6_only or both");

    static final Option<EmptyAnswerRule> EMPTY_ANSWER = Option.ofCustom("empty_answer", EmptyAnswerRule.DEFAULT,
            "when an answer without addresses (NXDOMAIN, NODATA) replaces the published set: keep (never), believe"
                    + " (at once) or believe_after:N (the N-th such answer in a row)",
            EmptyAnswerRule.ALLOWED, EmptyAnswerRule::parse);

    static final Option<Integer> MIN_ADDRESSES = Option.ofInt("min_addresses", 1, 1, 64,
            "publish each address this many times over when the answer has fewer addresses, as distinct entries with"
                    + " the attribute replica=1, 2, ... (for virtual IPs)");

    // ---------------------------------------------------------------- direct queries

    static final Option<Mode> MODE = Option.ofEnum("mode", Mode.class, Mode.DIRECT,
            "direct (/etc/hosts, then A/AAAA queries to the name servers of /etc/resolv.conf with its search list and"
                    + " ndots, following the TTLs; the JVM's resolver where that file names no server) or system (the"
                    + " JVM's resolver, with its address cache)");

    static final Option<List<NameServer>> NAME_SERVERS = Option.ofCustom("name_servers", List.of(),
            "the name servers to query directly; empty for those of /etc/resolv.conf, read at each look-up",
            NameServer.ALLOWED, NameServer::parseList);

    static final Option<Duration> QUERY_TIMEOUT = Option.ofDuration("query_timeout", Duration.ofSeconds(1),
            Duration.ofMillis(10), Duration.ofSeconds(30),
            "how long a direct query waits for each name server in the first round; doubled in each further round"
                    + " (default: resolv.conf's options timeout:, else 1s)");

    static final Option<Integer> QUERY_ATTEMPTS = Option.ofInt("query_attempts", 2, 1, 10,
            "rounds over the name servers per direct query before it fails with a timeout (default: resolv.conf's"
                    + " options attempts:, else 2)");

    // ---------------------------------------------------------------- SRV

    private static final Pattern LABEL = Pattern.compile("_?[A-Za-z0-9][A-Za-z0-9-]{0,62}");

    static final Option<String> SERVICE = Option.ofCustom("service", "",
            "the service label of the SRV name _service._protocol.host; empty for the target's scheme (http or https)",
            "a DNS label of letters, digits and '-' (a leading '_' is optional), or empty for the target's scheme",
            DnsOptions::label);

    static final Option<String> PROTOCOL = Option.ofCustom("protocol", "tcp",
            "the protocol label of the SRV name _service._protocol.host",
            "a DNS label of letters, digits and '-' (a leading '_' is optional)", raw -> {
                String label = label(raw);
                if (label.isEmpty()) {
                    throw new IllegalArgumentException();
                }
                return label;
            });

    static final Option<SrvPorts> PORTS = Option.ofCustom("ports", SrvPorts.ALL,
            "the ports an SRV record may choose; a record with another port (or port 0) is refused with a WARNING naming"
                    + " it", SrvPorts.ALLOWED, SrvPorts::convert);

    /** The options common to both providers, in documentation order. */
    static final List<Option<?>> COMMON = List.of(REFRESH_INTERVAL, TTL_MIN, TTL_MAX, REFRESH_JITTER, BACKOFF_INITIAL,
            BACKOFF_MAX, MIN_REFRESH_INTERVAL, ADDRESS_POLICY, EMPTY_ANSWER, MIN_ADDRESSES);

    /** The options of direct queries, in documentation order. */
    static final List<Option<?>> DIRECT_QUERIES = List.of(NAME_SERVERS, QUERY_TIMEOUT, QUERY_ATTEMPTS);

    private DnsOptions() {
    }

    /** A DNS label without its leading underscore, lower case; empty stays empty. */
    private static String label(Object raw) {
        if (!(raw instanceof String s)) {
            throw new IllegalArgumentException();
        }
        String t = s.strip();
        if (t.isEmpty()) {
            return "";
        }
        if (!LABEL.matcher(t).matches()) {
            throw new IllegalArgumentException();
        }
        return (t.startsWith("_") ? t.substring(1) : t).toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The checks that span several options of both providers.
     *
     * @param options the validated values
     * @throws IllegalArgumentException naming the options, their values and what to change
     */
    static void validateCommon(OptionValues options) {
        requireNotLonger(options, BACKOFF_INITIAL, BACKOFF_MAX);
        requireNotLonger(options, TTL_MIN, TTL_MAX);
    }

    /** Fails unless {@code shorter}'s value is at most {@code longer}'s, naming both. */
    private static void requireNotLonger(OptionValues options, Option<Duration> shorter, Option<Duration> longer) {
        Duration low = options.get(shorter);
        Duration high = options.get(longer);
        if (low.compareTo(high) > 0) {
            throw new IllegalArgumentException(PREFIX + shorter.key() + " = " + DnsResolver.format(low.toNanos())
                    + " is longer than " + PREFIX + longer.key() + " = " + DnsResolver.format(high.toNanos())
                    + ": shorten " + PREFIX + shorter.key() + " or lengthen " + PREFIX + longer.key());
        }
    }
}
