package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.fairway.balancer.roundrobin.internal.Contexts.context;
import static dev.fairway.balancer.roundrobin.internal.Contexts.indexOf;
import static dev.fairway.balancer.roundrobin.internal.Contexts.numbered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoundRobinPickerTest {

    private final RoundRobinPickerProvider provider = new RoundRobinPickerProvider();

    /** The indexes of {@code count} consecutive picks. */
    private static List<Integer> picks(Picker picker, List<Backend> backends, int count) {
        List<Integer> indexes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            indexes.add(indexOf(backends, picker.pick(null)));
        }
        return indexes;
    }

    @Test
    void rotatesExactlyInOrder() {
        for (long seed : new long[] {1, 42, -7, Long.MIN_VALUE}) {
            for (int n : new int[] {1, 2, 5, 7}) {
                List<Backend> backends = numbered(n);
                Picker picker = provider.create(context(backends, seed));
                int k = 3;
                List<Integer> indexes = picks(picker, backends, k * n);
                int[] counts = new int[n];
                for (int i = 0; i < indexes.size(); i++) {
                    counts[indexes.get(i)]++;
                    if (i > 0) {
                        assertEquals((indexes.get(i - 1) + 1) % n, indexes.get(i),
                                "seed " + seed + ", " + n + " backends: not in rotation order: " + indexes);
                    }
                }
                for (int b = 0; b < n; b++) {
                    assertEquals(k, counts[b], "seed " + seed + ", " + n + " backends: backend " + b + " in " + indexes);
                }
            }
        }
    }

    @Test
    void startOffsetDependsOnTheSeed() {
        List<Backend> backends = numbered(100);
        Backend first1 = provider.create(context(backends, 1)).pick(null);
        Backend first2 = provider.create(context(backends, 2)).pick(null);
        assertNotEquals(indexOf(backends, first1), indexOf(backends, first2), "seeds 1 and 2 start on the same backend");

        Set<Integer> starts = new HashSet<>();
        for (long seed = 0; seed < 100; seed++) {
            starts.add(indexOf(backends, provider.create(context(backends, seed)).pick(null)));
        }
        // A uniform start hits about 63 distinct backends out of 100; a fixed start hits 1.
        assertTrue(starts.size() >= 40, "100 seeds started on only " + starts.size() + " distinct backends: " + starts);
    }

    @Test
    void sameSeedStartsAtTheSameBackend() {
        List<Backend> backends = numbered(100);
        for (long seed : new long[] {0, 7, 123_456_789L}) {
            assertEquals(picks(provider.create(context(backends, seed)), backends, 10),
                    picks(provider.create(context(backends, seed)), backends, 10), "seed " + seed);
        }
    }

    @Test
    void rotationContinuesWhenTheSetGrowsAndShrinks() {
        List<Backend> five = numbered(5);
        Picker start = new RoundRobinPicker(five, new AtomicLong(0));
        assertEquals(List.of(0, 1, 2, 3, 4), picks(start, five, 5));           // counter 0..4

        List<Backend> six = numbered(6);                                        // b5 added at the end
        Picker grown = provider.create(context(six, 99, start));
        assertEquals(List.of(5, 0, 1, 2, 3, 4), picks(grown, six, 6));         // counter 5..10: b4 -> b5, no repeat

        List<Backend> withoutFirst = six.subList(1, 6);                        // b0 removed: b1..b5
        Picker shrunk = provider.create(context(withoutFirst, 99, grown));
        // counter 11..15 mod 5 = 1,2,3,4,0 -> b2,b3,b4,b5,b1: continues after b4 without repeating it
        assertEquals(List.of(1, 2, 3, 4, 0), picks(shrunk, withoutFirst, 5));
        assertSame(six.get(2), withoutFirst.get(1));
    }

    @Test
    void replacedAndReplacingPickersShareOneCounter() {
        List<Backend> backends = numbered(4);
        Picker first = provider.create(context(backends, 5));
        int a = indexOf(backends, first.pick(null));
        Picker second = provider.create(context(backends, 6, first));
        assertEquals((a + 1) % 4, indexOf(backends, second.pick(null)));
        assertEquals((a + 2) % 4, indexOf(backends, first.pick(null)), "the old picker did not see the new one's pick");
        assertEquals((a + 3) % 4, indexOf(backends, second.pick(null)));
    }

    @Test
    void aPreviousPickerOfAnotherKindStartsFromTheSeed() {
        List<Backend> backends = numbered(50);
        Picker other = request -> backends.get(0);
        for (long seed = 0; seed < 10; seed++) {
            assertEquals(picks(provider.create(context(backends, seed)), backends, 3),
                    picks(provider.create(context(backends, seed, other)), backends, 3), "seed " + seed);
            assertEquals(picks(provider.create(context(backends, seed)), backends, 3),
                    picks(provider.create(context(backends, seed, new RandomPicker(backends))), backends, 3));
        }
    }

    @Test
    void keepsRotatingPastLongOverflow() {
        List<Backend> backends = numbered(3);
        Picker picker = new RoundRobinPicker(backends, new AtomicLong(Long.MAX_VALUE - 1));
        for (int i = 0; i < 6; i++) {
            assertTrue(backends.contains(picker.pick(null)));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentPicksStayExactlyBalanced() throws InterruptedException {
        int threads = 8;
        int perThread = 200_000;
        List<Backend> backends = numbered(5);
        Picker picker = provider.create(context(backends, 2024));
        long[][] counts = new long[threads][5];
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

        long[] total = new long[5];
        for (long[] perThreadCounts : counts) {
            for (int b = 0; b < 5; b++) {
                total[b] += perThreadCounts[b];
            }
        }
        long sum = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long c : total) {
            sum += c;
            min = Math.min(min, c);
            max = Math.max(max, c);
        }
        String counted = java.util.Arrays.toString(total);
        assertEquals((long) threads * perThread, sum, counted);
        assertTrue(max - min <= 1, "per-backend counts differ by more than 1: " + counted);
    }
}
