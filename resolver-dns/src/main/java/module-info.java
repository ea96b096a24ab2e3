/**
 * DNS resolvers: find a target's backends in DNS and keep the set fresh, so that a client pointed at a Kubernetes
 * headless Service follows its pods as they come and go.
 *
 * <p>Put this module on the module path (or its jar on the class path) and select a resolver by name:
 * {@code resolver("dns")} or {@code fairway.resolver=dns}; options are {@code resolverOption(key, value)} or
 * {@code fairway.resolver.<key>}. It exports nothing and needs no JDK module beyond {@code java.base}: it has its
 * own small DNS client (UDP with random ids and source ports, TCP when an answer is truncated, every answer checked
 * against its question and read within bounds). Two providers:
 *
 * <ul>
 * <li>{@code dns} (priority 5): the target's host name. By default ({@code mode=direct}) as the system resolver
 *     would resolve it — {@code /etc/hosts} first, then A/AAAA queries for the names that the {@code search} list
 *     and {@code ndots} of {@code /etc/resolv.conf} give, to its name servers (or {@code name_servers}) — but with no
 *     cache in between, refreshing when each answer's TTL runs out. Where {@code /etc/resolv.conf} does not exist or
 *     names no usable server, and no {@code name_servers} are given, it resolves through the JVM's resolver as
 *     {@code mode=system} does ({@link java.net.InetAddress#getAllByName(String)}, with the JVM's address
 *     cache).</li>
 * <li>{@code dns_srv} (priority 5): the SRV records of {@code _service._protocol.host} (searched like names of
 *     {@code dns}), then the A/AAAA records of their targets. Each backend takes its port and weight from its
 *     record (weight 0 becomes 1); only the lowest priority value whose targets have addresses is used.</li>
 * </ul>
 *
 * <table class="striped">
 * <caption>Options (key {@code fairway.resolver.<key>})</caption>
 * <thead><tr><th>key</th><th>providers</th><th>default</th><th>meaning</th></tr></thead>
 * <tbody>
 * <tr><td>{@code refresh_interval}</td><td>both</td><td>{@code ttl}</td>
 *     <td>time from one successful resolution to the next: {@code ttl} (when the answer's TTL runs out, shortened
 *     by up to {@code refresh_jitter}) or a fixed duration, 100ms to 1h</td></tr>
 * <tr><td>{@code ttl_min}</td><td>both</td><td>{@code 1s}</td>
 *     <td>the floor of every TTL, 100ms to 1h</td></tr>
 * <tr><td>{@code ttl_max}</td><td>both</td><td>{@code 30s}</td>
 *     <td>the ceiling of every TTL, 1s to 1h, and the refresh interval of answers without a TTL ({@code mode=system},
 *     {@code /etc/hosts}); not shorter than {@code ttl_min}</td></tr>
 * <tr><td>{@code refresh_jitter}</td><td>both</td><td>{@code 0.1}</td>
 *     <td>random spread of each refresh, 0 to 0.5: a TTL-driven refresh comes up to this fraction early, a fixed
 *     interval is spread by ± this fraction; retry delays after failures are shortened by up to it</td></tr>
 * <tr><td>{@code backoff_initial}</td><td>both</td><td>{@code 1s}</td>
 *     <td>delay before the first retry after a failed resolution, 10ms to 1h; it doubles with each
 *     further failure in a row and resets after a success</td></tr>
 * <tr><td>{@code backoff_max}</td><td>both</td><td>{@code 30s}</td>
 *     <td>longest retry delay, 10ms to 1h, and never longer than the fixed {@code refresh_interval} or
 *     {@code ttl_max}; must not be shorter than {@code backoff_initial}</td></tr>
 * <tr><td>{@code min_refresh_interval}</td><td>both</td><td>{@code 1s}</td>
 *     <td>least time between the starts of two look-ups when Fairway asks for an on-demand refresh (for
 *     example after connections to several backends failed), 0 to 1h</td></tr>
 * <tr><td>{@code address_policy}</td><td>both</td><td>{@code prefer_ipv4}</td>
 *     <td>{@code prefer_ipv4} (the IPv4 addresses when there are any, else the IPv6 ones), {@code prefer_ipv6},
 *     {@code ipv4_only}, {@code ipv6_only} or {@code both}</td></tr>
 * <tr><td>{@code empty_answer}</td><td>both</td><td>{@code believe_after:3}</td>
 *     <td>when an answer without addresses (NXDOMAIN, or NODATA: the name exists without records of the asked
 *     types) replaces the published set: {@code keep} (never), {@code believe} (at once) or
 *     {@code believe_after:N} (the N-th such answer in a row, N from 1 to 100); until then the last set stays
 *     and the answer is reported as an error</td></tr>
 * <tr><td>{@code min_addresses}</td><td>both</td><td>{@code 1}</td>
 *     <td>1 to 64: when an answer has fewer addresses, each is published {@code ceil(min_addresses / n)} times,
 *     the copies carrying the attribute {@code replica=1, 2, ...}, so that a virtual IP gets several
 *     independent leaves</td></tr>
 * <tr><td>{@code mode}</td><td>{@code dns}</td><td>{@code direct}</td>
 *     <td>{@code direct} or {@code system}, above</td></tr>
 * <tr><td>{@code name_servers}</td><td>{@code dns} (direct), {@code dns_srv}</td><td>empty</td>
 *     <td>at most 16 IP addresses with optional ports ({@code 10.96.0.10}, {@code 127.0.0.1:5353}, {@code [fd00::10]:53});
 *     empty means the {@code nameserver} lines of {@code /etc/resolv.conf} (port 53)</td></tr>
 * <tr><td>{@code query_timeout}</td><td>{@code dns} (direct), {@code dns_srv}</td><td>resolv.conf's
 *     {@code timeout:}, else {@code 1s}</td>
 *     <td>10ms to 30s: how long a query waits for each name server in the first round, doubled in each
 *     further round</td></tr>
 * <tr><td>{@code query_attempts}</td><td>{@code dns} (direct), {@code dns_srv}</td><td>resolv.conf's
 *     {@code attempts:}, else {@code 2}</td>
 *     <td>1 to 10 rounds over the name servers per query; a query gives up after
 *     {@code query_timeout × (2^query_attempts − 1)} per server (3 s by default)</td></tr>
 * <tr><td>{@code service}</td><td>{@code dns_srv}</td><td>empty</td>
 *     <td>the SRV service label (a leading {@code _} is optional); empty means the target's scheme,
 *     {@code http} or {@code https}</td></tr>
 * <tr><td>{@code protocol}</td><td>{@code dns_srv}</td><td>{@code tcp}</td>
 *     <td>the SRV protocol label</td></tr>
 * <tr><td>{@code ports}</td><td>{@code dns_srv}</td><td>{@code 1-65535}</td>
 *     <td>the ports an SRV record may choose, as ports and ranges ({@code 443,8000-8999}); a record with another
 *     port (port 0 never passes) is left out with a WARNING naming it, logged once; when every record is refused
 *     the look-up fails and the last good set stays</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Addresses are published in an order shuffled per client (glibc and many DNS servers sort answers, which
 * would steer every client to the same backend first) and kept stable across refreshes. After a failed
 * resolution the last good set stays in use while the resolver retries with backoff. Errors (NXDOMAIN under every
 * search name, SERVFAIL, REFUSED, timeouts, unreachable name servers, an unreadable {@code /etc/resolv.conf}) reach
 * Fairway as {@link java.io.IOException}s whose messages name the host, the names tried, the servers and the cause.
 *
 * <p>Everything this module parses is read within bounds: DNS responses (at most 65,535 bytes, names of at most 255
 * bytes, compression pointers only backwards and at most 127 per name, CNAME chains of at most 8, every count and
 * length checked against the message; a malformed response is an {@link java.io.IOException} naming what is wrong),
 * the first 64 KiB of {@code /etc/resolv.conf} (3 servers, 32 search domains, 10 reported problems), the first 1 MiB
 * of {@code /etc/hosts}, at most 1,024 SRV targets per look-up, and option values of bounded length. The user guide's
 * "Limits" section lists every bound.
 *
 * <p>This module reads no system properties. It reads the environment variables {@code LOCALDOMAIN} and
 * {@code RES_OPTIONS} as glibc does. In {@code mode=system} (and its fallback) the JVM caches look-ups: the security
 * property {@code networkaddress.cache.ttl} (30 seconds by default) delays how soon a DNS change is seen, on top of
 * the refresh interval.
 *
 * @provides dev.fairway.spi.ResolverProvider {@code dns} and {@code dns_srv}, priority 5
 */
module dev.fairway.resolver.dns {
    requires dev.fairway.spi;

    provides dev.fairway.spi.ResolverProvider with
            dev.fairway.resolver.dns.internal.DnsResolverProvider,
            dev.fairway.resolver.dns.internal.DnsSrvResolverProvider;
}
