package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.Target;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dns_srv} against a real DNS server (dnsmasq on loopback): ports, weights, priorities, changes. */
class SrvDnsTest {

    private static final Target ORDERS = new Target("http", "orders.test", 80);

    @TempDir
    Path dir;
    private Dnsmasq dns;

    @BeforeEach
    void startDns() throws IOException {
        dns = Dnsmasq.start(dir);
        dns.hosts(Map.of("pod-a.test", List.of("127.0.0.2"), "pod-b.test", List.of("127.0.0.3"),
                "pod-c.test", List.of("127.0.0.4"), "pod-d.test", List.of("127.0.0.5")));
    }

    @AfterEach
    void stopDns() {
        dns.close();
    }

    private Live live(Target target, Map<String, String> extra) {
        Map<String, String> options = new HashMap<>(Map.of("name_servers", dns.server(), "refresh_interval", "200ms",
                "backoff_initial", "50ms", "backoff_max", "200ms", "query_timeout", "200ms"));
        options.putAll(extra);
        return new Live(new DnsSrvResolverProvider(), target, options);
    }

    private static BackendAddress srv(String ip, int port, int weight, String target, int rawWeight) throws UnknownHostException {
        return new BackendAddress(new InetSocketAddress(InetAddress.getByName(ip), port), weight,
                Map.of("srv_target", target, "srv_weight", Integer.toString(rawWeight)));
    }

    @Test
    void takesPortsAndWeightsFromTheLowestPriority() throws IOException {
        dns.configure(List.of(
                "srv-host=_http._tcp.orders.test,pod-a.test,8081,0,10",
                "srv-host=_http._tcp.orders.test,pod-b.test,8082,0,0",
                "srv-host=_http._tcp.orders.test,pod-c.test,8083,1,50"));
        try (Live live = live(ORDERS, Map.of())) {
            List<BackendAddress> published = live.awaitSockets(Set.of("127.0.0.2:8081", "127.0.0.3:8082"));
            assertEquals(Set.of(srv("127.0.0.2", 8081, 10, "pod-a.test", 10), srv("127.0.0.3", 8082, 1, "pod-b.test", 0)),
                    Set.copyOf(published), "weight 0 becomes 1; priority 1 is a fallback");

            // the priority-0 targets lose their addresses: the fallback takes over
            dns.hosts(Map.of("pod-c.test", List.of("127.0.0.4")));
            List<BackendAddress> fallback = live.awaitSockets(Set.of("127.0.0.4:8083"));
            assertEquals(List.of(srv("127.0.0.4", 8083, 50, "pod-c.test", 50)), fallback);
            assertEquals(List.of(), live.errors());
        }
        List<String> queries = dns.queries();
        assertTrue(queries.contains("SRV _http._tcp.orders.test") && queries.contains("A pod-a.test"), queries.toString());
    }

    @Test
    void recordsWithPortsOutsideThePortsOptionAreRefused() throws IOException {
        dns.configure(List.of("srv-host=_http._tcp.orders.test,pod-a.test,8081,0,1",
                "srv-host=_http._tcp.orders.test,pod-b.test,22,0,1"));
        try (Live live = live(ORDERS, Map.of("ports", "8000-8999"))) {
            assertEquals(List.of(srv("127.0.0.2", 8081, 1, "pod-a.test", 1)), live.awaitSockets(Set.of("127.0.0.2:8081")),
                    "the record with port 22 is left out");
            dns.configure(List.of("srv-host=_http._tcp.orders.test,pod-b.test,22,0,1",
                    "srv-host=_http._tcp.orders.test,pod-c.test,2375,0,1"));
            IOException e = live.awaitErrors(1).get(0);
            assertTrue(e.getMessage().contains("every SRV record of _http._tcp.orders.test has a port outside"
                    + " fairway.resolver.ports = 8000-8999 and was refused: SRV _http._tcp.orders.test 0 1 "), e.getMessage());
            assertTrue(e.getMessage().contains(" 22 pod-b.test") && e.getMessage().contains(" 2375 pod-c.test"), e.getMessage());
            assertTrue(e.getMessage().contains("keeping the last 1 address"), "the last good set stays: " + e.getMessage());
        }
        try (Live live = live(ORDERS, Map.of())) {
            live.awaitSockets(Set.of("127.0.0.3:22", "127.0.0.4:2375")); // by default every port from 1 to 65535
        }
    }

    @Test
    void atMostMaxTargetsTargetsAreResolvedPerLookUp() throws IOException {
        int n = SrvLookup.MAX_TARGETS + 6;
        Map<String, List<String>> hosts = new java.util.HashMap<>();
        List<String> records = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            hosts.put("t" + i + ".test", List.of("127.0.0.2"));
            records.add("srv-host=_http._tcp.orders.test,t" + i + ".test," + (10_000 + i) + ",0,1");
        }
        dns.hosts(hosts);
        dns.configure(records);
        try (Live live = live(ORDERS, Map.of("query_timeout", "2s"))) {
            live.await("a published set", () -> live.last() != null);
            assertEquals(SrvLookup.MAX_TARGETS, live.last().size(), "one backend per resolved target, each on its own port");
        }
        long addressQueries = dns.queries().stream().filter(q -> q.startsWith("A t")).count();
        assertTrue(addressQueries <= 2L * SrvLookup.MAX_TARGETS, addressQueries + " A queries");
    }

    @Test
    void followsChangesOfTheSrvRecords() throws IOException {
        dns.configure(List.of("srv-host=_http._tcp.orders.test,pod-a.test,8080,0,1",
                "srv-host=_http._tcp.orders.test,pod-b.test,8080,0,1"));
        try (Live live = live(ORDERS, Map.of())) {
            live.awaitSockets(Set.of("127.0.0.2:8080", "127.0.0.3:8080"));
            dns.configure(List.of("srv-host=_http._tcp.orders.test,pod-a.test,8080,0,1",
                    "srv-host=_http._tcp.orders.test,pod-b.test,8080,0,1",
                    "srv-host=_http._tcp.orders.test,pod-c.test,8080,0,1",
                    "srv-host=_http._tcp.orders.test,pod-d.test,9090,0,3"));          // scale-out, one on another port
            List<BackendAddress> four = live.awaitSockets(Set.of("127.0.0.2:8080", "127.0.0.3:8080", "127.0.0.4:8080",
                    "127.0.0.5:9090"));
            assertEquals(3, four.stream().filter(a -> a.socketAddress().getPort() == 9090).findFirst().orElseThrow().weight());
            dns.configure(List.of("srv-host=_http._tcp.orders.test,pod-d.test,9090,0,3"));   // scale-in
            live.awaitSockets(Set.of("127.0.0.5:9090"));
        }
    }

    @Test
    void theServiceLabelDefaultsToTheSchemeAndCanBeSet() throws IOException {
        dns.configure(List.of("srv-host=_https._tcp.orders.test,pod-a.test,8443,0,1",
                "srv-host=_grpc._tcp.orders.test,pod-b.test,9000,0,1"));
        try (Live live = live(new Target("https", "orders.test", 443), Map.of())) {
            live.awaitSockets(Set.of("127.0.0.2:8443"));
        }
        try (Live live = live(ORDERS, Map.of("service", "_grpc"))) {
            live.awaitSockets(Set.of("127.0.0.3:9000"));
        }
    }

    @Test
    void aMissingServiceIsNxdomainNamingTheSrvName() {
        try (Live live = live(ORDERS, Map.of())) {
            IOException e = live.awaitErrors(1).get(0);
            assertInstanceOf(UnknownHostException.class, e);
            assertTrue(e.getMessage().startsWith("cannot resolve orders.test: UnknownHostException: NXDOMAIN (no such name) for"
                    + " SRV _http._tcp.orders.test from name server " + dns.server()), e.getMessage());
        }
    }

    @Test
    void targetsWithoutAddressesAreSkippedAndNoneLeftIsAnEmptyAnswer() throws IOException {
        dns.configure(List.of("srv-host=_http._tcp.orders.test,pod-a.test,8080,0,1",
                "srv-host=_http._tcp.orders.test,gone.test,8080,0,1"));
        try (Live live = live(ORDERS, Map.of("empty_answer", "believe"))) {
            live.awaitSockets(Set.of("127.0.0.2:8080"));
            dns.hosts(Map.of());
            live.await("the empty set", () -> live.last().isEmpty());
        }
    }
}
