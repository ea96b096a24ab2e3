package dev.fairway.resolver.dns.internal;

import dev.fairway.resolver.dns.internal.DnsResolverTest.Recorder;
import dev.fairway.resolver.dns.internal.DnsResolverTest.ScriptedLookup;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The empty-answer rule, min_addresses, ports and weights: what the resolver publishes, on a fake clock. */
class DnsAnswersTest {

    private static final Target TARGET = new Target("http", "orders.svc", 8080);
    private static final NoAddressesException NXDOMAIN =
            new NoAddressesException("NXDOMAIN (no such name) for A orders.svc from name server 10.0.0.53:53", false);
    private static final NoAddressesException NODATA =
            new NoAddressesException("NODATA (no A or AAAA records) for orders.svc", true);

    private final FakeClock clock = new FakeClock();
    private final ScriptedLookup lookup = new ScriptedLookup();
    private final Recorder listener = new Recorder();

    // ---------------------------------------------------------------- empty answers

    @Test
    void byDefaultTheThirdEmptyAnswerInARowIsBelievedAndTheFirstTwoKeepTheSet() throws Exception {
        lookup.answer("10.0.0.1", "10.0.0.2");
        start(Map.of("refresh_jitter", "0"));
        lookup.fail(NXDOMAIN);
        clock.advance(Duration.ofSeconds(30));
        assertEquals(List.of(Duration.ofSeconds(1)), clock.pendingDelays(), "empty answers are retried with backoff");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(Duration.ofSeconds(2)), clock.pendingDelays());

        assertEquals(1, listener.addressSets().size(), "kept after two empty answers");
        List<IOException> errors = listener.errors();
        assertEquals(2, errors.size());
        assertInstanceOf(UnknownHostException.class, errors.get(0));
        assertEquals("cannot resolve orders.svc: UnknownHostException: " + NXDOMAIN.getMessage()
                + "; keeping the last 2 addresses (empty answer 1 in a row; empty_answer=believe_after:3 believes the 3rd)",
                errors.get(0).getMessage());
        assertTrue(errors.get(1).getMessage().contains("(empty answer 2 in a row;"), errors.get(1).getMessage());

        clock.advance(Duration.ofSeconds(2));
        assertEquals(List.of(), listener.addressSets().get(1), "the third empty answer is believed");
        assertEquals(2, listener.errors().size());

        clock.advance(clock.pendingDelays().get(0));           // NXDOMAIN with nothing to keep: an error
        assertEquals(3, listener.errors().size());
        assertTrue(listener.errors().get(2).getMessage().startsWith("cannot resolve orders.svc: UnknownHostException: NXDOMAIN"));
        assertTrue(!listener.errors().get(2).getMessage().contains("keeping"), listener.errors().get(2).getMessage());

        lookup.answer("10.0.0.3");
        clock.advance(clock.pendingDelays().get(0));
        assertEquals(List.of(backend("10.0.0.3")), listener.addressSets().get(2));
    }

    @Test
    void keepNeverBelievesAnEmptyAnswer() throws Exception {
        lookup.answer("10.0.0.1");
        start(Map.of("empty_answer", "keep", "refresh_jitter", "0"));
        lookup.fail(NODATA);
        for (int i = 0; i < 20; i++) {
            clock.advance(clock.pendingDelays().get(0));
        }
        assertEquals(1, listener.addressSets().size());
        assertEquals(20, listener.errors().size());
        assertTrue(listener.errors().get(19).getMessage().endsWith("; keeping the last 1 address"
                + " (empty_answer=keep: an empty answer never replaces them)"), listener.errors().get(19).getMessage());
    }

    @Test
    void believeTakesTheFirstEmptyAnswer() throws Exception {
        lookup.answer("10.0.0.1");
        start(Map.of("empty_answer", "believe"));
        lookup.fail(NODATA);
        clock.advance(clock.pendingDelays().get(0));
        assertEquals(List.of(), listener.addressSets().get(1));
        assertTrue(listener.errors().isEmpty(), "NODATA is a true answer: " + listener.errors());
    }

    @Test
    void believeAfterCountsOnlyEmptyAnswersInARowAndASuccessStartsAgain() throws Exception {
        lookup.answer("10.0.0.1");
        start(Map.of("empty_answer", "believe_after:2"));
        lookup.fail(NXDOMAIN);
        clock.advance(clock.pendingDelays().get(0));           // empty 1
        lookup.fail(new IOException("SERVFAIL (the name server failed)"));
        clock.advance(clock.pendingDelays().get(0));           // an error: neither counts nor resets
        lookup.answer("10.0.0.1");
        clock.advance(clock.pendingDelays().get(0));           // a success resets
        lookup.fail(NXDOMAIN);
        clock.advance(clock.pendingDelays().get(0));           // empty 1
        assertEquals(2, listener.addressSets().size());
        lookup.fail(new IOException("SERVFAIL (the name server failed)"));
        clock.advance(clock.pendingDelays().get(0));
        lookup.fail(NXDOMAIN);
        clock.advance(clock.pendingDelays().get(0));           // empty 2: believed
        assertEquals(3, listener.addressSets().size());
        assertEquals(List.of(), listener.addressSets().get(2));
    }

    @Test
    void withNothingPublishedNodataIsPublishedAtOnceAndNxdomainIsAnError() throws Exception {
        lookup.fail(NODATA);
        start(Map.of("empty_answer", "keep", "refresh_jitter", "0"));
        assertEquals(List.of(List.of()), listener.addressSets(), "an existing name without addresses");
        assertEquals(List.of(Duration.ofSeconds(1)), clock.pendingDelays(), "asked again soon, with backoff");

        Recorder other = new Recorder();
        FakeClock otherClock = new FakeClock();
        ScriptedLookup nx = new ScriptedLookup();
        nx.fail(NXDOMAIN);
        new DnsResolver(context(Map.of(), otherClock), nx).start(other);
        otherClock.runDueTasks();
        assertEquals(List.of(), other.addressSets());
        assertEquals(1, other.errors().size());
        assertInstanceOf(UnknownHostException.class, other.errors().get(0));
        assertTrue(other.errors().get(0).getMessage().startsWith("cannot resolve orders.svc: UnknownHostException: NXDOMAIN"
                + " (no such name) for A orders.svc from name server 10.0.0.53:53"), other.errors().get(0).getMessage());
    }

    @Test
    void aLookupThatReturnsNothingCountsAsNodata() throws Exception {
        lookup.answer(List.of());
        start(Map.of());
        assertEquals(List.of(List.of()), listener.addressSets());
    }

    // ---------------------------------------------------------------- min_addresses

    @Test
    void minAddressesReplicatesAShortAnswerIntoDistinctEntries() throws Exception {
        lookup.answer("10.96.0.10");
        start(Map.of("min_addresses", "3"));
        List<BackendAddress> published = listener.addressSets().get(0);
        assertEquals(3, published.size(), published.toString());
        assertEquals(3, new HashSet<>(published).size(), "entries must differ: " + published);
        InetSocketAddress vip = new InetSocketAddress(InetAddress.getByName("10.96.0.10"), 8080);
        assertTrue(published.stream().allMatch(a -> a.socketAddress().equals(vip) && a.weight() == 1));
        assertEquals(Set.of(Map.of(), Map.of("replica", "1"), Map.of("replica", "2")),
                Set.copyOf(published.stream().map(BackendAddress::attributes).toList()));
        assertTrue(published.contains(backend("10.96.0.10")), "the first copy is the plain address, so it stays when the answer grows");
    }

    @Test
    void minAddressesGivesEveryAddressTheSameNumberOfCopies() throws Exception {
        lookup.answer("10.0.0.1", "10.0.0.2");
        start(Map.of("min_addresses", "3", "refresh_interval", "1s"));
        List<BackendAddress> published = listener.addressSets().get(0);
        assertEquals(4, published.size(), "2 copies each keep the shares equal: " + published);
        for (String ip : List.of("10.0.0.1", "10.0.0.2")) {
            assertEquals(2, published.stream().filter(a -> a.socketAddress().getAddress().getHostAddress().equals(ip)).count());
        }

        lookup.answer("10.0.0.1", "10.0.0.2", "10.0.0.3");
        clock.advance(Duration.ofSeconds(2));
        List<BackendAddress> grown = listener.addressSets().get(1);
        assertEquals(Set.of(backend("10.0.0.1"), backend("10.0.0.2"), backend("10.0.0.3")), Set.copyOf(grown),
                "no copies once the answer is long enough");
    }

    @Test
    void replicatedOrderIsStableAndDiffersBetweenClients() throws Exception {
        lookup.answer("10.0.0.1");
        Set<List<BackendAddress>> orders = new HashSet<>();
        for (long seed = 0; seed < 10; seed++) {
            FakeClock c = new FakeClock();
            Recorder r = new Recorder();
            Resolver resolver = new DnsResolver(context(Map.of("min_addresses", "4", "refresh_interval", "1s"), seed, c), lookup);
            resolver.start(r);
            c.runDueTasks();
            c.advance(Duration.ofSeconds(2));
            assertEquals(r.addressSets().get(0), r.addressSets().get(1), "stable across refreshes");
            orders.add(r.addressSets().get(0));
            resolver.close();
        }
        assertTrue(orders.size() >= 4, "10 clients share only " + orders.size() + " orders of the copies");
    }

    // ---------------------------------------------------------------- ports and weights

    @Test
    void portsAndWeightsFromTheRecordsArePublished() throws Exception {
        InetAddress a = InetAddress.getByName("10.0.0.1");
        InetAddress b = InetAddress.getByName("10.0.0.2");
        lookup.answer(List.of(
                new Endpoint(a, 8081, 10, Map.of("srv_target", "a.svc")),
                new Endpoint(b, 0, 1, Map.of()),
                new Endpoint(a, 8082, 3, Map.of()),
                new Endpoint(a, 8081, 20, Map.of("srv_target", "a2.svc"))));    // same ip:port: the highest weight wins
        start(Map.of());
        List<BackendAddress> published = listener.addressSets().get(0);
        assertEquals(Set.of(
                new BackendAddress(new InetSocketAddress(a, 8081), 20, Map.of("srv_target", "a2.svc")),
                new BackendAddress(new InetSocketAddress(b, 8080), 1, Map.of()),
                new BackendAddress(new InetSocketAddress(a, 8082), 3, Map.of())), Set.copyOf(published));
        assertEquals(3, published.size());
    }

    // ---------------------------------------------------------------- address policy of the system resolver

    @Test
    void systemLookupAppliesTheAddressPolicy() throws Exception {
        InetAddress[] mixed = {ip("10.0.0.1"), ip("fd00::1"), ip("10.0.0.2"), ip("fd00::2")};
        InetAddress[] v4 = {ip("10.0.0.1")};
        InetAddress[] v6 = {ip("fd00::1")};
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), system(AddressPolicy.PREFER_IPV4, mixed));
        assertEquals(List.of("fd00:0:0:0:0:0:0:1"), system(AddressPolicy.PREFER_IPV4, v6));
        assertEquals(List.of("fd00:0:0:0:0:0:0:1", "fd00:0:0:0:0:0:0:2"), system(AddressPolicy.PREFER_IPV6, mixed));
        assertEquals(List.of("10.0.0.1"), system(AddressPolicy.PREFER_IPV6, v4));
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), system(AddressPolicy.IPV4_ONLY, mixed));
        assertEquals(List.of("fd00:0:0:0:0:0:0:1", "fd00:0:0:0:0:0:0:2"), system(AddressPolicy.IPV6_ONLY, mixed));
        assertEquals(List.of("10.0.0.1", "fd00:0:0:0:0:0:0:1", "10.0.0.2", "fd00:0:0:0:0:0:0:2"), system(AddressPolicy.BOTH, mixed));

        NoAddressesException none = org.junit.jupiter.api.Assertions.assertThrows(NoAddressesException.class,
                () -> system(AddressPolicy.IPV6_ONLY, v4));
        assertTrue(none.nameExists());
        assertEquals("the system resolver found 10.0.0.1 for orders.svc, none of which address_policy=ipv6_only keeps",
                none.getMessage());
    }

    @Test
    void directQueriesAskForTheTypesOfThePolicy() {
        assertEquals(List.of("A", "AAAA"), AddressPolicy.PREFER_IPV4.recordTypes());
        assertEquals(List.of("AAAA", "A"), AddressPolicy.PREFER_IPV6.recordTypes());
        assertEquals(List.of("A"), AddressPolicy.IPV4_ONLY.recordTypes());
        assertEquals(List.of("AAAA"), AddressPolicy.IPV6_ONLY.recordTypes());
        assertEquals(List.of("A", "AAAA"), AddressPolicy.BOTH.recordTypes());
        assertTrue(AddressPolicy.BOTH.asksForBoth());
        assertTrue(!AddressPolicy.PREFER_IPV4.asksForBoth());
    }

    // ---------------------------------------------------------------- helpers

    private List<String> system(AddressPolicy policy, InetAddress[] answer) throws IOException {
        List<String> ips = new ArrayList<>();
        for (Endpoint e : new SystemLookup(host -> answer.clone(), policy).lookup(TARGET).endpoints()) {
            assertEquals(0, e.port());
            ips.add(e.address().getHostAddress());
        }
        return ips;
    }

    private void start(Map<String, ?> options) {
        Resolver resolver = new DnsResolver(context(options, clock), lookup);
        resolver.start(listener);
        clock.runDueTasks();
    }

    private static ResolverContext context(Map<String, ?> options, FakeClock clock) {
        return context(options, 5, clock);
    }

    private static ResolverContext context(Map<String, ?> options, long seed, FakeClock clock) {
        OptionValues values = OptionValues.of(DnsOptions.PREFIX, new DnsResolverProvider().options(), options);
        return new ResolverContext(TARGET, values, clock, clock, Runnable::run, seed);
    }

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    private static BackendAddress backend(String ip) throws UnknownHostException {
        return BackendAddress.of(InetAddress.getByName(ip), TARGET.port());
    }
}
