package com.example.fairway.zone;

import dev.fairway.spi.Backend;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeBackend;
import dev.fairway.testing.ServiceDeclarations;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The picker on its own, over fake backends: what it prefers, when it falls back, and how it rotates. */
class ZonePickerTest {

    private static final ZonePickerProvider PROVIDER = new ZonePickerProvider();
    private static final Target TARGET = new Target("http", "orders.example", 8080);
    private static final HttpRequest REQUEST = HttpRequest.newBuilder(URI.create("http://orders.example:8080/")).build();

    /** Backend {@code 10.0.0.<index>} in {@code zone} (none when {@code null}). */
    private static FakeBackend backend(int index, String zone) throws Exception {
        InetSocketAddress socket = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) index}), 8080);
        return new FakeBackend(new BackendAddress(socket, 1, zone == null ? Map.of() : Map.of(BackendAddress.ZONE, zone)));
    }

    private static PickerContext context(List<? extends Backend> backends, Map<String, ?> options, long seed,
                                         Picker previous) {
        OptionValues values = OptionValues.of("fairway.picker.", PROVIDER.options(), options);
        return new PickerContext(TARGET, List.copyOf(backends), values, () -> 0L, seed, Optional.ofNullable(previous));
    }

    private static ZonePicker create(List<? extends Backend> backends, Map<String, ?> options, long seed) {
        return (ZonePicker) PROVIDER.create(context(backends, options, seed, null));
    }

    private static Map<Backend, Integer> count(Picker picker, int picks) {
        Map<Backend, Integer> counts = new IdentityHashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(picker.pick(REQUEST), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void picksOnlyInZoneBackendsInExactRotation() throws Exception {
        FakeBackend a = backend(1, "eu-1");
        FakeBackend b = backend(2, "us-1");
        FakeBackend c = backend(3, "eu-1");
        FakeBackend d = backend(4, null);
        ZonePicker picker = create(List.of(a, b, c, d), Map.of("zone", "eu-1"), 7);

        assertTrue(picker.inZone(), picker::toString);
        assertEquals(Map.of(a, 500, c, 500), count(picker, 1000));
    }

    @Test
    void fallsBackToEveryUsableBackendWhenNoneIsInTheZone() throws Exception {
        FakeBackend a = backend(1, "eu-1");
        FakeBackend b = backend(2, "us-1");
        FakeBackend c = backend(3, null);
        ZonePicker picker = create(List.of(a, b, c), Map.of("zone", "ap-9"), 7);

        assertFalse(picker.inZone(), picker::toString);
        assertEquals(Map.of(a, 300, b, 300, c, 300), count(picker, 900));
    }

    @Test
    void fallsBackWhenFewerThanMinBackendsAreInTheZone() throws Exception {
        FakeBackend a = backend(1, "eu-1");
        FakeBackend b = backend(2, "us-1");
        FakeBackend c = backend(3, "eu-1");

        ZonePicker two = create(List.of(a, b, c), Map.of("zone", "eu-1", "min_backends", "2"), 1);
        assertTrue(two.inZone(), two::toString);
        assertEquals(Map.of(a, 50, c, 50), count(two, 100));

        ZonePicker three = create(List.of(a, b, c), Map.of("zone", "eu-1", "min_backends", 3), 1);
        assertFalse(three.inZone(), three::toString);
        assertEquals(Map.of(a, 100, b, 100, c, 100), count(three, 300));
    }

    @Test
    void zoneNamesMatchExactly() throws Exception {
        FakeBackend upper = backend(1, "EU-1");
        FakeBackend prefixed = backend(2, "eu-1a");
        FakeBackend exact = backend(3, "eu-1");
        ZonePicker picker = create(List.of(upper, prefixed, exact), Map.of("zone", " eu-1 "), 0);

        assertEquals(Map.of(exact, 10), count(picker, 10), "the option is stripped, the attribute compared as is");
    }

    @Test
    void theRotationContinuesAcrossUpdatesAndStartsAtASeededOffset() throws Exception {
        FakeBackend a = backend(1, "eu-1");
        FakeBackend c = backend(3, "eu-1");
        List<FakeBackend> backends = List.of(a, c);

        ZonePicker first = create(backends, Map.of("zone", "eu-1"), 42);
        Backend firstPick = first.pick(REQUEST);
        ZonePicker update = (ZonePicker) PROVIDER.create(context(backends, Map.of("zone", "eu-1"), 42, first));
        assertNotSame(firstPick, update.pick(REQUEST), "an update continues the rotation instead of restarting it");
        assertSame(firstPick, create(backends, Map.of("zone", "eu-1"), 42).pick(REQUEST), "the same seed starts at the same backend");

        Set<Backend> starts = new HashSet<>();
        for (long seed = 0; seed < 64; seed++) {
            starts.add(create(backends, Map.of("zone", "eu-1"), seed).pick(REQUEST));
        }
        assertEquals(Set.of(a, c), starts, "clients with different seeds start on different backends");
    }

    @Test
    void concurrentPicksBalanceExactly() throws Exception {
        List<FakeBackend> backends = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            backends.add(backend(i + 1, i % 2 == 0 ? "eu-1" : "us-1"));
        }
        ZonePicker picker = create(backends, Map.of("zone", "eu-1"), 3);
        int threads = 8;
        int picksPerThread = 30_000;
        AtomicIntegerArray counts = new AtomicIntegerArray(backends.size());
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    ready.countDown();
                    start.await();
                    for (int i = 0; i < picksPerThread; i++) {
                        counts.incrementAndGet(backends.indexOf((FakeBackend) picker.pick(REQUEST)));
                    }
                    return null;
                }));
            }
            ready.await();
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        int share = threads * picksPerThread / 3;
        assertEquals(List.of(share, 0, share, 0, share, 0),
                List.of(counts.get(0), counts.get(1), counts.get(2), counts.get(3), counts.get(4), counts.get(5)));
    }

    @Test
    void picksDoNotAllocate() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes per thread");
        threads.setThreadAllocatedMemoryEnabled(true);
        FakeBackend a = backend(1, "eu-1");
        FakeBackend b = backend(2, "us-1");
        FakeBackend c = backend(3, "eu-1");
        for (String zone : List.of("eu-1", "ap-9")) {
            ZonePicker picker = create(List.of(a, b, c), Map.of("zone", zone), 5);
            long bytes = 0;
            int hits = 0;
            for (int round = 0; round < 6; round++) { // the last round is measured, the others warm up
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 100_000; i++) {
                    if (picker.pick(REQUEST) == a) {
                        hits++;
                    }
                }
                bytes = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertTrue(hits > 0, "backend a was never picked");
            assertTrue(bytes < 1024, "zone " + zone + ": 100000 picks allocated " + bytes + " bytes");
        }
    }

    @Test
    void theZoneIsRequiredAndNotBlank() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.of("fairway.picker.", PROVIDER.options(), Map.of()));
        assertTrue(missing.getMessage().contains("fairway.picker.zone is required"), missing::getMessage);

        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.of("fairway.picker.", PROVIDER.options(), Map.of("zone", "  ")));
        assertTrue(blank.getMessage().startsWith("fairway.picker.zone = '  ' is not allowed"), blank::getMessage);

        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.of("fairway.picker.", PROVIDER.options(), Map.of("zone", "eu-1", "min_backends", "0")));
        assertTrue(zero.getMessage().startsWith("fairway.picker.min_backends = '0' is not allowed"), zero::getMessage);
    }

    @Test
    void providesClauseAndServicesFileAgree() {
        ServiceDeclarations.assertConsistent(ZonePickerProvider.class);
    }
}
