package dev.fairway.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.Picker;
import dev.fairway.testing.FakeBackend;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The zone-routing rule on its own: plans, hints, bounds and option checks. */
class LocalityTest {

    private static int last = 1;

    private static Backend backend(String zone, Map<String, String> more) {
        Map<String, String> attributes = new HashMap<>(more);
        if (zone != null) {
            attributes.put(BackendAddress.ZONE, zone);
        }
        last++;
        try {
            return new FakeBackend(new BackendAddress(new InetSocketAddress(InetAddress.getByAddress(
                    new byte[] {10, 0, (byte) (last / 250), (byte) (last % 250 + 1)}), 8080), 1, attributes));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Backends {@code a=2, b=3, c=5}, say. */
    private static List<Backend> fleet(Object... zoneAndCount) {
        List<Backend> all = new ArrayList<>();
        for (int i = 0; i < zoneAndCount.length; i += 2) {
            for (int j = 0; j < (Integer) zoneAndCount[i + 1]; j++) {
                all.add(backend((String) zoneAndCount[i], Map.of()));
            }
        }
        return all;
    }

    /** Zones only from the addresses' own attribute. */
    static final Locality NO_SUBNETS = Locality.off();

    private static Locality locality(String zone, Map<String, ?> options) {
        return Locality.of(zone, options, name -> null);
    }

    private static Map<String, Double> shares(Locality.Plan plan) {
        return plan == null ? Map.of() : plan.byZone();
    }

    @Test
    void withoutAZoneNothingIsRouted() {
        List<Backend> all = fleet("a", 2, "b", 3, "c", 5);
        assertNull(Locality.off().plan(all, all, false, Locality.weightsByZone(all, LocalityTest.NO_SUBNETS)));
        assertTrue(!Locality.off().enabled());
    }

    @Test
    void clientsSpreadLikeTheBackendsStayInTheirZone() {
        List<Backend> all = fleet("a", 2, "b", 3, "c", 5);
        for (String zone : List.of("a", "b", "c")) {
            Locality.Plan plan = locality(zone, Map.of()).plan(all, all, false, Locality.weightsByZone(all, LocalityTest.NO_SUBNETS));
            assertEquals(Map.of(zone, 1.0), shares(plan));
            assertEquals("local", plan.rule());
            assertTrue(plan.groups().get(0).stream().allMatch(b -> b.address().zone().orElseThrow().equals(zone)));
        }
    }

    /** Clients even over three zones, backends 2/3/5: the expected load per backend and the cross-zone share. */
    private static double[] loadAndCrossZone(List<Backend> all, List<Backend> chosen, Map<String, Double> clients, double maxLoad) {
        Map<Backend, Double> load = new LinkedHashMap<>();
        chosen.forEach(b -> load.put(b, 0.0));
        double cross = 0;
        double total = clients.values().stream().mapToDouble(Double::doubleValue).sum();
        for (Map.Entry<String, Double> client : clients.entrySet()) {
            Map<String, Object> options = new HashMap<>();
            options.put("max_load", maxLoad);
            options.put("client_shares", clients.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .reduce((x, y) -> x + "," + y).orElseThrow());
            Locality.Plan plan = locality(client.getKey(), options).plan(all, chosen, false, Locality.weightsByZone(all, LocalityTest.NO_SUBNETS));
            double share = client.getValue() / total;
            for (int i = 0; i < plan.zones().size(); i++) {
                double toZone = share * plan.shares()[i];
                if (!plan.zones().get(i).equals(client.getKey())) {
                    cross += toZone;
                }
                for (Backend b : plan.groups().get(i)) {
                    load.merge(b, toZone / plan.groups().get(i).size(), Double::sum);
                }
            }
        }
        double mean = 1.0 / chosen.size();
        double max = load.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow() / mean;
        double min = load.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow() / mean;
        return new double[] {max, min, cross};
    }

    @Test
    void evenClientsOverUnevenZonesSpillOnlyWhatTheLocalZoneCannotTake() {
        List<Backend> all = fleet("a", 2, "b", 3, "c", 5);
        Map<String, Double> clients = Map.of("a", 1.0, "b", 1.0, "c", 1.0);
        // Envoy's rule (max_load 1): every backend at the mean, cross-zone (1/3 - 0.2) + (1/3 - 0.3) = 1/6
        double[] envoy = loadAndCrossZone(all, all, clients, 1.0);
        assertEquals(1.0, envoy[0], 1e-9);
        assertEquals(1.0, envoy[1], 1e-9);
        assertEquals(1.0 / 6, envoy[2], 1e-9);
        // Fairway's default (max_load 1.2): zone a keeps 0.24 of the traffic, spills 1/3 - 0.24; no backend above 1.2
        double[] fairway = loadAndCrossZone(all, all, clients, 1.2);
        assertEquals(1.2, fairway[0], 1e-9);
        assertEquals(1.0 / 3 - 0.24, fairway[2], 1e-9);
        assertTrue(fairway[2] < envoy[2]);
    }

    @Test
    void aZoneThatLosesHalfItsBackendsSpillsInProportionToTheRoomElsewhere() {
        List<Backend> all = fleet("a", 2, "b", 3, "c", 5);
        List<Backend> chosen = new ArrayList<>(all);
        chosen.remove(0); // one of zone a's two is unhealthy: still live, not chosen
        Locality.Plan plan = locality("a", Map.of()).plan(all, chosen, false, Locality.weightsByZone(all, LocalityTest.NO_SUBNETS));
        // demand as the live backends spread: a 0.2; capacity a 1/9; keep 1.2/9, spill 0.2 - 1.2/9 to b and c
        assertEquals("spill", plan.rule());
        double local = 1.2 / 9 / 0.2;
        assertEquals(local, plan.byZone().get("a"), 1e-9);
        double roomB = 1.2 * 3 / 9 - 0.3;
        double roomC = 1.2 * 5 / 9 - 0.5;
        assertEquals((1 - local) * roomB / (roomB + roomC), plan.byZone().get("b"), 1e-9);
        assertEquals((1 - local) * roomC / (roomB + roomC), plan.byZone().get("c"), 1e-9);
        // and every backend stays within 1.2 of the mean
        double[] figures = loadAndCrossZone(all, chosen, Map.of("a", 2.0, "b", 3.0, "c", 5.0), 1.2);
        assertTrue(figures[0] <= 1.2 + 1e-9, "max " + figures[0]);
    }

    @Test
    void aZoneWithNoUsableBackendSendsEverythingElsewhere() {
        List<Backend> all = fleet("a", 2, "b", 3, "c", 5);
        List<Backend> chosen = all.subList(2, all.size());
        Locality.Plan plan = locality("a", Map.of()).plan(all, chosen, false, Locality.weightsByZone(all, LocalityTest.NO_SUBNETS));
        assertTrue(!plan.byZone().containsKey("a"));
        assertEquals(1.0, plan.byZone().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
    }

    @Test
    void panicSmallTargetsAndAddressesWithoutZonesTurnRoutingOff() {
        List<Backend> all = fleet("a", 2, "b", 3, "c", 5);
        Locality a = locality("a", Map.of());
        assertNull(a.plan(all, all, true, Locality.weightsByZone(all, LocalityTest.NO_SUBNETS)), "panic: all zones");
        List<Backend> small = fleet("a", 2, "b", 3);
        assertNull(a.plan(small, small, false, Locality.weightsByZone(small, LocalityTest.NO_SUBNETS)), "5 backends, below min_backends 6");
        assertEquals(Map.of("a", 1.0), shares(locality("a", Map.of("min_backends", 5)).plan(small, small, false, Locality.weightsByZone(small, LocalityTest.NO_SUBNETS))));
        List<Backend> unknown = fleet(null, 8);
        assertNull(a.plan(unknown, unknown, false, Locality.weightsByZone(unknown, LocalityTest.NO_SUBNETS)), "no address has a zone");
    }

    @Test
    void subnetsGiveZonesToAddressesWithoutOne() {
        Locality l = locality("a", Map.of("subnets", "10.0.0.0/30=a, 10.0.0.0/24=b, fd00::/8=c"));
        assertEquals("a", l.zoneOf(address("10.0.0.2", Map.of())));
        assertEquals("b", l.zoneOf(address("10.0.0.9", Map.of())), "the first match wins");
        assertEquals("c", l.zoneOf(address("fd00::1", Map.of())));
        assertEquals("", l.zoneOf(address("10.0.1.9", Map.of())));
        assertEquals("x", l.zoneOf(address("10.0.0.2", Map.of(BackendAddress.ZONE, "x"))), "the resolver's zone first");
    }

    private static BackendAddress address(String ip, Map<String, String> attributes) {
        try {
            return new BackendAddress(new InetSocketAddress(InetAddress.getByName(ip), 80), 1, attributes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void hintsForTheNodeThenTheZoneAreHonouredWhenEveryAddressHasThem() {
        List<Backend> all = new ArrayList<>();
        all.add(backend("a", Map.of(BackendAddress.HINTS_FOR_ZONES, "a", BackendAddress.HINTS_FOR_NODES, "n1")));
        all.add(backend("a", Map.of(BackendAddress.HINTS_FOR_ZONES, "a,b", BackendAddress.HINTS_FOR_NODES, "n2")));
        all.add(backend("b", Map.of(BackendAddress.HINTS_FOR_ZONES, "b", BackendAddress.HINTS_FOR_NODES, "n3")));
        Locality onN1 = Locality.of("a", Map.of(), name -> name.equals(Locality.NODE_ENV) ? "n1" : null);
        Locality.Plan plan = onN1.plan(all, all, false, Locality.weightsByZone(all, LocalityTest.NO_SUBNETS));
        assertEquals("hints.for_nodes", plan.rule());
        assertEquals(List.of(all.get(0)), plan.groups().get(0));
        Locality inB = locality("b", Map.of());
        plan = inB.plan(all, all, false, Locality.weightsByZone(all, LocalityTest.NO_SUBNETS));
        assertEquals("hints.for_zones", plan.rule());
        assertEquals(List.of(all.get(1), all.get(2)), plan.groups().get(0), "hints apply below min_backends too");
        assertNull(locality("b", Map.of("hints", false)).plan(all, all, false, Locality.weightsByZone(all, LocalityTest.NO_SUBNETS)), "hints off, and 3 < min_backends");
        all.add(backend("b", Map.of())); // one address without hints: kube-proxy ignores them all
        assertNull(inB.plan(all, all, false, Locality.weightsByZone(all, LocalityTest.NO_SUBNETS)));
    }

    @Test
    void theZonePickerFollowsTheSharesInEveryWindowAndReportsToTheRightZone() {
        AtomicInteger[] picks = {new AtomicInteger(), new AtomicInteger()};
        List<Integer> completed = new ArrayList<>();
        Backend x = backend("a", Map.of());
        Backend y = backend("b", Map.of());
        Picker[] pickers = new Picker[2];
        for (int i = 0; i < 2; i++) {
            int zone = i;
            Backend only = i == 0 ? x : y;
            pickers[i] = new Picker() {
                @Override
                public Backend pick(HttpRequest request) {
                    picks[zone].incrementAndGet();
                    return only;
                }

                @Override
                public void completed(Backend backend, long elapsedNanos, boolean success) {
                    completed.add(zone);
                }
            };
        }
        java.util.concurrent.atomic.AtomicLong draws = new java.util.concurrent.atomic.AtomicLong(42);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://orders.test/")).build();
        Picker picker = null;
        for (int window = 0; window < 10; window++) {
            int before = picks[0].get();
            for (int i = 0; i < 100; i++) {
                // a new picker every 10 picks, as rebuilds make: it goes on with the target's sequence
                if (i % 10 == 0) {
                    picker = new Locality.ZonePicker(new double[] {0.7, 0.3}, pickers, List.of(List.of(x), List.of(y)), draws);
                }
                picker.pick(request);
            }
            int local = picks[0].get() - before;
            assertTrue(local >= 68 && local <= 72, "70 of every 100 picks, got " + local);
        }
        picker.completed(y, 1, true);
        picker.completed(x, 1, true);
        assertEquals(List.of(1, 0), completed);
    }

    @Test
    void badValuesNameTheKeyAndWhatIsAllowed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> locality("a", Map.of("max_load", "0.9")));
        assertTrue(e.getMessage().contains("fairway.zone.max_load"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> locality("a", Map.of("client_shares", "a=1,b=-2")));
        assertTrue(e.getMessage().contains("fairway.zone.client_shares") && e.getMessage().contains("positive"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> locality("a", Map.of("client_shares", "a=1,a=2")));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> locality("a", Map.of("subnets", "10.0.0.0/33=a")));
        assertTrue(e.getMessage().contains("fairway.zone.subnets") && e.getMessage().contains("0 to 32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> locality("a", Map.of("subnets", "orders.example/24=a")));
        assertTrue(e.getMessage().contains("not an IP address"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> locality("a", Map.of("subnets", "10.0.0.0=a")));
        assertTrue(e.getMessage().contains("no /prefix"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> locality("a", Map.of("zones", "a")));
        assertTrue(e.getMessage().contains("fairway.zone.zones"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Locality.of("", Map.of(), name -> name.equals(Locality.ZONE_ENV) ? "eu 1a" : null));
        assertTrue(e.getMessage().contains("FAIRWAY_ZONE") && e.getMessage().contains("without spaces"), e.getMessage());
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= Locality.MAX_ENTRIES; i++) {
            many.append(i == 0 ? "" : ",").append("z").append(i).append("=1");
        }
        e = assertThrows(IllegalArgumentException.class, () -> locality("a", Map.of("client_shares", many.toString())));
        assertTrue(e.getMessage().contains("more than 1024"), e.getMessage());
    }

    @Test
    void theZoneComesFromTheEnvironmentWhenNotGiven() {
        Map<String, String> env = Map.of(Locality.ZONE_ENV, "eu-1b", Locality.NODE_ENV, "node-7");
        Locality fromEnv = Locality.of("", Map.of(), env::get);
        assertEquals("eu-1b", fromEnv.zone().orElseThrow());
        assertEquals("node-7", fromEnv.node().orElseThrow());
        Locality given = Locality.of("eu-1a", Map.of("node", "node-1"), env::get);
        assertEquals("eu-1a", given.zone().orElseThrow());
        assertEquals("node-1", given.node().orElseThrow());
        assertTrue(Locality.of("", Map.of(), Map.of(Locality.ZONE_ENV, " ")::get).zone().isEmpty(), "blank: not given");
    }

    @Test
    void aZoneWhoseBackendsLeaveTheAnswerStillSpillsWhatTheRestCannotTake() {
        List<Backend> all = fleet("a", 3, "b", 3, "c", 3);
        Locality.Demand demand = new Locality.Demand();
        Locality a = locality("a", Map.of());
        long t = 1_000_000_000L;
        assertEquals(Map.of("a", 1.0), shares(a.plan(all, all, false, demand.update(Locality.weightsByZone(all, a), t))));
        // two of zone a's pods fail readiness and leave the answer: its clients still send a third of the traffic
        List<Backend> now = new ArrayList<>(all.subList(2, all.size()));
        Locality.Plan plan = a.plan(now, now, false, demand.update(Locality.weightsByZone(now, a), t + 1_000_000_000L));
        assertEquals("spill", plan.rule());
        assertEquals(1.2 * (1.0 / 7) / (1.0 / 3), plan.byZone().get("a"), 0.01, "a keeps 1.2x its one pod's share");
        // a lasting change is believed after a while: an hour later the zone is taken at its present size again
        plan = a.plan(now, now, false, demand.update(Locality.weightsByZone(now, a), t + java.time.Duration.ofHours(1).toNanos()));
        assertEquals(Map.of("a", 1.0), shares(plan));
    }

    @Test
    void demandForgetsZonesThatFadedOut() {
        Locality.Demand demand = new Locality.Demand();
        demand.update(Map.of("a", 2.0, "gone", 1.0), 0);
        Map<String, Double> later = demand.update(Map.of("a", 2.0), java.time.Duration.ofHours(3).toNanos());
        assertEquals(Map.of("a", 2.0), later, "a zone with no backends for hours is dropped");
    }

    @Test
    void clientSharesMustIncludeTheClientsOwnZone() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> locality("eu-1a", Map.of("client_shares", "eu1a=1,eu-1b=1")));
        assertTrue(e.getMessage().contains("fairway.zone.client_shares") && e.getMessage().contains("'eu-1a'"), e.getMessage());
    }

    @Test
    void nodeHintsApplyWithoutAZone() {
        List<Backend> all = new ArrayList<>();
        all.add(backend("a", Map.of(BackendAddress.HINTS_FOR_NODES, "n1")));
        all.add(backend("a", Map.of(BackendAddress.HINTS_FOR_NODES, "n2")));
        Locality onlyNode = Locality.of("", Map.of("node", "n2"), name -> null);
        Locality.Plan plan = onlyNode.plan(all, all, false, Map.of());
        assertEquals(List.of(all.get(1)), plan.groups().get(0));
        assertNull(Locality.of("", Map.of("node", "n9"), name -> null).plan(all, all, false, Map.of()),
                "no zone, and no endpoint for this node: every backend");
    }

    @Test
    void subnetsTakeOnlyFullIpLiterals() {
        for (String bad : List.of("10.1/16=a", "300.1.1.1/8=a", "1.2.3.4.5/8=a", "localhost/8=a", "1.2.3.04x/8=a")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> locality("a", Map.of("subnets", bad)), bad);
            assertTrue(e.getMessage().contains("fairway.zone.subnets"), e.getMessage());
        }
        assertEquals("a", locality("a", Map.of("subnets", "010.0.0.0/8=a")).zoneOf(address("10.2.3.4", Map.of())),
                "leading zeros are decimal, not octal");
    }
}
