package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.Target;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dns} with {@code mode=direct} against a real DNS server (dnsmasq on loopback) whose answers change. */
class DirectDnsTest {

    private static final Target ORDERS = new Target("http", "orders.test", 8080);

    @TempDir
    Path dir;
    private Dnsmasq dns;

    @BeforeEach
    void startDns() throws IOException {
        dns = Dnsmasq.start(dir);
    }

    @AfterEach
    void stopDns() {
        dns.close();
    }

    private Live live(Target target, Map<String, String> extra) {
        Map<String, String> options = new HashMap<>(Map.of("mode", "direct", "name_servers", dns.server(),
                "refresh_interval", "200ms", "backoff_initial", "50ms", "backoff_max", "200ms", "query_timeout", "200ms"));
        options.putAll(extra);
        return new Live(new DnsResolverProvider(), target, options);
    }

    private static List<String> pods(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "127.0.0." + i).toList();
    }

    private static Set<String> sockets(List<String> ips, int port) {
        return Set.copyOf(ips.stream().map(ip -> ip + ":" + port).toList());
    }

    @Test
    void followsScaleOutAndScaleIn() throws IOException {
        dns.hosts(Map.of("orders.test", pods(2, 4)));
        try (Live live = live(ORDERS, Map.of())) {
            live.awaitSockets(sockets(pods(2, 4), 8080));

            dns.hosts(Map.of("orders.test", pods(2, 7)));             // scale-out 3 -> 6
            List<BackendAddress> six = live.awaitSockets(sockets(pods(2, 7), 8080));
            assertEquals(6, six.size());

            dns.hosts(Map.of("orders.test", pods(6, 7)));             // scale-in 6 -> 2
            live.awaitSockets(sockets(pods(6, 7), 8080));
            assertEquals(List.of(), live.errors(), "no failures while the server answers");
        }
        List<String> queries = dns.queries();
        assertFalse(queries.isEmpty());
        assertEquals(Set.of("A orders.test"), Set.copyOf(queries), "prefer_ipv4 asks only for A while there are A records");
    }

    @Test
    void keepsTheLastGoodSetWhileTheServerIsStoppedAndRecovers() throws IOException {
        dns.hosts(Map.of("orders.test", pods(2, 4)));
        try (Live live = live(ORDERS, Map.of())) {
            live.awaitSockets(sockets(pods(2, 4), 8080));
            int published = live.addressSets().size();
            dns.stop();
            List<IOException> errors = live.awaitErrors(3);
            assertEquals(published, live.addressSets().size(), "nothing published while the server is down");
            for (IOException e : errors) {
                assertInstanceOf(PortUnreachableException.class, e, e.getMessage());
                assertTrue(e.getMessage().startsWith("cannot resolve orders.test: PortUnreachableException: name server"
                        + " unreachable: A orders.test from name server " + dns.server()
                        + " got ICMP port unreachable (is a DNS server listening there?); keeping the last 3 addresses"), e.getMessage());
            }

            dns.restart();
            dns.hosts(Map.of("orders.test", pods(3, 5)));
            live.awaitSockets(sockets(pods(3, 5), 8080));
        }
    }

    @Test
    void nxdomainIsAClearErrorNamingHostAndServer() {
        try (Live live = live(new Target("http", "nope.test", 8080), Map.of())) {
            IOException e = live.awaitErrors(1).get(0);
            assertInstanceOf(UnknownHostException.class, e);
            assertTrue(e.getMessage().startsWith("cannot resolve nope.test: UnknownHostException: NXDOMAIN (no such name) for"
                    + " A nope.test from name server " + dns.server()),
                    e.getMessage());
            assertTrue(live.addressSets().isEmpty());
        }
    }

    @Test
    void anEmptyAnswerKeepsTheSetUntilTheRuleBelievesIt() throws IOException {
        dns.configure(List.of("txt-record=orders.test,\"the name exists without addresses\""));
        dns.hosts(Map.of("orders.test", pods(2, 3)));
        try (Live live = live(ORDERS, Map.of("empty_answer", "believe_after:3", "backoff_initial", "100ms"))) {
            live.awaitSockets(sockets(pods(2, 3), 8080));
            dns.hosts(Map.of());                                         // NODATA: orders.test still has its TXT record
            live.await("the empty set", () -> live.last().isEmpty());
            List<IOException> errors = live.errors();
            assertEquals(2, errors.size(), "two empty answers kept the set, the third was believed: " + live.events());
            assertTrue(errors.get(0).getMessage().startsWith("cannot resolve orders.test: UnknownHostException: NODATA (no A or"
                    + " AAAA records) for orders.test from name server " + dns.server() + "; keeping the last 2 addresses (empty"
                    + " answer 1 in a row; empty_answer=believe_after:3 believes the 3rd)"), errors.get(0).getMessage());

            dns.hosts(Map.of("orders.test", pods(4, 4)));                // back from zero
            live.awaitSockets(sockets(pods(4, 4), 8080));
        }
        assertTrue(dns.queries().contains("AAAA orders.test"), "prefer_ipv4 asks for AAAA when there is no A record");
    }

    @Test
    void anEmptyAnswerIsNeverBelievedUnderKeep() throws IOException {
        dns.hosts(Map.of("orders.test", pods(2, 3)));
        try (Live live = live(ORDERS, Map.of("empty_answer", "keep"))) {
            live.awaitSockets(sockets(pods(2, 3), 8080));
            dns.hosts(Map.of());                                         // NXDOMAIN
            List<IOException> errors = live.awaitErrors(4);
            assertEquals(1, live.addressSets().size(), live.events().toString());
            assertTrue(errors.get(3).getMessage().contains("NXDOMAIN (no such name) for A orders.test")
                    && errors.get(3).getMessage().contains("keeping the last 2 addresses (empty_answer=keep"), errors.get(3).getMessage());
        }
    }

    @Test
    void theAddressPolicyChoosesQueriesAndFamilies() throws IOException {
        dns.hosts(Map.of("dual.test", List.of("127.0.0.5", "fd00::5"), "six.test", List.of("fd00::6")));
        Target dual = new Target("http", "dual.test", 80);
        Map<String, Set<String>> expected = Map.of(
                "prefer_ipv4", Set.of("127.0.0.5:80"),
                "prefer_ipv6", Set.of("fd00:0:0:0:0:0:0:5:80"),
                "ipv4_only", Set.of("127.0.0.5:80"),
                "ipv6_only", Set.of("fd00:0:0:0:0:0:0:5:80"),
                "both", Set.of("127.0.0.5:80", "fd00:0:0:0:0:0:0:5:80"));
        for (var e : expected.entrySet()) {
            try (Live live = live(dual, Map.of("address_policy", e.getKey()))) {
                live.awaitSockets(e.getValue());
            }
        }
        try (Live live = live(new Target("http", "six.test", 80), Map.of())) {
            live.awaitSockets(Set.of("fd00:0:0:0:0:0:0:6:80"));          // prefer_ipv4 falls back to IPv6
        }
        try (Live live = live(new Target("http", "six.test", 80), Map.of("address_policy", "ipv4_only"))) {
            live.await("an empty set", () -> live.last() != null && live.last().isEmpty());   // NODATA, nothing to keep
        }
    }

    @Test
    void minAddressesGivesAVirtualIpSeveralEntries() throws IOException {
        dns.hosts(Map.of("vip.test", List.of("127.0.0.9")));
        try (Live live = live(new Target("http", "vip.test", 8080), Map.of("min_addresses", "4"))) {
            live.await("4 entries", () -> live.last() != null && live.last().size() == 4);
            assertEquals(Set.of("127.0.0.9:8080"), live.lastSockets());
            assertEquals(4, Set.copyOf(live.last()).size(), "distinct entries: " + live.last());
        }
    }

    @Test
    void usesTheNameServersOfTheSystemConfiguration() throws IOException {
        dns.hosts(Map.of("orders.test", pods(2, 3)));
        Path resolvConf = Files.writeString(dir.resolve("resolv.conf"), "search cluster.local\nnameserver 127.0.0.1\n");
        Map<String, String> options = Map.of("mode", "direct", "refresh_interval", "200ms", "backoff_initial", "50ms");
        try (Live live = new Live(new DnsResolverProvider(), ORDERS, options, files(resolvConf))) {
            live.awaitSockets(sockets(pods(2, 3), 8080));
        }
    }

    @Test
    void withoutAUsableResolvConfTheJvmResolverAnswers() throws Exception {
        SystemModeTest.answer("fallback.test", "127.0.0.44");
        Target fallback = new Target("http", "fallback.test", 8080);
        Map<String, String> options = Map.of("refresh_interval", "200ms");
        try (Live live = new Live(new DnsResolverProvider(), fallback, options, files(dir.resolve("missing.conf")))) {
            live.awaitSockets(Set.of("127.0.0.44:8080"));
        }
        Path noServer = Files.writeString(dir.resolve("no-server.conf"), "search test\nnameserver dns.example\n");
        try (Live live = new Live(new DnsResolverProvider(), fallback, options, files(noServer))) {
            live.awaitSockets(Set.of("127.0.0.44:8080"));
        }
        assertTrue(SystemModeTest.lookups("fallback.test") >= 2, "the JVM's resolver was asked");
        assertEquals(List.of(), dns.queries(), "no name server was asked");
    }

    private DirectLookup.SystemFiles files(Path resolvConf) {
        return new DirectLookup.SystemFiles(resolvConf, dir.resolve("hosts-none"), dns.port(), Map.of());
    }

    @Test
    void servfailRefusedAndTimeoutsAreClearErrors() throws Exception {
        try (FakeDnsServer servfail = new FakeDnsServer(FakeDnsServer.SERVFAIL);
             FakeDnsServer refused = new FakeDnsServer(FakeDnsServer.REFUSED);
             FakeDnsServer silent = new FakeDnsServer(FakeDnsServer.SILENT)) {
            try (Live live = live(ORDERS, Map.of("name_servers", servfail.server()))) {
                IOException e = live.awaitErrors(1).get(0);
                assertTrue(e.getMessage().startsWith("cannot resolve orders.test: IOException: SERVFAIL (the name server failed)"
                        + " for A orders.test from name server " + servfail.server()), e.getMessage());
            }
            try (Live live = live(ORDERS, Map.of("name_servers", refused.server()))) {
                IOException e = live.awaitErrors(1).get(0);
                assertTrue(e.getMessage().startsWith("cannot resolve orders.test: IOException: REFUSED for A orders.test"
                        + " from name server " + refused.server() + " (does that server resolve this name for you?)"),
                        e.getMessage());
            }
            long start = System.nanoTime();
            try (Live live = live(ORDERS, Map.of("name_servers", silent.server(), "query_timeout", "100ms",
                    "refresh_interval", "10s", "backoff_initial", "5s", "backoff_max", "10s"))) {
                IOException e = live.awaitErrors(1).get(0);
                assertInstanceOf(SocketTimeoutException.class, e);
                assertTrue(e.getMessage().startsWith("cannot resolve orders.test: SocketTimeoutException: timeout: no answer"
                        + " for A orders.test from name server " + silent.server() + " within 300ms (query_timeout 100ms,"
                        + " query_attempts 2)"), e.getMessage());
                assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(10), "bounded");
                assertEquals(2, silent.queries(), "two attempts");
            }

            dns.hosts(Map.of("orders.test", pods(2, 2)));              // a silent first server: the second answers
            try (Live live = live(ORDERS, Map.of("name_servers", silent.server() + "," + dns.server(), "query_timeout", "50ms"))) {
                live.awaitSockets(sockets(pods(2, 2), 8080));
            }
        }
    }
}
