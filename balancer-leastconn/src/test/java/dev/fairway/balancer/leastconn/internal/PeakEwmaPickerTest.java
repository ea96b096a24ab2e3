package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.Picker;
import dev.fairway.testing.FakeBackend;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

class PeakEwmaPickerTest {

    private static final double MS = 1e6;
    private static final double TAU = Duration.ofSeconds(10).toNanos();

    private final PeakEwmaPickerProvider provider = new PeakEwmaPickerProvider();
    private final FakeClock clock = new FakeClock();

    private PeakEwmaPicker create(List<? extends Backend> backends, Picker previous) {
        return (PeakEwmaPicker) provider.create(context(provider, backends, 21, clock, Map.of(), previous));
    }

    @Test
    void aBackendStartsAtTheDefaultResponseTime() {
        List<FakeBackend> backends = numbered(3);
        PeakEwmaPicker picker = create(backends, null);
        assertEquals(30 * MS, picker.estimate(backends.get(0)), 1e-6);
        PeakEwmaPicker custom = (PeakEwmaPicker) provider.create(context(provider, backends, 21, clock,
                Map.of("default_rtt", "5ms", "decay", "1s"), null));
        assertEquals(5 * MS, custom.estimate(backends.get(2)), 1e-6);
    }

    @Test
    void aSlowResponseRaisesTheEstimateAtOnceAndFastOnesLowerItGradually() {
        List<FakeBackend> backends = numbered(2);
        PeakEwmaPicker picker = create(backends, null);
        Backend b = backends.get(0);
        picker.completed(b, (long) (400 * MS), true);
        assertEquals(400 * MS, picker.estimate(b), 1e-6, "a peak replaces the estimate");

        clock.advance(Duration.ofSeconds(1));
        double w = Math.exp(-1e9 / TAU);
        assertEquals(400 * MS * w, picker.estimate(b), 1e-3, "decays between updates");
        picker.completed(b, (long) (10 * MS), false);
        assertEquals(400 * MS * w + 10 * MS * (1 - w), picker.estimate(b), 1e-3, "a faster response moves it by 1 - e^(-dt/tau)");

        clock.advance(Duration.ofSeconds(30));
        double before = picker.estimate(b);
        picker.completed(b, (long) (before + 5 * MS), true);
        assertEquals(before + 5 * MS, picker.estimate(b), 1.0, "slower than the decayed estimate is a new peak");
        assertEquals(30 * MS * Math.exp(-31e9 / TAU), picker.estimate(backends.get(1)), 1.0, "the other backend only decays");
    }

    @Test
    void avoidsASlowBackendAndTriesItAgainOnceItsEstimateHasFaded() {
        List<FakeBackend> backends = numbered(10);
        PeakEwmaPicker picker = create(backends, null);
        picker.completed(backends.get(3), Duration.ofSeconds(1).toNanos(), false);
        long[] counts = countIdle(picker, backends, 100_000);
        assertEquals(0, counts[3], Arrays.toString(counts));

        // The others keep answering in 30 ms while the slow one gets nothing to do: its 1 s fades below 30 ms after
        // ln(1000/30) time constants (35 s), and then it wins every pair it is drawn into.
        for (int second = 1; second <= 36; second++) {
            clock.advance(Duration.ofSeconds(1));
            for (int i = 0; i < 10; i++) {
                if (i != 3) {
                    picker.completed(backends.get(i), (long) (30 * MS), true);
                }
            }
            if (second == 34) {
                assertEquals(0, countIdle(picker, backends, 10_000)[3], "tried again too early");
            }
        }
        double slow = picker.estimate(backends.get(3));
        assertEquals(1000 * MS * Math.exp(-36e9 / TAU), slow, 1.0);
        assertTrue(slow < picker.estimate(backends.get(0)), slow + " ns");
        counts = countIdle(picker, backends, 100_000);
        assertEquals(0.2, counts[3] / 100_000.0, 0.01, "drawn into 2 pairs in 10: " + Arrays.toString(counts));
    }

    @Test
    void costGrowsWithRequestsInFlight() {
        List<FakeBackend> backends = numbered(2);
        PeakEwmaPicker picker = create(backends, null);
        picker.completed(backends.get(0), (long) (10 * MS), true);  // estimates: 30 ms and 30 ms (no time has passed)
        backends.get(0).inFlight(2);                                   // 30 × 3 = 90
        backends.get(1).inFlight(1);                                   // 30 × 2 = 60
        for (int i = 0; i < 100; i++) {
            assertSame(backends.get(1), picker.pick(null));
        }
        picker.completed(backends.get(1), (long) (100 * MS), true);   // 100 × 2 = 200 against 90
        for (int i = 0; i < 100; i++) {
            assertSame(backends.get(0), picker.pick(null));
        }
    }

    @Test
    void estimatesSurviveNewSnapshotsAndAreDroppedWithTheirBackends() {
        List<FakeBackend> backends = numbered(3);
        PeakEwmaPicker first = create(backends, null);
        first.completed(backends.get(0), (long) (500 * MS), true);
        first.completed(backends.get(1), (long) (200 * MS), true);

        // the same addresses as new objects, as after a resolver update
        List<FakeBackend> again = numbered(3);
        PeakEwmaPicker second = create(again, first);
        assertEquals(500 * MS, second.estimate(again.get(0)), 1e-6);
        assertEquals(200 * MS, second.estimate(again.get(1)), 1e-6);
        second.completed(again.get(1), (long) (700 * MS), true);
        assertEquals(700 * MS, first.estimate(backends.get(1)), 1e-6, "the snapshots share one estimate per backend");

        PeakEwmaPicker without = create(List.of(again.get(1), again.get(2)), second);
        assertTrue(Double.isNaN(without.estimate(again.get(0))));
        without.completed(again.get(0), (long) (900 * MS), true); // a late completion of a removed backend is ignored
        PeakEwmaPicker back = create(again, without);
        assertEquals(30 * MS, back.estimate(again.get(0)), 1e-6, "a backend that comes back starts afresh");
        assertEquals(700 * MS, back.estimate(again.get(1)), 1e-6);

        Picker other = request -> again.get(0);
        assertEquals(30 * MS, create(again, other).estimate(again.get(1)), 1e-6, "another kind of previous picker is ignored");
    }

    @Test
    void replicasAtOneAddressKeepSeparateEstimates() {
        FakeBackend plain = FakeBackend.numbered(1);
        BackendAddress a = plain.address();
        FakeBackend r0 = new FakeBackend(new BackendAddress(a.socketAddress(), 1, Map.of("replica", "0")));
        FakeBackend r1 = new FakeBackend(new BackendAddress(a.socketAddress(), 1, Map.of("replica", "1")));
        PeakEwmaPicker first = create(List.of(r0, r1), null);
        first.completed(r0, (long) (300 * MS), true);
        FakeBackend r1again = new FakeBackend(r1.address());
        FakeBackend r0again = new FakeBackend(r0.address());
        PeakEwmaPicker second = create(List.of(r1again, r0again), first);
        assertEquals(300 * MS, second.estimate(r0again), 1e-6);
        assertEquals(30 * MS, second.estimate(r1again), 1e-6);
    }

    @Test
    void spreadsAMillionPicksEvenlyUnderLoad() {
        List<FakeBackend> backends = numbered(100);
        PeakEwmaPicker picker = create(backends, null);
        for (Backend b : backends) {
            picker.completed(b, (long) (5 * MS), true);
        }
        long[] counts = countUnderLoad(picker, backends, 1_000_000, 200);
        double rsd = relativeStandardDeviation(counts);
        assertTrue(rsd < 0.01, "relative standard deviation " + rsd + ": " + Arrays.toString(counts));
    }

    @Test
    void honoursWeights() {
        List<FakeBackend> backends = weighted(1, 2, 3, 4);
        long[] idle = countIdle(create(backends, null), backends, 1_000_000);
        assertTrue(worstShareError(idle, 1, 2, 3, 4) < 0.01, Arrays.toString(idle));
        long[] loaded = countUnderLoad(create(backends, null), backends, 1_000_000, 100);
        assertTrue(worstShareError(loaded, 1, 2, 3, 4) < 0.01, Arrays.toString(loaded));
    }

    @Test
    void neverPicksTheCostlierOfTwoCandidates() {
        List<FakeBackend> backends = numbered(3);
        PeakEwmaPicker picker = create(backends, null);
        picker.completed(backends.get(1), (long) (50 * MS), true);
        picker.completed(backends.get(2), (long) (90 * MS), true);
        long[] counts = countIdle(picker, backends, 300_000);
        assertEquals(0, counts[2], Arrays.toString(counts));
        assertEquals(2.0 / 3, counts[0] / 300_000.0, 0.005, Arrays.toString(counts));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentPicksAndCompletionsKeepTheSlowBackendOut() throws InterruptedException {
        List<FakeBackend> backends = numbered(8);
        PeakEwmaPicker picker = create(backends, null);
        picker.completed(backends.get(5), Duration.ofSeconds(5).toNanos(), false);
        int threads = 8;
        long[][] counts = new long[threads][8];
        LeastConnPickerTest.runConcurrently(threads, t -> {
            for (int i = 0; i < 50_000; i++) {
                Backend b = picker.pick(null);
                counts[t][indexOf(backends, b)]++;
                picker.completed(b, (long) (2 * MS), true);
            }
        });
        long sum = 0;
        long slow = 0;
        for (long[] c : counts) {
            sum += Arrays.stream(c).sum();
            slow += c[5];
        }
        assertEquals(8L * 50_000, sum);
        assertEquals(0, slow, "picked the slow backend");
        assertTrue(picker.estimate(backends.get(0)) <= 30 * MS);
    }
}
