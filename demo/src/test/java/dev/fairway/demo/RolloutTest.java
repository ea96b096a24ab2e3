package dev.fairway.demo;

import dev.fairway.FairwayClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kubernetes rollouts against a {@link FairwayClient} on its defaults (only the name server is given, as a pod's
 * {@code /etc/resolv.conf} would give it): a real DNS server (dnsmasq, every answer with a {@value #TTL} s TTL) whose
 * answers change while traffic flows to real backends on 127.0.0.x, which stop at once or gracefully the moment they
 * leave DNS, or are killed while still listed. No request may fail but those in flight on a killed backend.
 */
class RolloutTest {

    /** The TTL of every DNS answer, in seconds. */
    static final int TTL = 2;
    /** Fairway's promise: a DNS change is acted on within the TTL plus one second. */
    static final long DISCOVERY_NANOS = TimeUnit.SECONDS.toNanos(TTL + 1);

    @TempDir
    Path dir;
    private Dnsmasq dns;
    private Backends backends;

    @BeforeEach
    void start() throws IOException {
        dns = Dnsmasq.start(dir, TTL);
        backends = Backends.start(DnsScaleTest.addresses(2, 7));
    }

    @AfterEach
    void stop() {
        try {
            dns.close();
        } finally {
            backends.close();
        }
    }

    private static List<String> pods(int from, int to) {
        return DnsScaleTest.pods(from, to);
    }

    private static InetAddress ip(String literal) throws IOException {
        return InetAddress.getByName(literal);                           // a literal: no look-up
    }

    /** The defaults, but for the name server. */
    private FairwayClient defaults() {
        return FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .resolverOption("name_servers", dns.server()).build();
    }

    private URI uri() {
        return URI.create("http://orders.test:" + backends.port() + "/");
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    @Test
    void scaleOutWithinTheTtlAndScaleInWithAnImmediateStopLoseNothing() throws Exception {
        dns.hosts(Map.of("orders.test", pods(2, 4)));
        try (FairwayClient client = defaults(); Traffic traffic = new Traffic(client, uri())) {
            Traffic.await("traffic on 3 pods", () -> pods(2, 4).stream().allMatch(ip -> traffic.firstTo(ip, 0) >= 0));

            dns.hosts(Map.of("orders.test", pods(2, 7)));                  // scale-out 3 -> 6
            long out = System.nanoTime();
            Traffic.await("traffic on the new pods", () -> pods(5, 7).stream().allMatch(ip -> traffic.firstTo(ip, out) >= 0));
            for (String pod : pods(5, 7)) {
                long first = traffic.firstTo(pod, out) - out;
                assertTrue(first <= DISCOVERY_NANOS, pod + " got its first request " + seconds(first) + " after it joined DNS");
            }

            dns.hosts(Map.of("orders.test", pods(2, 4)));                  // scale-in 6 -> 3, and the 3 stop at once
            long in = System.nanoTime();
            for (InetAddress gone : DnsScaleTest.addresses(5, 7)) {
                backends.remove(gone);
            }
            Traffic.await("traffic after the TTL", () -> pods(2, 4).stream().allMatch(ip -> traffic.firstTo(ip, in + DISCOVERY_NANOS) >= 0));
            traffic.stop();
            assertEquals(List.of(), traffic.failures(), "no request fails while pods come and go");
            long last = traffic.lastTo(Set.copyOf(pods(5, 7))) - in;
            assertTrue(last <= DISCOVERY_NANOS, "a removed pod got a request " + seconds(last) + " after it left DNS");
        }
    }

    @Test
    void aRollingUpdateWithOldPodsStoppingAtOnceLosesNothing() throws Exception {
        dns.hosts(Map.of("orders.test", pods(2, 4)));
        try (FairwayClient client = defaults(); Traffic traffic = new Traffic(client, uri())) {
            Traffic.await("traffic on 3 pods", () -> pods(2, 4).stream().allMatch(ip -> traffic.firstTo(ip, 0) >= 0));
            List<String> live = new ArrayList<>(pods(2, 4));
            for (int step = 0; step < 3; step++) {
                String old = pods(2, 4).get(step);
                String fresh = pods(5, 7).get(step);
                live.add(fresh);                                           // the new pod is ready: it joins
                dns.hosts(Map.of("orders.test", List.copyOf(live)));
                long joined = System.nanoTime();
                Traffic.await("traffic on " + fresh, () -> traffic.firstTo(fresh, joined) >= 0);
                live.remove(old);                                          // the old one leaves DNS and stops at once
                dns.hosts(Map.of("orders.test", List.copyOf(live)));
                backends.remove(ip(old));
            }
            long done = System.nanoTime();
            Traffic.await("traffic on the new pods after the TTL", () -> pods(5, 7).stream()
                    .allMatch(ip -> traffic.firstTo(ip, done + DISCOVERY_NANOS) >= 0));
            traffic.stop();
            assertEquals(List.of(), traffic.failures(), "a rolling update loses nothing");
        }
    }

    @Test
    void aGracefulStopTheMomentAPodLeavesDnsLosesNothing() throws Exception {
        dns.hosts(Map.of("orders.test", pods(2, 5)));
        try (FairwayClient client = defaults(); Traffic traffic = new Traffic(client, uri())) {
            Traffic.await("traffic on 4 pods", () -> pods(2, 5).stream().allMatch(ip -> traffic.firstTo(ip, 0) >= 0));
            dns.hosts(Map.of("orders.test", pods(2, 3)));
            long in = System.nanoTime();
            backends.remove(ip("127.0.0.4"), 1);                           // stop accepting, finish, close
            backends.remove(ip("127.0.0.5"), 1);
            Traffic.await("traffic after the TTL", () -> pods(2, 3).stream().allMatch(ip -> traffic.firstTo(ip, in + DISCOVERY_NANOS) >= 0));
            traffic.stop();
            assertEquals(List.of(), traffic.failures(), "a graceful stop costs nothing");
        }
    }

    @Test
    void aPodKilledWhileStillListedFailsAtMostTheRequestsInFlightOnIt() throws Exception {
        dns.hosts(Map.of("orders.test", pods(2, 5)));
        try (FairwayClient client = defaults(); Traffic traffic = new Traffic(client, uri())) {
            Traffic.await("traffic on 4 pods", () -> pods(2, 5).stream().allMatch(ip -> traffic.firstTo(ip, 0) >= 0));
            long killed = System.nanoTime();
            backends.remove(ip("127.0.0.5"));                              // killed; DNS still lists it
            Traffic.await("traffic on the others after the kill", () -> pods(2, 4).stream()
                    .allMatch(ip -> traffic.firstTo(ip, killed + TimeUnit.SECONDS.toNanos(1)) >= 0));
            traffic.stop();
            assertTrue(traffic.failures().size() <= Traffic.IN_FLIGHT, "at most the requests in flight on it fail: "
                    + traffic.failures());
            assertTrue(traffic.failures().stream().allMatch(f -> f.sentNanos() <= killed),
                    "only requests sent before the kill may fail: " + traffic.failures());
        }
    }
}
