package dev.fairway;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Option;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.PickerProvider;
import dev.fairway.spi.Scheduler;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 14's bounds in the engine: a bounded queue with its timers cancelled, a broken picker logged once, providers checked. */
class BoundsTest {

    /** A scheduler that remembers what it scheduled, so that a test can see whether a timer was cancelled. */
    static final class RecordingScheduler implements Scheduler, AutoCloseable {
        final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
        final List<Future<?>> futures = new CopyOnWriteArrayList<>();
        final List<Duration> delays = new CopyOnWriteArrayList<>();

        @Override
        public Future<?> schedule(Runnable task, Duration delay) {
            Future<?> f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            futures.add(f);
            delays.add(delay);
            return f;
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }

    @Test
    void aFullQueueFailsAtOnceWithSaturatedAndAdmittedWaitersHaveTheirTimersCancelled() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        Duration queueTimeout = Duration.ofMinutes(7); // a delay nothing else in the client schedules
        try (JdkPods pods = JdkPods.start(1); RecordingScheduler scheduler = new RecordingScheduler()) {
            pods.servers.get(0).createContext("/hold", exchange -> {
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(200, 2);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write("ok".getBytes());
                }
            });
            try (FairwayClient client = FairwayClient.newBuilder().resolver("static").resolverOption("addresses", pods.addresses())
                    .maxConcurrencyPerBackend(1).maxQueuedPerBackend(2).queueTimeout(queueTimeout).scheduler(scheduler).build()) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://orders.fairway.test:" + pods.port + "/hold")).build();
                CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
                Await.until("the first request in flight", Duration.ofSeconds(10),
                        () -> client.snapshot().size() == 1 && client.snapshot().get(0).backends().get(0).inFlight() == 1);
                CompletableFuture<HttpResponse<String>> queued1 = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
                CompletableFuture<HttpResponse<String>> queued2 = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
                assertEquals(2, client.snapshot().get(0).backends().get(0).queued());

                CompletableFuture<HttpResponse<String>> refused = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
                Throwable failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> refused.get(10, TimeUnit.SECONDS)).getCause();
                NoBackendException e = assertInstanceOf(NoBackendException.class, failure);
                assertEquals(NoBackendException.Reason.SATURATED, e.reason());
                assertTrue(e.getMessage().contains("fairway.max_queued") && e.getMessage().contains("2 waiting"), e.getMessage());

                List<Future<?>> timers = scheduler.futures.stream()
                        .filter(f -> scheduler.delays.get(scheduler.futures.indexOf(f)).equals(queueTimeout)).toList();
                assertEquals(2, timers.size(), "one queue timer per waiter");
                assertFalse(timers.get(0).isCancelled());

                hold.countDown();
                for (CompletableFuture<HttpResponse<String>> f : List.of(inFlight, queued1, queued2)) {
                    assertEquals("ok", f.get(10, TimeUnit.SECONDS).body());
                }
                for (Future<?> timer : timers) {
                    assertTrue(timer.isCancelled(), "an admitted waiter's timer is cancelled, so it holds nothing of the exchange");
                }
            }
        }
    }

    /** A picker whose every pick throws. */
    static class ThrowingPicker implements PickerProvider {
        @Override
        public String name() {
            return "throwing";
        }

        @Override
        public List<Option<?>> options() {
            return List.of();
        }

        @Override
        public Picker create(PickerContext context) {
            return new Picker() {
                @Override
                public Backend pick(HttpRequest request) {
                    throw new IllegalStateException("broken picker");
                }

                @Override
                public void completed(Backend backend, long elapsedNanos, boolean success) {
                }
            };
        }
    }

    @Test
    void aPickerThatThrowsIsLoggedAtWarningOnceAndRequestsStillSucceed() throws Exception {
        Logger logger = Logger.getLogger("dev.fairway.internal.TargetPool");
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level level = logger.getLevel();
        logger.addHandler(handler);
        logger.setLevel(Level.ALL);
        try (JdkPods pods = JdkPods.start(2);
             FairwayClient client = FairwayClient.newBuilder().resolver("static").resolverOption("addresses", pods.addresses())
                     .picker(new ThrowingPicker()).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://orders.fairway.test:" + pods.port + "/")).build();
            for (int i = 0; i < 20; i++) {
                assertEquals(200, client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            long warnings = records.stream().filter(r -> r.getLevel() == Level.WARNING && r.getMessage().contains("threw")).count();
            long debug = records.stream().filter(r -> r.getLevel().intValue() < Level.INFO.intValue() && r.getMessage().contains("threw")).count();
            assertEquals(1, warnings, "one WARNING for a picker that throws on every request");
            assertEquals(19, debug, "the others at DEBUG");
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(level);
        }
    }

    @Test
    void aProviderInstanceIsCheckedAsADiscoveredOneIsAtTheSetter() {
        PickerProvider nullOptions = new ThrowingPicker() {
            @Override
            public List<Option<?>> options() {
                return null;
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FairwayClient.newBuilder().picker(nullOptions));
        assertTrue(e.getMessage().startsWith("picker provider ") && e.getMessage().contains("options() of 'throwing' returned null"),
                e.getMessage());
        PickerProvider badName = new ThrowingPicker() {
            @Override
            public String name() {
                return "Not A Name";
            }
        };
        e = assertThrows(IllegalArgumentException.class, () -> FairwayClient.newBuilder().picker(badName));
        assertTrue(e.getMessage().contains("name 'Not A Name' is not allowed"), e.getMessage());
    }

    @Test
    void refusedAddressesAreLeftOutWithAnEventOnceAndNeverDialed() throws Exception {
        ScriptedResolver resolver = new ScriptedResolver();
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        try (JdkPods pods = JdkPods.start(1);
             FairwayClient client = FairwayClient.newBuilder().resolver(resolver).listener(events::add).build()) {
            resolver.publish(pods.port, "0.0.0.0", "169.254.169.254", "224.0.0.1", "255.255.255.255", "127.0.0.2");
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://orders.fairway.test:" + pods.port + "/")).build();
            for (int i = 0; i < 10; i++) {
                assertEquals(200, client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            assertEquals(10, pods.served.get(0));
            assertEquals(List.of("127.0.0.2:" + pods.port),
                    client.snapshot().get(0).backends().stream().map(b -> b.address().authority()).toList());
            assertEquals(java.util.Set.of(AddressClass.UNSPECIFIED, AddressClass.LINK_LOCAL, AddressClass.MULTICAST, AddressClass.BROADCAST),
                    refusals(events).stream().map(FairwayEvent.AddressRefused::kind).collect(java.util.stream.Collectors.toSet()));

            resolver.publish(pods.port, "0.0.0.0", "127.0.0.2"); // refused before: no second event
            assertEquals(4, refusals(events).size());

            resolver.publish(pods.port, "169.254.169.254");
            NoBackendException e = assertThrows(NoBackendException.class, () -> client.send(request, HttpResponse.BodyHandlers.ofString()));
            assertEquals(NoBackendException.Reason.NO_ADDRESSES, e.reason());
            assertTrue(e.getMessage().contains("169.254.169.254:" + pods.port) && e.getMessage().contains("fairway.refuse_addresses"),
                    e.getMessage());
        }
    }

    private static List<FairwayEvent.AddressRefused> refusals(List<FairwayEvent> events) {
        return events.stream().filter(FairwayEvent.AddressRefused.class::isInstance).map(FairwayEvent.AddressRefused.class::cast).toList();
    }

    @Test
    void theAddressPolicyIsConfigurableAndBadValuesAreNamed() throws Exception {
        java.util.Properties none = new java.util.Properties();
        none.setProperty("fairway.refuse_addresses", "none");
        FairwayClient.newBuilder().configure(none); // accepted
        java.util.Properties bad = new java.util.Properties();
        bad.setProperty("fairway.refuse_addresses", "link_local,loopback");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FairwayClient.newBuilder().configure(bad));
        assertTrue(e.getMessage().startsWith("fairway.refuse_addresses = 'link_local,loopback' is not allowed: use none, or a"),
                e.getMessage());
        assertEquals(AddressClass.LINK_LOCAL, AddressClass.of(java.net.InetAddress.getByName("fe80::1")));
        assertEquals(AddressClass.UNSPECIFIED, AddressClass.of(java.net.InetAddress.getByName("::")));
        assertEquals(null, AddressClass.of(java.net.InetAddress.getByName("127.0.0.1")));
        assertEquals(null, AddressClass.of(java.net.InetAddress.getByName("10.1.2.3")));
    }

    /**
     * A thousand host names through one client (as redirects to new names, or a gateway, would drive it): targets stay
     * within {@code max_targets}, and so do the JDK's selector threads, one per leaf.
     */
    @Test
    void aThousandHostNamesStayWithinMaxTargetsAndItsThreads() throws Exception {
        int maxTargets = 32;
        try (JdkPods pods = JdkPods.start(1);
             FairwayClient client = FairwayClient.newBuilder().resolver("static").resolverOption("addresses", pods.addresses())
                     .maxTargets(maxTargets).build()) {
            long before = selectorThreads(); // other tests' clients, still ending
            long heapBefore = usedHeapAfterGc();
            int peakTargets = 0;
            for (int i = 0; i < 1_000; i++) {
                URI uri = URI.create("http://host-" + i + ".fairway.test:" + pods.port + "/");
                assertEquals(200, client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
                peakTargets = Math.max(peakTargets, client.snapshot().size());
            }
            assertTrue(peakTargets <= maxTargets, "targets peaked at " + peakTargets);
            Await.until("the released targets' leaves to close and their selector threads to end", Duration.ofSeconds(30),
                    () -> selectorThreads() <= before + maxTargets);
            // The released leaves' JDK clients are freed by the JDK's own cleaner, a GC cycle or two after they end.
            long[] heapGrowth = {Long.MAX_VALUE};
            Await.until("the released targets' memory to be collected", Duration.ofSeconds(30), () -> {
                heapGrowth[0] = Math.min(heapGrowth[0], usedHeapAfterGc() - heapBefore);
                return heapGrowth[0] < 16L << 20;
            });
            System.out.printf("1,000 host names, max_targets=%d: peak targets %d, selector threads %d before, %d after;"
                    + " heap after GC grew by %,d KB%n", maxTargets, peakTargets, before, selectorThreads(), heapGrowth[0] / 1024);
        }
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static long selectorThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().contains("SelectorManager")).count();
    }
}
