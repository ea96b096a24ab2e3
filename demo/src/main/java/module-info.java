/**
 * The runnable demonstration of Fairway: five local backends behind one host name, called through a plain
 * {@link java.net.http.HttpClient} and through a {@code FairwayClient}, with the share each backend served.
 *
 * <p>Run it with {@code bin/demo [phase ...]} (it builds what it needs), or after {@code mvn package} with
 * {@code java -p demo/target/modules -m dev.fairway.demo/dev.fairway.demo.Demo [phase ...]}. Phases (all of them,
 * in this order, when none is named): {@code steady} (nothing changes), {@code scale-out} (three more backends,
 * {@code 127.0.0.7} to {@code 127.0.0.9}, join while traffic flows), {@code rollout} (a rolling update: each backend
 * is replaced by a new one, {@code 127.0.0.12} to {@code 127.0.0.16}, the old one stopping at once 2 s after it
 * left DNS), {@code clusterip} (four backends,
 * {@code 127.0.0.21} to {@code 127.0.0.24}, behind one virtual IP {@code 127.0.0.20} served by an in-demo layer-4
 * proxy that places connections at random, like kube-proxy) and {@code unhealthy} (an active {@code http} health
 * check; {@code 127.0.0.4} fails it while traffic flows, then recovers). Options: {@code --requests=N} (default 10000
 * per client and phase; in {@code clusterip} the Fairway client sends for 20 s instead), {@code --concurrency=N}
 * (default 16 requests in flight; {@code clusterip} always sends one at a time), {@code --quiet} (no live view of the
 * client's snapshot). It exits with status 0 when every check passed, 1 when a check failed and 2 for bad arguments
 * or a demo that could not start.
 *
 * <p>The backends are {@code com.sun.net.httpserver} servers on {@code 127.0.0.2} to {@code 127.0.0.6}, sharing one
 * free port. The name {@code orders.demo.svc.cluster.local} resolves to them inside this JVM only, through
 * {@link dev.fairway.demo.DemoDns}, a demo-only {@link java.net.spi.InetAddressResolverProvider} that passes every
 * other name to the JDK's built-in resolver (for the plain client), and on the wire through a small DNS server on
 * {@code 127.0.0.1} answering the same names with a 5 s TTL, like CoreDNS (for Fairway, whose only setting is that
 * server's address: in a pod, {@code /etc/resolv.conf} names it).
 *
 * <p>The resolver, picker and health modules ({@code dev.fairway.resolver.dns}, {@code dev.fairway.balancer.roundrobin},
 * {@code dev.fairway.health}) are not required here: {@code dev.fairway} uses their services, so service binding resolves them from the module path.
 *
 * <p>This module reads no system properties. It sets the security property {@code networkaddress.cache.ttl} to
 * {@code 1} (second) before the first look-up, so that changes to the demo's DNS answers show up quickly.
 */
module dev.fairway.demo {
    requires dev.fairway;
    requires jdk.httpserver;

    provides java.net.spi.InetAddressResolverProvider with dev.fairway.demo.DemoDns;
}
