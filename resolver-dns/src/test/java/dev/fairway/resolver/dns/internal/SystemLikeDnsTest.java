package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Target;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default {@code dns} resolver against a real DNS server (dnsmasq on loopback, answering with a 5 s TTL like
 * CoreDNS) and a pod's {@code /etc/resolv.conf}: short names through the search list and {@code ndots:5}, absolute
 * names, {@code /etc/hosts}, TTLs read from the answers, and answers too large for UDP.
 */
class SystemLikeDnsTest {

    /** The namespace's search list, as kubelet writes it for a pod in namespace {@code shop} (zone {@code test}). */
    private static final String POD_RESOLV_CONF = """
            search shop.svc.test svc.test test
            nameserver 127.0.0.1
            options ndots:5
            """;

    @TempDir
    Path dir;
    private Dnsmasq dns;
    private Path hosts;

    @BeforeEach
    void startDns() throws IOException {
        dns = Dnsmasq.start(dir, 5);
        hosts = Files.writeString(dir.resolve("etc-hosts"), "127.0.0.1 localhost\n");
    }

    @AfterEach
    void stopDns() {
        dns.close();
    }

    private DirectLookup.SystemFiles pod() throws IOException {
        return new DirectLookup.SystemFiles(Files.writeString(dir.resolve("resolv.conf"), POD_RESOLV_CONF), hosts,
                dns.port(), Map.of());
    }

    /** A lookup with the defaults, reading the pod's files. */
    private DirectLookup lookup() throws IOException {
        return new DirectLookup(List.of(), Optional.empty(), Optional.empty(), AddressPolicy.PREFER_IPV4, pod(),
                System::nanoTime, TtlBounds.of(Duration.ofSeconds(1), Duration.ofSeconds(30)), target -> {
                    throw new AssertionError("the fallback must not be used while resolv.conf names a server");
                });
    }

    private static Set<String> ips(Lookup.Answer answer) {
        return answer.endpoints().stream().map(e -> e.address().getHostAddress()).collect(Collectors.toSet());
    }

    @Test
    void aShortNameResolvesThroughTheSearchList() throws IOException {
        dns.hosts(Map.of("orders.shop.svc.test", List.of("127.0.0.2", "127.0.0.3")));
        DirectLookup lookup = lookup();
        Lookup.Answer answer = lookup.lookup(new Target("http", "orders", 8080));
        assertEquals(Set.of("127.0.0.2", "127.0.0.3"), ips(answer));
        assertEquals(5, answer.ttlSeconds(), "the answer's TTL");
        assertEquals(List.of("A orders.shop.svc.test"), dns.queries(), "the first search name answered");

        assertEquals(Set.of("127.0.0.2", "127.0.0.3"), ips(lookup.lookup(new Target("http", "orders.shop", 8080))));
        assertEquals(List.of("A orders.shop.svc.test", "A orders.shop.shop.svc.test", "A orders.shop.svc.test"),
                dns.queries(), "<service>.<namespace>: the second search name answered");
    }

    @Test
    void aFullyQualifiedNameInAPodTriesTheSearchListFirstButAsksEachNameOncePerTtl() throws IOException {
        dns.hosts(Map.of("orders.shop.svc.test", List.of("127.0.0.2")));
        DirectLookup lookup = lookup();
        Target fqdn = new Target("http", "orders.shop.svc.test", 8080);
        assertEquals(Set.of("127.0.0.2"), ips(lookup.lookup(fqdn)));
        assertEquals(List.of("A orders.shop.svc.test.shop.svc.test", "A orders.shop.svc.test.svc.test",
                "A orders.shop.svc.test.test", "A orders.shop.svc.test"), dns.queries(),
                "three dots are fewer than ndots:5: the search names first, as glibc does");
        assertEquals(Set.of("127.0.0.2"), ips(lookup.lookup(fqdn)));
        assertEquals(5, dns.queries().size(), "within their negative TTL the search names are not asked again");

        Target absolute = new Target("http", "orders.shop.svc.test.", 8080);
        assertEquals(Set.of("127.0.0.2"), ips(lookup.lookup(absolute)));
        assertEquals("A orders.shop.svc.test", dns.queries().get(dns.queries().size() - 1), "a final dot: asked as given");
        assertEquals(6, dns.queries().size());
    }

    @Test
    void aMistypedNameFailsNamingEveryNameTried() throws IOException {
        dns.configure(List.of("address=/ordres/"));                   // NXDOMAIN, as an upstream server would say
        DirectLookup lookup = lookup();
        UnknownHostException e = assertThrows(NoAddressesException.class,
                () -> lookup.lookup(new Target("http", "ordres", 8080)));
        assertEquals("NXDOMAIN (no such name) for A ordres (tried ordres.shop.svc.test, ordres.svc.test,"
                + " ordres.test, ordres: the search list and ndots:5 of " + dir.resolve("resolv.conf") + ") from name server "
                + dns.server(), e.getMessage());
        assertEquals(List.of("A ordres.shop.svc.test", "A ordres.svc.test", "A ordres.test", "A ordres"), dns.queries(),
                "NXDOMAIN needs no AAAA query; nothing is remembered after a failed search");
    }

    @Test
    void etcHostsComesFirst() throws IOException {
        Files.writeString(hosts, "127.0.0.1 localhost\n# pinned\n127.0.0.77   pinned.test pinned   # an alias\n"
                + "10.0.0.1 other\n");
        dns.hosts(Map.of("pinned.test", List.of("127.0.0.2")));
        DirectLookup lookup = lookup();
        Lookup.Answer answer = lookup.lookup(new Target("http", "PINNED", 8080));
        assertEquals(Set.of("127.0.0.77"), ips(answer));
        assertEquals(Lookup.Answer.NO_TTL, answer.ttlSeconds(), "/etc/hosts gives no TTL");
        assertEquals(Set.of("127.0.0.77"), ips(lookup.lookup(new Target("http", "pinned.test", 8080))));
        assertEquals(List.of(), dns.queries(), "no query for a name of /etc/hosts");
    }

    @Test
    void aCnameChainGivesTheLeastTtlAlongIt() throws IOException {
        dns.configure(List.of("cname=alias.shop.svc.test,orders.shop.svc.test"));
        dns.hosts(Map.of("orders.shop.svc.test", List.of("127.0.0.2")));
        Lookup.Answer answer = lookup().lookup(new Target("http", "alias", 8080));
        assertEquals(Set.of("127.0.0.2"), ips(answer));
        assertEquals(5, answer.ttlSeconds());
    }

    @Test
    void anAnswerTooLargeForUdpComesOverTcp() throws IOException {
        List<String> many = IntStream.range(0, 200).mapToObj(i -> "127.0." + (1 + i / 250) + "." + (2 + i % 250)).toList();
        dns.hosts(Map.of("big.shop.svc.test", many));
        Lookup.Answer answer = lookup().lookup(new Target("http", "big", 8080));
        assertEquals(Set.copyOf(many), ips(answer), "200 A records are 3.2 kB: more than the 1232-byte UDP payload");
    }

    @Test
    void theClientReadsTtlsAndChecksTheQuestion() throws IOException {
        dns.hosts(Map.of("orders.test", List.of("127.0.0.2")));
        DnsClient client = new DnsClient(List.of(NameServer.parse(dns.server(), 53)), Duration.ofSeconds(1), 2, false);
        DnsMessage.Response r = client.query("orders.test", DnsMessage.A);
        assertEquals(DnsMessage.NOERROR, r.rcode());
        DnsMessage.Chain chain = r.follow("orders.test", DnsMessage.A);
        assertEquals(List.of(InetAddress.getByName("127.0.0.2")), chain.records().stream().map(DnsMessage.Record::address).toList());
        assertEquals(5, chain.ttl());
        DnsMessage.Response nx = client.query("nope.test", DnsMessage.A);
        assertEquals(DnsMessage.NXDOMAIN, nx.rcode());
        assertInstanceOf(UnknownHostException.class, assertThrows(IOException.class,
                () -> client.query("bad..name", DnsMessage.A)), "an empty label is not a DNS name");
    }

    @Test
    void theDefaultResolverRefreshesWhenTheTtlRunsOut() throws IOException {
        dns.hosts(Map.of("orders.shop.svc.test", List.of("127.0.0.2")));
        long start = System.nanoTime();
        try (Live live = new Live(new DnsResolverProvider(), new Target("http", "orders", 8080),
                Map.of("ttl_min", "1s"), pod())) {
            live.awaitSockets(Set.of("127.0.0.2:8080"));
            dns.hosts(Map.of("orders.shop.svc.test", List.of("127.0.0.2", "127.0.0.3")));
            live.awaitSockets(Set.of("127.0.0.2:8080", "127.0.0.3:8080"));
        }
        long queries = dns.queries().stream().filter("A orders.shop.svc.test"::equals).count();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(queries <= Math.ceil(seconds / 4.5) + 1, queries + " queries in " + seconds
                + " s: at most one per TTL (5 s, refreshed up to 10 % early)");
    }
}
