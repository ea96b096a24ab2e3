/**
 * The {@code dns} resolver: finds a target's backends by resolving its host name through the JVM's system
 * resolver ({@link java.net.InetAddress#getAllByName(String)}) and keeps the set fresh.
 *
 * <p>Put this module on the module path (or its jar on the class path) and select it with
 * {@code resolver("dns")} or {@code fairway.resolver=dns}. It exports nothing; its options are:
 *
 * <table class="striped">
 * <caption>Options</caption>
 * <thead><tr><th>key</th><th>default</th><th>meaning</th></tr></thead>
 * <tbody>
 * <tr><td>{@code fairway.resolver.refresh_interval}</td><td>{@code 30s}</td>
 *     <td>time from one successful resolution to the next, 100ms to 1h</td></tr>
 * <tr><td>{@code fairway.resolver.refresh_jitter}</td><td>{@code 0.1}</td>
 *     <td>random spread of each refresh interval, 0 to 0.5: 0.1 means ±10 %; retry delays after failures are
 *     shortened by up to the same fraction</td></tr>
 * <tr><td>{@code fairway.resolver.backoff_initial}</td><td>{@code 1s}</td>
 *     <td>delay before the first retry after a failed resolution, 10ms to 1h; it doubles with each
 *     further failure in a row and resets after a success</td></tr>
 * <tr><td>{@code fairway.resolver.backoff_max}</td><td>{@code 30s}</td>
 *     <td>longest retry delay, 10ms to 1h, and never longer than {@code refresh_interval}; must not be
 *     shorter than {@code backoff_initial}</td></tr>
 * <tr><td>{@code fairway.resolver.min_refresh_interval}</td><td>{@code 1s}</td>
 *     <td>least time between the starts of two look-ups when Fairway asks for an on-demand refresh (for
 *     example after connections to several backends failed), 0 to 1h</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Addresses are published in an order shuffled per client (glibc and many DNS servers sort answers, which
 * would steer every client to the same backend first) and kept stable across refreshes. After a failed
 * resolution the last good set stays in use while the resolver retries with backoff.
 *
 * <p>This module reads no system properties itself. The JVM caches look-ups, though: the security property
 * {@code networkaddress.cache.ttl} (30 seconds by default when no security manager is installed) delays how
 * soon a DNS change is seen, on top of {@code refresh_interval}, and {@code networkaddress.cache.negative.ttl}
 * (10 seconds) does the same for failures.
 *
 * @provides dev.fairway.spi.ResolverProvider {@code dns}, priority 5
 */
module dev.fairway.resolver.dns {
    requires dev.fairway.spi;

    provides dev.fairway.spi.ResolverProvider with dev.fairway.resolver.dns.internal.DnsResolverProvider;
}
