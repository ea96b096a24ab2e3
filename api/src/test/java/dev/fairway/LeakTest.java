package dev.fairway;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No leaks: after a thousand recycles under load, threads, file descriptors and heap are back where they were, and
 * every retired leaf's connections were closed within its drain grace plus a second.
 */
class LeakTest {

    private record Usage(long threads, long workers, long fds, long heap) {
    }

    /** Heap left by a full collection; Cleaner actions of retired clients free more on the next one. */
    private static long heapAfterGc() {
        System.gc();
        long heap = 0;
        for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getCollectionUsage() != null) {
                heap += pool.getCollectionUsage().getUsed();
            }
        }
        return heap;
    }

    /**
     * File descriptors other than the open connections' (two per connection: the servers run in this process). How
     * many connections a leaf keeps depends on the moment's concurrency; they are bounded separately at the end.
     */
    private static long fdsBesideConnections(JdkPods pods) throws IOException {
        return fds() - 2L * pods.establishedConnections();
    }

    private static Usage usage() throws IOException {
        // Collect until the heap stops shrinking (at most ~2 s): references cleared by one collection are freed by the next.
        long heap = heapAfterGc();
        for (int i = 0; i < 20; i++) {
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
            long again = heapAfterGc();
            if (again >= heap * 0.99) {
                heap = Math.min(heap, again);
                break;
            }
            heap = again;
        }
        // The executor's workers (a cached pool) come and go with the load: counted apart, and bounded below.
        long threads = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("HttpClient-") || t.getName().startsWith("fairway-"))
                .filter(t -> !t.getName().contains("-worker-")).count();
        long workers = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("fairway-") && t.getName().contains("-worker-")).count();
        return new Usage(threads, workers, fds(), heap);
    }

    private static long fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static void within(String what, long before, long after, double fraction) {
        assertTrue(after <= before * (1 + fraction), what + " grew from " + before + " to " + after);
    }

    @Test
    void aThousandRecyclesUnderLoadLeakNothing() throws Exception {
        Map<Long, Long> retiredAt = new ConcurrentHashMap<>();
        Map<Long, Long> closedAt = new ConcurrentHashMap<>();
        AtomicLong recycled = new AtomicLong();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Duration grace = Duration.ofSeconds(1);
        try (JdkPods pods = JdkPods.start(4);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", pods.addresses())
                     .lifetimePolicy("max_age").lifetimePolicyOption("max_requests", 10).lifetimePolicyOption("drain_grace", grace)
                     .listener(e -> {
                         if (e instanceof FairwayEvent.LeafRetired r) {
                             retiredAt.put(r.leafId(), System.nanoTime());
                             if (r.reason().equals("requests")) {
                                 recycled.incrementAndGet();
                             }
                         } else if (e instanceof FairwayEvent.LeafClosed c) {
                             closedAt.put(c.leafId(), System.nanoTime());
                         }
                     }).build()) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            runUntil(client, uri, failures, () -> recycled.get() >= 100);
            settle(client, retiredAt, closedAt);
            Usage before = usage();
            long fdsBefore = fdsBesideConnections(pods);

            long target = recycled.get() + 1000;
            runUntil(client, uri, failures, () -> recycled.get() >= target);
            settle(client, retiredAt, closedAt);
            Usage after = usage();
            long fdsAfter = fdsBesideConnections(pods);
            System.out.printf("after %d recycles: threads %d -> %d, executor workers %d -> %d, fds %d -> %d, heap %d KiB -> %d KiB%n",
                    recycled.get(), before.threads(), after.threads(), before.workers(), after.workers(), before.fds(), after.fds(),
                    before.heap() / 1024, after.heap() / 1024);

            assertEquals(List.of(), failures);
            within("threads", before.threads(), after.threads(), 0.05);
            // 4 senders keep at most a few tasks each on the executor: a worker leaked per recycle would show as hundreds
            assertTrue(after.workers() <= 32, "executor workers: " + after.workers());
            System.out.printf("file descriptors beside the open connections: %d -> %d%n", fdsBefore, fdsAfter);
            if (fdsAfter > fdsBefore * 1.05) {
                // sockets the servers accepted last may take a moment to close: wait for that, with a deadline
                Await.until("file descriptors beside connections back within 5 % of " + fdsBefore, Duration.ofSeconds(10), () -> {
                    try {
                        return fdsBesideConnections(pods) <= fdsBefore * 1.05;
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            within("heap after GC", before.heap(), after.heap(), 0.05);
            long slowest = 0;
            for (Map.Entry<Long, Long> e : retiredAt.entrySet()) {
                slowest = Math.max(slowest, closedAt.get(e.getKey()) - e.getValue());
            }
            assertTrue(slowest <= grace.plusSeconds(1).toNanos(), "a retired leaf took " + Duration.ofNanos(slowest) + " to close");
            int open = client.snapshot().get(0).leavesOpen();
            assertTrue(pods.establishedConnections() <= open * 4L, "servers hold no retired connection: "
                    + pods.establishedConnections() + " connections for " + open + " open leaves");
        }
    }

    private static void runUntil(FairwayClient client, URI uri, List<Throwable> failures, java.util.function.BooleanSupplier done)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> workers = new java.util.ArrayList<>();
            for (int w = 0; w < 4; w++) {
                workers.add(pool.submit(() -> {
                    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
                        try {
                            client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                        } catch (IOException | InterruptedException e) {
                            failures.add(e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
        }
        assertTrue(done.getAsBoolean(), "enough recycles within a minute");
    }

    /** At rest: one leaf per backend (no successor still warming) and every retired leaf closed. */
    private static void settle(FairwayClient client, Map<Long, Long> retiredAt, Map<Long, Long> closedAt) {
        Await.until("one leaf per backend and every retired leaf closed", Duration.ofSeconds(15),
                () -> client.snapshot().get(0).leavesOpen() == 4 && closedAt.keySet().containsAll(retiredAt.keySet()));
    }
}
