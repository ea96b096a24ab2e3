package dev.fairway.internal;

import dev.fairway.spi.BackendAddress;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stable-matching subsetting: exact shares, never fewer than {@code min(size, backends)} backends, distinct backends in input order, the same answer every time, and
 * churn within the bounds measured by {@link DeterministicSubsetFigures}.
 */
class DeterministicSubsetTest {

    private static long hash(BackendAddress address) {
        return TargetPool.rendezvous(0, address);
    }

    private static List<BackendAddress> subset(List<BackendAddress> backends, int index, int clients, int size) {
        return DeterministicSubset.subset(backends, DeterministicSubsetTest::hash, index, clients, size);
    }

    /** Every client's subset, client by client. */
    private static List<Set<BackendAddress>> all(List<BackendAddress> backends, int clients, int size) {
        List<Set<BackendAddress>> out = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++) {
            out.add(new HashSet<>(subset(backends, i, clients, size)));
        }
        return out;
    }

    /** How many clients use each backend. */
    private static Map<BackendAddress, Integer> loads(List<BackendAddress> backends, List<Set<BackendAddress>> subsets) {
        Map<BackendAddress, Integer> loads = new HashMap<>();
        for (BackendAddress b : backends) {
            loads.put(b, 0);
        }
        for (Set<BackendAddress> s : subsets) {
            for (BackendAddress b : s) {
                loads.merge(b, 1, Integer::sum);
            }
        }
        return loads;
    }

    private static void assertEven(int clients, int backends, int size) {
        List<BackendAddress> fleet = DeterministicSubsetFigures.fleet(backends);
        Map<BackendAddress, Integer> loads = loads(fleet, all(fleet, clients, size));
        assertEquals(backends, loads.size(), "a client was given a backend not in the fleet");
        int floor = clients * size / backends;
        int ceil = (clients * size + backends - 1) / backends;
        for (Map.Entry<BackendAddress, Integer> e : loads.entrySet()) {
            int n = e.getValue();
            assertTrue(n == floor || n == ceil, clients + "x" + backends + "x" + size + ": " + e.getKey() + " has " + n
                    + " clients, expected " + floor + (ceil != floor ? " or " + ceil : ""));
        }
        assertEquals((long) clients * size, loads.values().stream().mapToLong(Integer::longValue).sum());
    }

    @Test
    void threeHundredByThreeHundredBySizeTenGivesEveryBackendExactlyTen() {
        List<BackendAddress> fleet = DeterministicSubsetFigures.fleet(300);
        Map<BackendAddress, Integer> loads = loads(fleet, all(fleet, 300, 10));
        assertEquals(Set.of(10), Set.copyOf(loads.values()));
    }

    @Test
    void unevenShapesDifferByAtMostOne() {
        assertEven(7, 10, 3);
        assertEven(301, 300, 10);
        assertEven(300, 299, 10);
        assertEven(299, 300, 10);
        assertEven(1, 5, 2);
        assertEven(13, 40, 7);
        assertEven(50, 37, 36);
    }

    @Test
    void subsetsAreDistinctOfTheRequestedSizeAndInInputOrder() {
        List<BackendAddress> fleet = DeterministicSubsetFigures.fleet(37);
        for (int size : new int[]{1, 5, 36}) {
            for (int i = 0; i < 50; i++) {
                List<BackendAddress> s = subset(fleet, i, 50, size);
                assertEquals(size, s.size());
                assertEquals(size, new HashSet<>(s).size(), "duplicates in " + s);
                int last = -1;
                for (BackendAddress b : s) {
                    int at = fleet.indexOf(b);
                    assertTrue(at > last, "out of input order: " + s);
                    last = at;
                }
            }
        }
    }

    @Test
    void sameInputsSameSubset() {
        List<BackendAddress> fleet = DeterministicSubsetFigures.fleet(300);
        for (int i : new int[]{0, 17, 299}) {
            assertEquals(subset(fleet, i, 300, 10), subset(new ArrayList<>(fleet), i, 300, 10));
        }
        // different clients get different subsets
        assertTrue(!subset(fleet, 0, 300, 10).equals(subset(fleet, 1, 300, 10)));
    }

    @Test
    void everyClientGetsItsFullSizeEvenWhenTheGreedyLeavesItShort() {
        // shapes where the greedy leaves clients short (measured by the figures); the chain of moves completes them
        int[][] shapes = {{50, 37, 36}, {1000, 100, 20}, {300, 300, 10}};
        int repaired = 0;
        for (int[] s : shapes) {
            long[] hashes = new long[s[1]];
            List<BackendAddress> fleet = DeterministicSubsetFigures.fleet(s[1]);
            for (int b = 0; b < s[1]; b++) {
                hashes[b] = hash(fleet.get(b));
            }
            DeterministicSubset.Matching matching = DeterministicSubset.matching(hashes, s[0], s[2]);
            repaired += matching.repairs();
            int[] load = new int[s[1]];
            for (int[] row : matching.subsets()) {
                assertEquals(s[2], row.length);
                assertEquals(s[2], java.util.Arrays.stream(row).distinct().count(), "a backend twice: " + java.util.Arrays.toString(row));
                for (int b : row) {
                    load[b]++;
                }
            }
            int[] cap = DeterministicSubset.capacities(hashes, s[0], s[2]);
            assertTrue(java.util.Arrays.equals(cap, load), s[0] + "x" + s[1] + "x" + s[2] + ": loads are not the capacities");
        }
        assertTrue(repaired > 0, "no shape needed a chain of moves: the repair went untested");
        // and through the public entry, for small shapes of every kind: min(size, backends), distinct
        for (int m = 1; m <= 12; m++) {
            List<BackendAddress> fleet = DeterministicSubsetFigures.fleet(m);
            for (int n = 1; n <= 12; n++) {
                for (int k = 1; k <= m + 1; k++) {
                    for (int i = 0; i < n; i++) {
                        List<BackendAddress> s = subset(fleet, i, n, k);
                        assertEquals(Math.min(k, m), new HashSet<>(s).size(), n + "x" + m + "x" + k + " client " + i + ": " + s);
                    }
                }
            }
        }
    }

    @Test
    void sizeAtLeastTheFleetGivesTheWholeFleet() {
        List<BackendAddress> fleet = DeterministicSubsetFigures.fleet(5);
        assertEquals(fleet, subset(fleet, 2, 3, 5));
        assertEquals(fleet, subset(fleet, 0, 1, 6));
        assertEquals(List.of(), subset(List.of(), 0, 1, 3));
    }

    @Test
    void badArgumentsAreNamed() {
        List<BackendAddress> fleet = DeterministicSubsetFigures.fleet(5);
        String index = assertThrows(IllegalArgumentException.class, () -> subset(fleet, 3, 3, 2)).getMessage();
        assertEquals("index 3 is out of range: with 3 clients use 0 to 2", index);
        String negative = assertThrows(IllegalArgumentException.class, () -> subset(fleet, -1, 3, 2)).getMessage();
        assertEquals("index -1 is out of range: with 3 clients use 0 to 2", negative);
        String clients = assertThrows(IllegalArgumentException.class, () -> subset(fleet, 0, 0, 2)).getMessage();
        assertEquals("clients 0 is out of range: the number of peer clients is at least 1", clients);
        String size = assertThrows(IllegalArgumentException.class, () -> subset(fleet, 0, 3, 0)).getMessage();
        assertEquals("size 0 is out of range: the subset size is at least 1", size);
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> DeterministicSubset.subset(fleet, null, 0, 1, 1));
        assertEquals("hash", npe.getMessage());
    }

    /** Moves for each churn case, 300 × 300 × 10, against the bound named in the figures' report. */
    @Test
    void churnStaysWithinTheMeasuredBounds() {
        List<DeterministicSubsetFigures.Case> cases = DeterministicSubsetFigures.cases(300, 300, 10);
        int[] before = DeterministicSubsetFigures.identities(300);
        List<Set<BackendAddress>> old = DeterministicSubsetFigures.all(DeterministicSubsetFigures.STABLE,
                DeterministicSubsetFigures.fleet(300), before, 10);
        Map<String, Integer> moved = new HashMap<>();
        for (DeterministicSubsetFigures.Case c : cases) {
            List<Set<BackendAddress>> now = DeterministicSubsetFigures.all(DeterministicSubsetFigures.STABLE,
                    c.backendsAfter(), c.idsAfter(), 10);
            moved.put(c.name(), DeterministicSubsetFigures.moved(old, before, now, c.idsAfter()));
            assertTrue(moved.get(c.name()) >= c.minimum(), c.name() + " moved fewer than the minimum: " + moved);
        }
        // a client joining or leaving changes the capacities: measured 54 and 76, minimum 10
        assertTrue(moved.get("+1 client") <= 60, "+1 client moved more than measured (54): " + moved);
        assertTrue(moved.get("-1 client (last)") <= 84, "-1 client (last) moved more than measured (76): " + moved);
        // a backend joining or leaving disturbs the pairs near it in score order: measured 72 to 86, minimum 18 or 20
        for (String name : List.of("+1 backend (middle)", "+1 backend (end)", "-1 backend (middle)", "-1 backend (end)")) {
            assertTrue(moved.get(name) <= 95, name + " moved more than measured (86 at most): " + moved);
        }
        // renumbering every later client reshuffles them: this scheme needs indices that stay put
        assertTrue(moved.get("-1 client (middle, later renumbered)") > 2000, "renumbering: " + moved);
    }

    @Test
    void resultIsAnUnmodifiableCopy() {
        List<BackendAddress> fleet = new ArrayList<>(DeterministicSubsetFigures.fleet(3));
        List<BackendAddress> s = subset(fleet, 0, 1, 3);
        assertEquals(fleet, s);
        fleet.clear();
        assertEquals(3, s.size());
        assertThrows(UnsupportedOperationException.class, () -> s.add(DeterministicSubsetFigures.backend(9)));
        List<BackendAddress> part = subset(DeterministicSubsetFigures.fleet(30), 4, 10, 3);
        assertThrows(UnsupportedOperationException.class, () -> part.add(DeterministicSubsetFigures.backend(99)));
    }
}
