package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;
import dev.fairway.testing.FakeBackend;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static dev.fairway.balancer.roundrobin.internal.Contexts.context;
import static dev.fairway.balancer.roundrobin.internal.Contexts.count;
import static dev.fairway.balancer.roundrobin.internal.Contexts.fakes;
import static dev.fairway.balancer.roundrobin.internal.Contexts.indexOf;
import static dev.fairway.balancer.roundrobin.internal.Contexts.weighted;
import static dev.fairway.balancer.roundrobin.internal.Contexts.worstShareError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightedRoundRobinPickerTest {

    private static final Map<String, Object> RAMP = Map.of("slow_start_window", "100s", "slow_start_min_percent", 10);

    private final WeightedRoundRobinPickerProvider provider = new WeightedRoundRobinPickerProvider();

    private Picker create(List<? extends Backend> backends, long seed) {
        return provider.create(context(provider, backends, seed, () -> 0L, Map.of(), null));
    }

    private static String letters(Picker picker, List<? extends Backend> backends, int count) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < count; i++) {
            s.append((char) ('a' + indexOf(backends, picker.pick(null))));
        }
        return s.toString();
    }

    @Test
    void interleavesSmoothlyInNginxOrder() {
        List<FakeBackend> backends = weighted(5, 1, 1);
        String period = "aabacaa";
        for (long seed = 0; seed < 7; seed++) {
            String seen = letters(create(backends, seed), backends, 21);
            assertTrue(period.repeat(4).contains(seen), "seed " + seed + ": not nginx's smooth order: " + seen);
        }
        assertEquals(letters(create(backends, 3), backends, 10), letters(create(backends, 3), backends, 10),
                "the same seed starts at the same position");
    }

    @Test
    void withEqualWeightsRotatesExactly() {
        List<FakeBackend> backends = fakes(100);
        long[] counts = count(create(backends, 1), backends, 1_000_000);
        for (long c : counts) {
            assertEquals(10_000, c, Arrays.toString(counts));
        }
    }

    @Test
    void honoursWeightsExactlyOverWholePeriods() {
        int[] weights = IntStream.rangeClosed(1, 100).toArray();       // a period of 5,050 picks
        List<FakeBackend> backends = weighted(weights);
        long[] counts = count(create(backends, 9), backends, 5050 * 198);
        for (int i = 0; i < 100; i++) {
            assertEquals(198L * weights[i], counts[i], "backend " + i);
        }
        long[] partial = count(create(backends, 9), backends, 1_000_000);
        assertTrue(worstShareError(partial, weights) < 0.01, Arrays.toString(partial));
    }

    @Test
    void largeWeightsAreScaledWithinOnePercent() {
        int[] weights = {1_000_000, 700_000, 250_000, 123_457, 9_999};
        List<FakeBackend> backends = weighted(weights);
        long[] counts = count(create(backends, 2), backends, 1_000_000);
        assertTrue(worstShareError(counts, weights) < 0.01, Arrays.toString(counts));
    }

    @Test
    void theCounterCarriesOverAndTheStartDependsOnTheSeed() {
        List<FakeBackend> backends = fakes(100);
        Set<Integer> starts = new HashSet<>();
        for (long seed = 0; seed < 100; seed++) {
            starts.add(indexOf(backends, create(backends, seed).pick(null)));
        }
        assertTrue(starts.size() >= 40, "100 seeds started on only " + starts.size() + " distinct backends");

        List<FakeBackend> four = weighted(3, 1, 1, 1);
        Picker first = create(four, 5);
        Picker reference = create(four, 5);
        String expected = letters(reference, four, 12);
        String actual = letters(first, four, 5);
        Picker second = provider.create(context(provider, four, 77, () -> 0L, Map.of(), first));
        actual += letters(second, four, 7);
        assertEquals(expected, actual);
    }

    @Test
    void aNewBackendRampsLinearlyOnTheTicker() {
        FakeClock clock = new FakeClock();
        List<FakeBackend> backends = fakes(10);
        long start = clock.read();
        for (int i = 0; i < 9; i++) {
            backends.get(i).usableSince(start - Duration.ofHours(1).toNanos());
        }
        backends.get(9).usableSince(start);
        Picker picker = provider.create(context(provider, backends, 3, clock, RAMP, null));
        for (int seconds : new int[] {0, 25, 50, 75, 100, 150}) {
            clock.advance(Duration.ofSeconds(seconds).minus(Duration.ofNanos(clock.read() - start)));
            double factor = Math.min(1.0, 0.1 + 0.9 * seconds / 100.0);
            long[] counts = count(picker, backends, 100_000);
            assertEquals(factor / (9 + factor), counts[9] / 100_000.0, 0.001, seconds + " s: " + Arrays.toString(counts));
        }

        List<FakeBackend> heavy = weighted(3, 1);
        heavy.get(0).usableSince(clock.read());
        heavy.get(1).usableSince(clock.read() - Duration.ofHours(1).toNanos());
        Picker weightedRamp = provider.create(context(provider, heavy, 3, clock, RAMP, null));
        clock.advance(Duration.ofSeconds(50));
        long[] counts = count(weightedRamp, heavy, 100_000);
        assertEquals(1.65 / 2.65, counts[0] / 100_000.0, 0.001, Arrays.toString(counts));
    }

    @Test
    void aMinimumWithoutAWindowIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> context(provider, fakes(2), 1, () -> 0L, Map.of("slow_start_min_percent", 50), null));
        assertTrue(e.getMessage().contains("slow_start_min_percent") && e.getMessage().contains("slow_start_window"), e.getMessage());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentPicksKeepExactShares() throws InterruptedException {
        int threads = 8;
        int perThread = 100_000;
        List<FakeBackend> backends = weighted(1, 2, 3, 4);
        Picker picker = create(backends, 2024);
        long[][] counts = new long[threads][4];
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long[] mine = counts[t];
            Thread worker = new Thread(() -> {
                try {
                    ready.countDown();
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        mine[indexOf(backends, picker.pick(null))]++;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "picker-" + t);
            worker.start();
            workers.add(worker);
        }
        ready.await();
        go.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertNull(failure.get(), () -> "a picking thread failed: " + failure.get());
        long[] total = new long[4];
        for (long[] c : counts) {
            for (int b = 0; b < 4; b++) {
                total[b] += c[b];
            }
        }
        // 800,000 picks are 80,000 whole periods of 10
        assertEquals(List.of(80_000L, 160_000L, 240_000L, 320_000L), Arrays.stream(total).boxed().toList());
    }
}
