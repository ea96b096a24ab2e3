package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Picker;
import dev.fairway.testing.FakeBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static dev.fairway.balancer.leastconn.internal.Fixtures.context;
import static dev.fairway.balancer.leastconn.internal.Fixtures.countIdle;
import static dev.fairway.balancer.leastconn.internal.Fixtures.countUnderLoad;
import static dev.fairway.balancer.leastconn.internal.Fixtures.create;
import static dev.fairway.balancer.leastconn.internal.Fixtures.indexOf;
import static dev.fairway.balancer.leastconn.internal.Fixtures.numbered;
import static dev.fairway.balancer.leastconn.internal.Fixtures.relativeStandardDeviation;
import static dev.fairway.balancer.leastconn.internal.Fixtures.weighted;
import static dev.fairway.balancer.leastconn.internal.Fixtures.worstShareError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeastLoadedPickerTest {

    private final LeastLoadedPickerProvider provider = new LeastLoadedPickerProvider();

    @Test
    void withNothingInFlightAMillionPicksRotateExactly() {
        List<FakeBackend> backends = numbered(100);
        long[] counts = countIdle(create(provider, backends, 1), backends, 1_000_000);
        for (long c : counts) {
            assertEquals(10_000, c, Arrays.toString(counts));
        }
        assertEquals(0.0, relativeStandardDeviation(counts));
    }

    @Test
    void spreadsAMillionPicksEvenlyUnderLoad() {
        List<FakeBackend> backends = numbered(100);
        long[] counts = countUnderLoad(create(provider, backends, 1), backends, 1_000_000, 250);
        double rsd = relativeStandardDeviation(counts);
        assertTrue(rsd < 0.01, "relative standard deviation " + rsd + ": " + Arrays.toString(counts));
    }

    @Test
    void withChoicesCoveringEveryBackendAlwaysPicksALeastLoadedOne() {
        SplittableRandom random = new SplittableRandom(17);
        List<FakeBackend> backends = numbered(30);
        Picker picker = provider.create(context(provider, backends, 17, () -> 0L, Map.of("choices", 30, "busy_ratio", 0), null));
        for (int round = 0; round < 2000; round++) {
            int min = Integer.MAX_VALUE;
            for (FakeBackend b : backends) {
                b.inFlight(random.nextInt(6));
                min = Math.min(min, b.inFlight());
            }
            assertEquals(min, picker.pick(null).inFlight(), "round " + round);
        }
    }

    @Test
    void comparesTheNextChoicesBackendsInRotationOrderAndNoMore() {
        List<FakeBackend> backends = numbered(40);
        Picker picker = strict(backends, 5);
        int start = indexOf(backends, picker.pick(null));
        // the next pick walks the 16 backends after start: load them all but one, and leave a far one idle
        for (FakeBackend b : backends) {
            b.inFlight(3);
        }
        backends.get((start + 9) % 40).inFlight(1);
        backends.get((start + 20) % 40).inFlight(0);      // outside the walk: not seen
        assertEquals((start + 9) % 40, indexOf(backends, picker.pick(null)));
        // the walk now starts after the winner; the idle backend is 11 slots on, within 16
        assertEquals((start + 20) % 40, indexOf(backends, picker.pick(null)));
    }

    @Test
    void aBackendHoldingItsRequestsIsPassedOverWhileAnotherInTheWalkHasFewer() {
        List<FakeBackend> backends = numbered(5);
        FakeBackend slow = backends.get(2);
        slow.inFlight(1);                                  // one slow request outstanding, the others answer at once
        long[] counts = countIdle(create(provider, backends, 3), backends, 10_000);
        assertEquals(0, counts[2], Arrays.toString(counts));
        assertEquals(2_500, counts[0], Arrays.toString(counts));
    }

    /** {@code busy_ratio=0}: strictly the least loaded of the walk. */
    private Picker strict(List<FakeBackend> backends, long seed) {
        return provider.create(context(provider, backends, seed, () -> 0L, Map.of("busy_ratio", 0), null));
    }

    @Test
    void backendsUpToTwiceTheAverageLoadTakeTheirTurnAndABusierOneIsPassedOver() {
        List<FakeBackend> backends = numbered(4);
        Picker picker = create(provider, backends, 12);
        int first = indexOf(backends, picker.pick(null));
        int[] loads = {2, 3, 4, 1};                        // average 2.5: up to 5 is not busy
        for (int b = 0; b < 4; b++) {
            backends.get(b).inFlight(loads[b]);
        }
        for (int i = 1; i < 9; i++) {
            assertEquals((first + i) % 4, indexOf(backends, picker.pick(null)), "pick " + i);
        }
        backends.get((first + 1) % 4).inFlight(12);        // average 4.75: 12 is busy
        assertEquals((first + 2) % 4, indexOf(backends, picker.pick(null)));
        // with the others idle, one request in flight is busy
        for (int b = 0; b < 4; b++) {
            backends.get(b).inFlight(b == (first + 3) % 4 ? 1 : 0);
        }
        for (int i = 0; i < 6; i++) {
            assertTrue(indexOf(backends, picker.pick(null)) != (first + 3) % 4, "pick " + i + " went to the busy backend");
        }
    }

    @Test
    void zeroBusyRatioIsStrictlyTheLeastLoaded() {
        List<FakeBackend> backends = numbered(4);
        Picker picker = strict(backends, 12);
        int[] loads = {3, 2, 3, 3};
        for (int b = 0; b < 4; b++) {
            backends.get(b).inFlight(loads[b]);
        }
        for (int i = 0; i < 6; i++) {
            assertEquals(1, indexOf(backends, picker.pick(null)), "pick " + i);
        }
    }

    @Test
    void oneChoiceIsPlainRoundRobinWhateverTheLoad() {
        List<FakeBackend> backends = numbered(4);
        Picker picker = provider.create(context(provider, backends, 8, () -> 0L, Map.of("choices", 1), null));
        backends.get(1).inFlight(50);
        int first = indexOf(backends, picker.pick(null));
        for (int i = 1; i < 12; i++) {
            assertEquals((first + i) % 4, indexOf(backends, picker.pick(null)), "pick " + i);
        }
    }

    @Test
    void tiedBackendsTakeTurnsInOrder() {
        List<FakeBackend> backends = numbered(6);
        int[] loads = {3, 0, 2, 0, 5, 0};
        for (int i = 0; i < 6; i++) {
            backends.get(i).inFlight(loads[i]);
        }
        Picker picker = strict(backends, 8);
        int first = indexOf(backends, picker.pick(null));
        List<Integer> order = new ArrayList<>(List.of(first));
        for (int i = 0; i < 8; i++) {
            order.add(indexOf(backends, picker.pick(null)));
        }
        List<Integer> cycle = List.of(1, 3, 5);
        int at = cycle.indexOf(first);
        for (int i = 0; i < order.size(); i++) {
            assertEquals(cycle.get((at + i) % 3), order.get(i), "not in turn: " + order);
        }
    }

    @Test
    void withNothingInFlightFollowsTheSmoothWeightedRotation() {
        List<FakeBackend> backends = weighted(5, 1, 1);
        Picker picker = create(provider, backends, 0);
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < 14; i++) {
            seen.append((char) ('a' + indexOf(backends, picker.pick(null))));
        }
        String twice = "aabacaa".repeat(3);
        assertTrue(twice.contains(seen), "not nginx's smooth order: " + seen);

        List<FakeBackend> four = weighted(1, 2, 3, 4);
        long[] counts = countIdle(create(provider, four, 3), four, 1_000_000);
        assertTrue(worstShareError(counts, 1, 2, 3, 4) < 0.0001, Arrays.toString(counts));
    }

    @Test
    void honoursWeightsUnderLoad() {
        List<FakeBackend> backends = weighted(1, 2, 3, 4);
        long[] counts = countUnderLoad(create(provider, backends, 7), backends, 1_000_000, 100);
        double error = worstShareError(counts, 1, 2, 3, 4);
        assertTrue(error < 0.01, "share error " + error + ": " + Arrays.toString(counts));
    }

    @Test
    void dividesLoadByWeight() {
        List<FakeBackend> backends = weighted(1, 4, 2);
        backends.get(0).inFlight(1);   // 1.0 per unit of weight
        backends.get(1).inFlight(3);   // 0.75
        backends.get(2).inFlight(2);   // 1.0
        Picker picker = strict(backends, 1);
        for (int i = 0; i < 100; i++) {
            assertSame(backends.get(1), picker.pick(null));
        }
    }

    @Test
    void startDependsOnTheSeedAndTheRotationCarriesOver() {
        List<FakeBackend> backends = numbered(100);
        Set<Integer> starts = new HashSet<>();
        for (long seed = 0; seed < 100; seed++) {
            starts.add(indexOf(backends, create(provider, backends, seed).pick(null)));
        }
        assertTrue(starts.size() >= 40, "100 seeds started on only " + starts.size() + " distinct backends");

        Picker first = create(provider, backends, 4);
        int a = indexOf(backends, first.pick(null));
        Picker second = provider.create(context(provider, backends, 99, () -> 0L, Map.of(), first));
        assertEquals((a + 1) % 100, indexOf(backends, second.pick(null)));
        assertEquals((a + 2) % 100, indexOf(backends, first.pick(null)), "the old picker did not see the new one's pick");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentPicksOfTiedBackendsStayExactlyBalanced() throws InterruptedException {
        int threads = 8;
        int perThread = 100_000;
        List<FakeBackend> backends = numbered(7);
        Picker picker = create(provider, backends, 2024);
        long[][] counts = new long[threads][7];
        LeastConnPickerTest.runConcurrently(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                counts[t][indexOf(backends, picker.pick(null))]++;
            }
        });
        long[] total = new long[7];
        long sum = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int b = 0; b < 7; b++) {
            for (long[] c : counts) {
                total[b] += c[b];
            }
            sum += total[b];
            min = Math.min(min, total[b]);
            max = Math.max(max, total[b]);
        }
        assertEquals((long) threads * perThread, sum, Arrays.toString(total));
        assertTrue(max - min <= 1, "per-backend counts differ by more than 1: " + Arrays.toString(total));
    }
}
