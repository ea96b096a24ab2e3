package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;
import dev.fairway.testing.FakeBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeastConnPickerTest {

    private final LeastConnPickerProvider provider = new LeastConnPickerProvider();

    @Test
    void spreadsAMillionPicksEvenlyUnderLoad() {
        List<FakeBackend> backends = numbered(100);
        long[] counts = countUnderLoad(create(provider, backends, 1), backends, 1_000_000, 200);
        double rsd = relativeStandardDeviation(counts);
        // random choice would give about 1 %; the second choice evens it out
        assertTrue(rsd < 0.01, "relative standard deviation " + rsd + ": " + Arrays.toString(counts));
    }

    @Test
    void neverPicksTheMoreLoadedOfTwoCandidates() {
        List<FakeBackend> two = numbered(2);
        two.get(0).inFlight(7);
        two.get(1).inFlight(3);
        Picker picker = create(provider, two, 11);
        for (int i = 0; i < 10_000; i++) {
            assertSame(two.get(1), picker.pick(null));
        }
    }

    @Test
    void drawsTheTwoCandidatesWithoutReplacement() {
        // Loads 0, 5 and 9: the pair {5, 9} (one pair in three) goes to 5, every other pair to 0, and 9 is never
        // picked. Drawing with replacement would pick 9 whenever it was drawn twice (one pick in nine).
        List<FakeBackend> backends = numbered(3);
        backends.get(0).inFlight(0);
        backends.get(1).inFlight(5);
        backends.get(2).inFlight(9);
        long[] counts = countIdle(create(provider, backends, 3), backends, 300_000);
        assertEquals(0, counts[2], Arrays.toString(counts));
        assertEquals(2.0 / 3, counts[0] / 300_000.0, 0.005, Arrays.toString(counts));
        assertEquals(1.0 / 3, counts[1] / 300_000.0, 0.005, Arrays.toString(counts));
    }

    @Test
    void neverPicksTheMostLoadedBackend() {
        for (long seed = 0; seed < 5; seed++) {
            List<FakeBackend> backends = numbered(50);
            SplittableRandom random = new SplittableRandom(seed);
            int[] loads = random.ints(0, 1000).distinct().limit(50).toArray();
            int most = 0;
            for (int i = 0; i < 50; i++) {
                backends.get(i).inFlight(loads[i]);
                most = loads[i] > loads[most] ? i : most;
            }
            long[] counts = countIdle(create(provider, backends, seed), backends, 50_000);
            assertEquals(0, counts[most], "seed " + seed + ": " + Arrays.toString(counts));
        }
    }

    @Test
    void moreChoicesCompareMoreDistinctCandidates() {
        List<FakeBackend> backends = numbered(100);
        for (int i = 0; i < 100; i++) {
            backends.get(i).inFlight(i);
        }
        Picker picker = provider.create(context(provider, backends, 5, () -> 0L, Map.of("choices", 10), null));
        long[] counts = countIdle(picker, backends, 100_000);
        // the winner of ten distinct candidates is at worst the tenth most loaded (load 90)
        for (int i = 91; i < 100; i++) {
            assertEquals(0, counts[i], "backend " + i + ": " + Arrays.toString(counts));
        }
        // the least loaded of ten is at most 9 about 65 % of the time, against about 19 % with two choices
        long low = Arrays.stream(counts, 0, 10).sum();
        assertTrue(low > 55_000, "only " + low + " picks of loads 0 to 9: " + Arrays.toString(counts));

        List<FakeBackend> three = numbered(3);
        three.get(0).inFlight(4);
        three.get(1).inFlight(1);
        three.get(2).inFlight(2);
        Picker all = provider.create(context(provider, three, 5, () -> 0L, Map.of("choices", "3"), null));
        for (int i = 0; i < 1000; i++) {
            assertSame(three.get(1), all.pick(null), "three choices over three backends compare all of them");
        }
    }

    @Test
    void moreChoicesOverManyBackendsAlsoDrawDistinctCandidates() {
        List<FakeBackend> backends = numbered(1000);
        for (int i = 0; i < 1000; i++) {
            backends.get(i).inFlight(i);
        }
        Picker picker = provider.create(context(provider, backends, 5, () -> 0L, Map.of("choices", 5), null));
        long[] counts = countIdle(picker, backends, 200_000);
        // the best of 5 distinct is at most the 996th; with duplicates the winner would sometimes be higher
        for (int i = 996; i < 1000; i++) {
            assertEquals(0, counts[i], "backend " + i);
        }
        // P(best of 5 distinct uniform among 1000 has load < 100) = 1 - C(900,5)/C(1000,5) = 41.0 %
        long low = Arrays.stream(counts, 0, 100).sum();
        assertEquals(0.41, low / 200_000.0, 0.01);
    }

    @Test
    void honoursWeightsWithNothingInFlight() {
        List<FakeBackend> backends = weighted(1, 2, 3, 4);
        long[] counts = countIdle(create(provider, backends, 7), backends, 1_000_000);
        double error = worstShareError(counts, 1, 2, 3, 4);
        assertTrue(error < 0.01, "share error " + error + ": " + Arrays.toString(counts));
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
        // 3 in flight on weight 4 (0.75 each) is lighter than 1 in flight on weight 1
        List<FakeBackend> backends = weighted(1, 4);
        backends.get(0).inFlight(1);
        backends.get(1).inFlight(3);
        Picker picker = create(provider, backends, 1);
        for (int i = 0; i < 1000; i++) {
            assertSame(backends.get(1), picker.pick(null));
        }
        backends.get(1).inFlight(5);
        for (int i = 0; i < 1000; i++) {
            assertSame(backends.get(0), picker.pick(null));
        }
    }

    @Test
    void sameSeedSamePicksAndTheStateCarriesOver() {
        List<FakeBackend> backends = numbered(100);
        assertEquals(picks(create(provider, backends, 42), backends, 50), picks(create(provider, backends, 42), backends, 50));
        assertNotEquals(picks(create(provider, backends, 42), backends, 50), picks(create(provider, backends, 43), backends, 50));

        // a replacing picker continues the random sequence instead of starting it again
        Picker reference = create(provider, backends, 9);
        List<Integer> expected = picks(reference, backends, 20);
        Picker first = create(provider, backends, 9);
        List<Integer> actual = new ArrayList<>(picks(first, backends, 10));
        Picker second = provider.create(context(provider, backends, 9, () -> 0L, Map.of(), first));
        actual.addAll(picks(second, backends, 10));
        assertEquals(expected, actual);
        Picker unrelated = provider.create(context(provider, backends, 9, () -> 0L, Map.of(), request -> backends.get(0)));
        assertEquals(expected.subList(0, 10), picks(unrelated, backends, 10), "another kind of previous picker is ignored");
    }

    @Test
    void aSingleBackendIsAlwaysPicked() {
        List<FakeBackend> one = numbered(1);
        one.get(0).inFlight(1000);
        Picker picker = create(provider, one, 1);
        for (int i = 0; i < 100; i++) {
            assertSame(one.get(0), picker.pick(null));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentPicksNeverChooseTheMostLoaded() throws InterruptedException {
        int threads = 8;
        int perThread = 100_000;
        List<FakeBackend> backends = numbered(10);
        for (int i = 0; i < 10; i++) {
            backends.get(i).inFlight(i == 4 ? 50 : i);
        }
        Picker picker = create(provider, backends, 2024);
        long[][] counts = new long[threads][10];
        runConcurrently(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                counts[t][indexOf(backends, picker.pick(null))]++;
            }
        });
        long[] total = new long[10];
        long sum = 0;
        for (long[] c : counts) {
            for (int b = 0; b < 10; b++) {
                total[b] += c[b];
                sum += c[b];
            }
        }
        assertEquals((long) threads * perThread, sum, Arrays.toString(total));
        assertEquals(0, total[4], "picked the most loaded backend: " + Arrays.toString(total));
        assertTrue(total[0] > total[9], Arrays.toString(total));
    }

    /** Runs {@code body} on {@code threads} threads released together; fails with the first failure. */
    static void runConcurrently(int threads, java.util.function.IntConsumer body) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                try {
                    ready.countDown();
                    go.await();
                    body.accept(id);
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
    }

    private static List<Integer> picks(Picker picker, List<? extends Backend> backends, int count) {
        List<Integer> indexes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            indexes.add(indexOf(backends, picker.pick(null)));
        }
        return indexes;
    }
}
