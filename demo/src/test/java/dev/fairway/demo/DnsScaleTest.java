package dev.fairway.demo;

import dev.fairway.FairwayClient;
import dev.fairway.FairwayEvent;
import dev.fairway.NoBackendException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real {@link FairwayClient} with the {@code dns} resolver in direct mode (and {@code dns_srv}) against a real DNS
 * server, dnsmasq on loopback, whose answers change while traffic flows to real backends on 127.0.0.x. Lives in
 * the demo module because it needs both {@code dev.fairway} and the resolver module ({@code fairway-api} cannot be
 * a test dependency of {@code resolver-dns}: {@code fairway-api} already has {@code resolver-dns} as one).
 */
class DnsScaleTest {

    /** The refresh interval of these tests. */
    static final Duration REFRESH = Duration.ofMillis(500);

    @TempDir
    Path dir;
    private Dnsmasq dns;
    private Backends backends;
    private final List<FairwayEvent> events = new CopyOnWriteArrayList<>();
    /** When the listener first heard of a resolution that removed addresses; by then the picker no longer has them. */
    private final AtomicLong removal = new AtomicLong(-1);

    private void record(FairwayEvent event) {
        if (event instanceof FairwayEvent.ResolutionSucceeded r && !r.removed().isEmpty()) {
            removal.compareAndSet(-1, System.nanoTime());
        }
        events.add(event);
    }

    @BeforeEach
    void start() throws IOException {
        dns = Dnsmasq.start(dir);
        backends = Backends.start(addresses(2, 7));
    }

    @AfterEach
    void stop() {
        try {
            dns.close();
        } finally {
            backends.close();
        }
    }

    static List<String> pods(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "127.0.0." + i).toList();
    }

    static List<InetAddress> addresses(int from, int to) throws IOException {
        List<InetAddress> list = new ArrayList<>();
        for (String ip : pods(from, to)) {
            list.add(InetAddress.getByName(ip));                         // literals: no look-up
        }
        return list;
    }

    private FairwayClient client(String resolver, Map<String, String> options) {
        FairwayClient.Builder builder = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver)
                .resolverOption("name_servers", dns.server()).resolverOption("refresh_interval", REFRESH.toMillis() + "ms")
                .resolverOption("backoff_initial", "100ms").resolverOption("query_timeout", "200ms")
                .connectTimeout(Duration.ofSeconds(2)).listener(this::record);
        if (resolver.equals("dns")) {
            builder.resolverOption("mode", "direct");
        }
        options.forEach(builder::resolverOption);
        return builder.build();
    }

    private URI uri(String host) {
        return URI.create("http://" + host + ":" + backends.port() + "/");
    }

    /**
     * A DNS answer naming an address no pod can have ({@code 0.0.0.0} reaches the client's own loopback services;
     * {@code 169.254.169.254} is the cloud metadata service) is never dialed: the engine's address policy
     * ({@code fairway.refuse_addresses}) leaves it out, once per appearance, with an event.
     */
    @Test
    void dnsAnswersThatNoPodCanHaveAreNeverDialed() throws Exception {
        dns.hosts(Map.of("orders.test", List.of("0.0.0.0", "169.254.169.254", "127.0.0.2")));
        try (FairwayClient client = client("dns", Map.of())) {
            for (int i = 0; i < 10; i++) {
                assertEquals(200, client.send(HttpRequest.newBuilder(uri("orders.test")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());
            }
            assertEquals(List.of("127.0.0.2:" + backends.port()),
                    client.snapshot().get(0).backends().stream().map(b -> b.address().authority()).toList());
            assertEquals(Set.of("0.0.0.0:" + backends.port() + " unspecified", "169.254.169.254:" + backends.port() + " link_local"),
                    events.stream().filter(FairwayEvent.AddressRefused.class::isInstance).map(FairwayEvent.AddressRefused.class::cast)
                            .map(e -> e.address().authority() + " " + e.kind().key()).collect(java.util.stream.Collectors.toSet()));
        }
    }

    @Test
    void followsScaleOutAndScaleInWhileTrafficFlows() throws Exception {
        dns.hosts(Map.of("orders.test", pods(2, 4)));
        try (FairwayClient client = client("dns", Map.of()); Traffic traffic = new Traffic(client, uri("orders.test"))) {
            Traffic.await("traffic on the first 3 pods", () -> pods(2, 4).stream().allMatch(ip -> traffic.firstTo(ip, 0) >= 0));

            dns.hosts(Map.of("orders.test", pods(2, 7)));                  // scale-out 3 -> 6
            long scaledOut = System.nanoTime();
            Traffic.await("traffic on the 3 new pods", () -> pods(5, 7).stream().allMatch(ip -> traffic.firstTo(ip, scaledOut) >= 0));
            long firstOnNew = pods(5, 7).stream().mapToLong(ip -> traffic.firstTo(ip, scaledOut)).min().orElseThrow() - scaledOut;

            assertEquals(-1, removal.get(), "nothing removed yet");
            dns.hosts(Map.of("orders.test", pods(2, 3)));                  // scale-in 6 -> 2
            long scaledIn = System.nanoTime();
            Traffic.await("the resolution that removes 4 pods", () -> removal.get() >= 0);
            long removedAt = removal.get();
            Traffic.await("more traffic after the removal", () -> traffic.firstTo("127.0.0.2", removedAt) >= 0
                    && traffic.firstTo("127.0.0.3", removedAt) >= 0);
            traffic.stop();

            long lastOnRemoved = traffic.lastTo(Set.copyOf(pods(4, 7)));
            assertTrue(lastOnRemoved < removedAt, "a request sent after the removal went to a removed pod");
            assertEquals(List.of(), traffic.failures(), "no request fails while pods come and go");
            System.out.printf(Locale.ROOT, "DNS reaction (refresh_interval %d ms, path %s): first request on a new pod"
                            + " %.0f ms after the change, last request on a removed pod %.0f ms after the change%n",
                    REFRESH.toMillis(), System.getProperty("test.fairway.path"), firstOnNew / 1e6, (lastOnRemoved - scaledIn) / 1e6);
        }
    }

    @Test
    void keepsServingTheLastGoodSetWhileTheDnsServerIsDown() throws Exception {
        dns.hosts(Map.of("orders.test", pods(2, 4)));
        try (FairwayClient client = client("dns", Map.of()); Traffic traffic = new Traffic(client, uri("orders.test"))) {
            Traffic.await("traffic on 3 pods", () -> pods(2, 4).stream().allMatch(ip -> traffic.firstTo(ip, 0) >= 0));
            dns.stop();
            long down = System.nanoTime();
            Traffic.await("two resolution failures", () -> resolutionFailures().size() >= 2);
            Traffic.await("traffic on all 3 pods since", () -> pods(2, 4).stream().allMatch(ip -> traffic.firstTo(ip, down) >= 0));
            traffic.stop();
            assertEquals(List.of(), traffic.failures());
            FairwayEvent.ResolutionFailed failed = resolutionFailures().get(0);
            assertEquals(3, failed.keptAddresses());
            assertTrue(failed.error().getMessage().startsWith("cannot resolve orders.test: PortUnreachableException: name server"
                    + " unreachable: A orders.test from name server " + dns.server()), failed.error().getMessage());
        }
    }

    private List<FairwayEvent.ResolutionFailed> resolutionFailures() {
        return events.stream().filter(e -> e instanceof FairwayEvent.ResolutionFailed)
                .map(e -> (FairwayEvent.ResolutionFailed) e).toList();
    }

    @Test
    void nxdomainAndEmptyAnswersReachTheCallerClearly() throws Exception {
        dns.configure(List.of("txt-record=empty.test,\"no addresses\""));
        try (FairwayClient client = client("dns", Map.of())) {
            HttpRequest nope = HttpRequest.newBuilder(uri("nope.test")).timeout(Duration.ofSeconds(5)).build();
            NoBackendException e = assertThrows(NoBackendException.class, () -> client.send(nope, HttpResponse.BodyHandlers.ofString()));
            assertEquals(NoBackendException.Reason.RESOLUTION_FAILED, e.reason());
            assertTrue(e.getMessage().contains("cannot resolve nope.test: UnknownHostException: NXDOMAIN (no such name) for A"
                    + " nope.test from name server " + dns.server()), e.getMessage());

            HttpRequest empty = HttpRequest.newBuilder(uri("empty.test")).timeout(Duration.ofSeconds(5)).build();
            e = assertThrows(NoBackendException.class, () -> client.send(empty, HttpResponse.BodyHandlers.ofString()));
            assertEquals(NoBackendException.Reason.NO_ADDRESSES, e.reason(), e.getMessage());
        }
    }

    @Test
    void srvRecordsGiveTheBackendsThroughTheClient() throws Exception {
        dns.hosts(Map.of("pod-a.test", List.of("127.0.0.2"), "pod-b.test", List.of("127.0.0.3")));
        dns.configure(List.of("srv-host=_http._tcp.orders.test,pod-a.test," + backends.port() + ",0,10",
                "srv-host=_http._tcp.orders.test,pod-b.test," + backends.port() + ",0,0"));
        URI other = URI.create("http://orders.test:1/");                      // the SRV records give the port
        try (FairwayClient client = client("dns_srv", Map.of()); Traffic traffic = new Traffic(client, other)) {
            Traffic.await("traffic on both SRV targets", () -> traffic.firstTo("127.0.0.2", 0) >= 0
                    && traffic.firstTo("127.0.0.3", 0) >= 0);
            traffic.stop();
            assertEquals(List.of(), traffic.failures());
        }
        FairwayEvent.ResolutionSucceeded first = events.stream().filter(e -> e instanceof FairwayEvent.ResolutionSucceeded)
                .map(e -> (FairwayEvent.ResolutionSucceeded) e).findFirst().orElseThrow();
        assertEquals(Set.of(10, 1), Set.copyOf(first.addresses().stream().map(a -> a.weight()).toList()),
                "SRV weights reach the engine; weight 0 becomes 1");
    }
}
