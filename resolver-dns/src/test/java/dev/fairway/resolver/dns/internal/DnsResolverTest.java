package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class DnsResolverTest {

    private static final Target TARGET = new Target("http", "orders.svc", 8080);
    private static final Duration SECOND = Duration.ofSeconds(1);

    private final FakeClock clock = new FakeClock();
    private final ScriptedLookup lookup = new ScriptedLookup();
    private final Recorder listener = new Recorder();

    // ---------------------------------------------------------------- first resolution and order

    @Test
    void firstResolutionPublishesDistinctAddressesWithTheTargetPort() throws Exception {
        lookup.answer("10.0.0.1", "10.0.0.2", "10.0.0.1", "fd00::7");
        Resolver resolver = resolver(Map.of(), 42);

        resolver.start(listener);
        assertEquals(0, lookup.calls(), "start must not look up in the caller's thread");
        assertEquals(List.of(Duration.ZERO), clock.pendingDelays(), "start schedules an immediate resolution");

        clock.runDueTasks();

        assertEquals(List.of("orders.svc"), lookup.hosts());
        assertEquals(1, listener.addressSets().size());
        List<BackendAddress> published = listener.addressSets().get(0);
        assertEquals(Set.of(backend("10.0.0.1"), backend("10.0.0.2"), backend("fd00::7")), Set.copyOf(published));
        assertEquals(3, published.size(), "duplicates are dropped: " + published);
        assertTrue(published.stream().allMatch(a -> a.socketAddress().getPort() == 8080 && a.weight() == 1));
        assertTrue(listener.errors().isEmpty());
    }

    @Test
    void orderStaysStableAcrossRefreshesForOneClient() throws Exception {
        List<String> ips = tenAddresses();
        lookup.answer(ips.toArray(String[]::new));
        Resolver resolver = resolver(Map.of("refresh_interval", "10s"), 7);
        resolver.start(listener);
        clock.runDueTasks();
        List<BackendAddress> first = listener.addressSets().get(0);

        List<String> reversed = new ArrayList<>(ips);
        Collections.reverse(reversed);
        lookup.answer(reversed.toArray(String[]::new));     // the DNS server answers in another order
        clock.advance(Duration.ofSeconds(11));
        lookup.answer(ips.toArray(String[]::new));
        clock.advance(Duration.ofSeconds(11));

        assertEquals(3, listener.addressSets().size());
        assertEquals(first, listener.addressSets().get(1));
        assertEquals(first, listener.addressSets().get(2));
        assertNotEquals(sorted(first), first, "the order is shuffled, not sorted");

        // an address that leaves does not reshuffle the others
        List<String> fewer = new ArrayList<>(ips);
        fewer.remove(3);
        lookup.answer(fewer.toArray(String[]::new));
        clock.advance(Duration.ofSeconds(11));
        List<BackendAddress> expected = new ArrayList<>(first);
        expected.remove(backend(ips.get(3)));
        assertEquals(expected, listener.addressSets().get(3));
    }

    @Test
    void differentClientsGetDifferentOrders() throws Exception {
        List<String> ips = tenAddresses();
        Set<List<BackendAddress>> orders = new HashSet<>();
        Set<BackendAddress> firsts = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            FakeClock c = new FakeClock();
            ScriptedLookup l = new ScriptedLookup();
            l.answer(ips.toArray(String[]::new));
            Recorder r = new Recorder();
            Resolver resolver = new DnsResolver(context(Map.of(), seed, c, Runnable::run), l);
            resolver.start(r);
            c.runDueTasks();
            List<BackendAddress> order = r.addressSets().get(0);
            assertEquals(10, order.size());
            orders.add(order);
            firsts.add(order.get(0));
            resolver.close();
        }
        assertTrue(orders.size() >= 15, "20 seeds gave only " + orders.size() + " distinct orders");
        assertTrue(firsts.size() >= 5, "20 clients would all start with one of only " + firsts);
    }

    // ---------------------------------------------------------------- periodic refresh

    @Test
    void refreshesPeriodicallyWithinTheJitterAndPublishesChanges() throws Exception {
        lookup.answer("10.0.0.1", "10.0.0.2");
        Resolver resolver = resolver(Map.of(), 1);
        resolver.start(listener);
        clock.runDueTasks();

        Set<Duration> delays = new HashSet<>();
        for (int i = 1; i <= 20; i++) {
            List<Duration> pending = clock.pendingDelays();
            assertEquals(1, pending.size(), "one timer at a time: " + pending);
            Duration delay = pending.get(0);
            assertBetween(Duration.ofSeconds(27), Duration.ofSeconds(30), delay);   // no TTL: ttl_max, up to 10 % early
            delays.add(delay);

            clock.advance(delay.minusMillis(1));
            assertEquals(i, lookup.calls(), "no look-up before the refresh is due");
            clock.advance(Duration.ofMillis(1));
            assertEquals(i + 1, lookup.calls());
        }
        assertTrue(delays.size() > 10, "the refresh interval is not jittered: " + delays);

        lookup.answer("10.0.0.2", "10.0.0.3");
        clock.advance(Duration.ofSeconds(33));
        List<BackendAddress> last = listener.addressSets().get(listener.addressSets().size() - 1);
        assertEquals(Set.of(backend("10.0.0.2"), backend("10.0.0.3")), Set.copyOf(last));
        assertTrue(listener.errors().isEmpty());
    }

    @Test
    void refreshIntervalAndJitterAreConfigurable() throws Exception {
        lookup.answer("10.0.0.1");
        Resolver resolver = resolver(Map.of("refresh_interval", "100ms", "refresh_jitter", 0.0), 1);
        resolver.start(listener);
        clock.runDueTasks();
        for (int i = 0; i < 5; i++) {
            assertEquals(List.of(Duration.ofMillis(100)), clock.pendingDelays());
            clock.advance(Duration.ofMillis(100));
        }
        assertEquals(6, lookup.calls());
        assertEquals(6, listener.addressSets().size());
    }

    @Test
    void theNextLookUpComesWhenTheTtlRunsOutNeverLater() throws Exception {
        lookup.answer("10.0.0.1");
        lookup.ttl(5);
        Resolver resolver = resolver(Map.of(), 3);
        resolver.start(listener);
        clock.runDueTasks();
        Set<Duration> delays = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            Duration delay = clock.pendingDelays().get(0);
            assertBetween(Duration.ofMillis(4500), Duration.ofSeconds(5), delay);   // the CoreDNS TTL, up to 10 % early
            delays.add(delay);
            clock.advance(delay);
        }
        assertTrue(delays.size() > 10, "jittered: " + delays);
        assertEquals(21, lookup.calls(), "one look-up per TTL");
    }

    @Test
    void ttlsAreClampedToTheFloorAndTheCeiling() throws Exception {
        lookup.answer("10.0.0.1");
        Resolver resolver = resolver(Map.of("refresh_jitter", 0.0, "ttl_min", "2s", "ttl_max", "1m"), 3);
        resolver.start(listener);
        lookup.ttl(0);
        clock.runDueTasks();
        assertEquals(List.of(Duration.ofSeconds(2)), clock.pendingDelays(), "TTL 0: the floor");
        lookup.ttl(86_400);
        clock.advance(Duration.ofSeconds(2));
        assertEquals(List.of(Duration.ofMinutes(1)), clock.pendingDelays(), "a day: the ceiling");
        lookup.ttl(Lookup.Answer.NO_TTL);
        clock.advance(Duration.ofMinutes(1));
        assertEquals(List.of(Duration.ofMinutes(1)), clock.pendingDelays(), "no TTL: the ceiling");
        lookup.ttl(7);
        clock.advance(Duration.ofMinutes(1));
        assertEquals(List.of(Duration.ofSeconds(7)), clock.pendingDelays());
    }

    @Test
    void aFixedRefreshIntervalIgnoresTtls() throws Exception {
        lookup.answer("10.0.0.1");
        lookup.ttl(5);
        Resolver resolver = resolver(Map.of("refresh_interval", "20s", "refresh_jitter", 0.0), 3);
        resolver.start(listener);
        clock.runDueTasks();
        assertEquals(List.of(Duration.ofSeconds(20)), clock.pendingDelays());
    }

    @Test
    void ttlMinLongerThanTtlMaxIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> resolver(Map.of("ttl_min", "1m", "ttl_max", "30s"), 3));
        assertEquals("fairway.resolver.ttl_min = 60s is longer than fairway.resolver.ttl_max = 30s: shorten"
                + " fairway.resolver.ttl_min or lengthen fairway.resolver.ttl_max", e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> resolver(Map.of("refresh_interval", "often"), 3));
        assertEquals("fairway.resolver.refresh_interval = 'often' is not allowed: use ttl (follow each answer's TTL,"
                + " clamped to ttl_min and ttl_max) or a duration from 100ms to 1h, like 5s or 30s", bad.getMessage());
    }

    // ---------------------------------------------------------------- failures and backoff

    @Test
    void failureReportsTheHostPublishesNothingAndBacksOffUntilASuccess() throws Exception {
        lookup.answer("10.0.0.1");
        Resolver resolver = resolver(Map.of(), 3);
        resolver.start(listener);
        clock.runDueTasks();
        assertEquals(1, listener.events().size());

        lookup.fail(new UnknownHostException("orders.svc: Name or service not known"));
        clock.advance(clock.pendingDelays().get(0));

        assertEquals(1, listener.addressSets().size(), "a failure must not replace the last good set");
        assertEquals(1, listener.errors().size());
        IOException error = listener.errors().get(0);
        assertInstanceOf(UnknownHostException.class, error);
        assertTrue(error.getMessage().startsWith("cannot resolve orders.svc: UnknownHostException: "), error.getMessage());
        assertInstanceOf(UnknownHostException.class, error.getCause());

        long[] expectedSeconds = {1, 2, 4, 8, 16, 30, 30, 30};
        for (int i = 0; i < expectedSeconds.length; i++) {
            List<Duration> pending = clock.pendingDelays();
            assertEquals(1, pending.size(), "one timer at a time: " + pending);
            Duration base = Duration.ofSeconds(expectedSeconds[i]);
            assertBetween(base.multipliedBy(9).dividedBy(10), base, pending.get(0));
            clock.advance(pending.get(0));
            assertEquals(i + 2, listener.errors().size());
        }
        assertEquals(1, listener.addressSets().size());

        lookup.answer("10.0.0.9");
        clock.advance(clock.pendingDelays().get(0));
        assertEquals(List.of(backend("10.0.0.9")), listener.addressSets().get(1));
        assertBetween(Duration.ofSeconds(27), Duration.ofSeconds(33), clock.pendingDelays().get(0));

        lookup.fail(new UnknownHostException("orders.svc"));
        clock.advance(clock.pendingDelays().get(0));
        assertBetween(Duration.ofMillis(900), SECOND, clock.pendingDelays().get(0));   // reset after the success
    }

    @Test
    void backoffWithoutJitterDoublesExactlyAndIsCappedByTheRefreshInterval() throws Exception {
        lookup.fail(new UnknownHostException("orders.svc"));
        Resolver resolver = resolver(Map.of("refresh_jitter", "0", "refresh_interval", "5s", "backoff_max", "1m",
                "backoff_initial", "500ms"), 3);
        resolver.start(listener);
        clock.runDueTasks();
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Duration d = clock.pendingDelays().get(0);
            delays.add(d);
            clock.advance(d);
        }
        assertEquals(List.of(Duration.ofMillis(500), SECOND, Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(5), Duration.ofSeconds(5)), delays);
        assertTrue(listener.addressSets().isEmpty());
        assertEquals(7, listener.errors().size());
        assertTrue(!listener.errors().get(0).getMessage().contains("retrying"), "the retry delay is the log's, not the caller's: "
                + listener.errors().get(0).getMessage());
    }

    @Test
    void anyExceptionIsAFailureNamingHostAndCause() throws Exception {
        Resolver resolver = resolver(Map.of("refresh_jitter", "0"), 3);
        lookup.fail(new SecurityException("lookups are not allowed"));
        resolver.start(listener);
        clock.runDueTasks();
        lookup.fail(new IllegalStateException());
        clock.advance(SECOND);

        List<IOException> errors = listener.errors();
        assertEquals(2, errors.size());
        assertEquals("cannot resolve orders.svc: SecurityException: lookups are not allowed",
                errors.get(0).getMessage());
        assertInstanceOf(SecurityException.class, errors.get(0).getCause());
        assertEquals("cannot resolve orders.svc: IllegalStateException", errors.get(1).getMessage());
        assertInstanceOf(IllegalStateException.class, errors.get(1).getCause());
        assertTrue(listener.addressSets().isEmpty());
        assertEquals(List.of(Duration.ofSeconds(2)), clock.pendingDelays());
    }

    // ---------------------------------------------------------------- on-demand refresh

    @Test
    void refreshIsRateLimitedToOneLookupPerMinRefreshInterval() throws Exception {
        lookup.answer("10.0.0.1");
        Resolver resolver = resolver(Map.of(), 5);
        resolver.start(listener);
        clock.runDueTasks();
        clock.advance(Duration.ofMillis(300));

        resolver.refresh();
        resolver.refresh();
        resolver.refresh();
        assertEquals(List.of(Duration.ofMillis(700)), clock.pendingDelays(), "one look-up at the earliest allowed time");
        clock.advance(Duration.ofMillis(699));
        assertEquals(1, lookup.calls());
        clock.advance(Duration.ofMillis(1));
        assertEquals(2, lookup.calls());
        assertEquals(1, clock.pendingTasks());
        assertBetween(Duration.ofSeconds(27), Duration.ofSeconds(33), clock.pendingDelays().get(0));

        clock.advance(Duration.ofSeconds(5));
        resolver.refresh();                                  // long enough since the last look-up: now
        assertEquals(List.of(Duration.ZERO), clock.pendingDelays());
        clock.runDueTasks();
        assertEquals(3, lookup.calls());
        assertEquals(3, listener.addressSets().size());
    }

    @Test
    void minRefreshIntervalIsConfigurable() throws Exception {
        lookup.answer("10.0.0.1");
        Resolver resolver = resolver(Map.of("min_refresh_interval", "0s"), 5);
        resolver.start(listener);
        clock.runDueTasks();
        for (int i = 0; i < 3; i++) {
            resolver.refresh();
            clock.runDueTasks();
        }
        assertEquals(4, lookup.calls());
    }

    @Test
    void refreshDuringALookupDoesNotStartAnother() throws Exception {
        lookup.answer("10.0.0.1");
        ManualExecutor executor = new ManualExecutor();
        Resolver resolver = new DnsResolver(context(Map.of("min_refresh_interval", "0s"), 5, clock, executor), lookup);
        resolver.start(listener);
        clock.runDueTasks();
        assertEquals(1, executor.queued(), "the look-up was handed to the executor");
        assertEquals(0, lookup.calls());

        resolver.refresh();
        resolver.refresh();
        assertEquals(0, clock.pendingTasks(), "the look-up in flight answers the refresh");
        clock.advance(Duration.ofSeconds(40));
        assertEquals(1, executor.queued(), "no second look-up while one is in flight");
        assertEquals(0, clock.pendingTasks());

        executor.runAll();
        assertEquals(1, lookup.calls());
        assertEquals(1, listener.addressSets().size());
        assertEquals(1, clock.pendingTasks());
    }

    @Test
    void refreshDoesNotShortenTheBackoffAfterAFailure() throws Exception {
        lookup.fail(new UnknownHostException("orders.svc"));
        Resolver resolver = resolver(Map.of("refresh_jitter", "0", "backoff_initial", "8s", "backoff_max", "8s"), 5);
        resolver.start(listener);
        clock.runDueTasks();
        clock.advance(Duration.ofSeconds(2));
        resolver.refresh();
        assertEquals(List.of(Duration.ofSeconds(6)), clock.pendingDelays());
    }

    @Test
    void refreshBeforeStartOrAfterCloseDoesNothing() {
        Resolver resolver = resolver(Map.of(), 5);
        resolver.refresh();
        assertEquals(0, clock.pendingTasks());
        resolver.start(listener);
        resolver.close();
        resolver.refresh();
        assertEquals(0, clock.pendingTasks());
    }

    // ---------------------------------------------------------------- close

    @Test
    void closeCancelsTimersAndSilencesTheListener() throws Exception {
        lookup.answer("10.0.0.1");
        Resolver resolver = resolver(Map.of(), 9);
        resolver.start(listener);
        clock.runDueTasks();
        assertEquals(1, clock.pendingTasks());

        resolver.close();
        assertEquals(0, clock.pendingTasks());
        resolver.close();                                    // idempotent
        resolver.start(listener);                            // ignored after close
        resolver.refresh();
        clock.advance(Duration.ofHours(2));
        assertEquals(1, lookup.calls());
        assertEquals(1, listener.events().size());
        assertEquals(0, clock.pendingTasks());
    }

    @Test
    void aLookupThatFinishesAfterCloseIsDropped() throws Exception {
        ManualExecutor executor = new ManualExecutor();
        Resolver resolver = new DnsResolver(context(Map.of(), 9, clock, executor), lookup);
        lookup.answer("10.0.0.1");
        resolver.start(listener);
        clock.runDueTasks();
        resolver.close();

        executor.runAll();                                   // the look-up finishes after close
        assertEquals(1, lookup.calls());
        assertTrue(listener.events().isEmpty(), "listener called after close: " + listener.events());
        assertEquals(0, clock.pendingTasks());

        lookup.fail(new UnknownHostException("orders.svc"));
        Resolver failing = new DnsResolver(context(Map.of(), 9, clock, executor), lookup);
        failing.start(listener);
        clock.runDueTasks();
        failing.close();
        executor.runAll();
        assertTrue(listener.events().isEmpty(), "listener called after close: " + listener.events());
        assertEquals(0, clock.pendingTasks());
    }

    @Test
    void closeWaitsForAListenerCallInProgress() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean listenerReturned = new AtomicBoolean();
        AtomicBoolean closeReturnedTooEarly = new AtomicBoolean();
        lookup.answer("10.0.0.1");
        Resolver resolver = resolver(Map.of(), 9);
        resolver.start(new Resolver.Listener() {
            @Override
            public void onAddresses(List<BackendAddress> addresses) {
                entered.countDown();
                try {
                    if (!release.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                listenerReturned.set(true);
            }

            @Override
            public void onError(IOException error) {
            }
        });
        Thread delivering = Thread.ofPlatform().start(clock::runDueTasks);
        assertTrue(entered.await(10, TimeUnit.SECONDS));

        Thread closing = Thread.ofPlatform().start(() -> {
            resolver.close();
            closeReturnedTooEarly.set(!listenerReturned.get());
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Thread.State state;
        while ((state = closing.getState()) != Thread.State.WAITING && state != Thread.State.BLOCKED
                && state != Thread.State.TIMED_WAITING && state != Thread.State.TERMINATED) {
            if (System.nanoTime() > deadline) {
                fail("close() neither blocked nor returned; state " + state);
            }
            Thread.onSpinWait();
        }
        assertNotEquals(Thread.State.TERMINATED, state, "close() returned while the listener was still running");
        release.countDown();
        closing.join(10_000);
        delivering.join(10_000);
        assertFalse(closing.isAlive() || delivering.isAlive());
        assertFalse(closeReturnedTooEarly.get());
        assertEquals(0, clock.pendingTasks(), "no refresh scheduled after close");
    }

    // ---------------------------------------------------------------- threads and robustness

    @Test
    void lookupsRunOnTheExecutorAndNeverOnTheSchedulerThread() throws Exception {
        AtomicBoolean inExecutor = new AtomicBoolean();
        AtomicInteger executed = new AtomicInteger();
        List<Boolean> lookupInExecutor = new CopyOnWriteArrayList<>();
        Lookup checking = target -> {
            lookupInExecutor.add(inExecutor.get());
            return Lookup.Answer.withoutTtl(List.of(Endpoint.of(InetAddress.getByName("10.0.0.1"))));
        };
        Resolver resolver = new DnsResolver(context(Map.of(), 2, clock, task -> {
            executed.incrementAndGet();
            inExecutor.set(true);
            try {
                task.run();
            } finally {
                inExecutor.set(false);
            }
        }), checking);
        resolver.start(listener);
        clock.runDueTasks();
        resolver.refresh();
        clock.advance(Duration.ofMinutes(2));
        assertTrue(lookupInExecutor.size() >= 3, "look-ups: " + lookupInExecutor.size());
        assertEquals(List.of(true), lookupInExecutor.stream().distinct().toList());
        assertEquals(lookupInExecutor.size(), executed.get());
    }

    @Test
    void aRejectingExecutorIsReportedAsAFailureAndRetried() throws Exception {
        Resolver resolver = new DnsResolver(context(Map.of("refresh_jitter", "0"), 2, clock, task -> {
            throw new java.util.concurrent.RejectedExecutionException("executor is shut down");
        }), lookup);
        resolver.start(listener);
        clock.runDueTasks();
        assertEquals(1, listener.errors().size());
        assertTrue(listener.errors().get(0).getMessage()
                .startsWith("cannot resolve orders.svc: RejectedExecutionException: executor is shut down"));
        assertEquals(List.of(SECOND), clock.pendingDelays());
    }

    @Test
    void aThrowingListenerDoesNotStopTheResolver() throws Exception {
        lookup.answer("10.0.0.1");
        AtomicInteger calls = new AtomicInteger();
        Resolver resolver = resolver(Map.of("refresh_jitter", "0"), 2);
        resolver.start(new Resolver.Listener() {
            @Override
            public void onAddresses(List<BackendAddress> addresses) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onError(IOException error) {
            }
        });
        clock.runDueTasks();
        clock.advance(Duration.ofMinutes(1));
        assertEquals(3, calls.get());
        assertEquals(1, clock.pendingTasks());
    }

    @Test
    void aSecondStartIsIgnored() throws Exception {
        lookup.answer("10.0.0.1");
        Resolver resolver = resolver(Map.of(), 2);
        resolver.start(listener);
        Recorder other = new Recorder();
        resolver.start(other);
        assertEquals(1, clock.pendingTasks());
        clock.runDueTasks();
        assertEquals(1, listener.events().size());
        assertTrue(other.events().isEmpty());
    }

    @Test
    void concurrentRefreshesNeverOverlapLookupsOrListenerCalls() throws Exception {
        AtomicInteger lookupsNow = new AtomicInteger();
        AtomicInteger maxLookups = new AtomicInteger();
        AtomicInteger lookups = new AtomicInteger();
        Lookup counting = target -> {
            maxLookups.accumulateAndGet(lookupsNow.incrementAndGet(), Math::max);
            lookups.incrementAndGet();
            Thread.yield();
            lookupsNow.decrementAndGet();
            return Lookup.Answer.withoutTtl(List.of(Endpoint.of(InetAddress.getByName("10.0.0.1"))));
        };
        AtomicInteger listenersNow = new AtomicInteger();
        AtomicInteger maxListeners = new AtomicInteger();
        AtomicInteger published = new AtomicInteger();
        List<IOException> errors = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Resolver resolver = new DnsResolver(context(Map.of("min_refresh_interval", "0s"), 2, clock, pool), counting);
            resolver.start(new Resolver.Listener() {
                @Override
                public void onAddresses(List<BackendAddress> addresses) {
                    maxListeners.accumulateAndGet(listenersNow.incrementAndGet(), Math::max);
                    published.incrementAndGet();
                    Thread.yield();
                    listenersNow.decrementAndGet();
                }

                @Override
                public void onError(IOException error) {
                    errors.add(error);
                }
            });
            CountDownLatch gate = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (published.get() < 200 && System.nanoTime() < deadline) {
                        resolver.refresh();
                        clock.runDueTasks();
                    }
                }));
            }
            gate.countDown();
            for (Thread t : threads) {
                t.join(30_000);
                assertFalse(t.isAlive());
            }
            resolver.close();
            int publishedAtClose = published.get();
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(publishedAtClose, published.get(), "listener called after close");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), errors);
        assertTrue(published.get() >= 200, "published only " + published.get() + " times in 20 s");
        assertEquals(1, maxLookups.get(), "look-ups overlapped");
        assertEquals(1, maxListeners.get(), "listener calls overlapped");
        assertTrue(published.get() <= lookups.get());
    }

    // ---------------------------------------------------------------- helpers

    private Resolver resolver(Map<String, ?> options, long seed) {
        return new DnsResolver(context(options, seed, clock, Runnable::run), lookup);
    }

    private static ResolverContext context(Map<String, ?> options, long seed, FakeClock clock,
                                           java.util.concurrent.Executor executor) {
        OptionValues values = OptionValues.of(DnsOptions.PREFIX, new DnsResolverProvider().options(), options);
        return new ResolverContext(TARGET, values, clock, clock, executor, seed);
    }

    private static BackendAddress backend(String ip) throws UnknownHostException {
        return BackendAddress.of(InetAddress.getByName(ip), TARGET.port());
    }

    private static List<String> tenAddresses() {
        List<String> ips = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            ips.add("10.0.0." + i);
        }
        return ips;
    }

    private static List<BackendAddress> sorted(List<BackendAddress> addresses) {
        List<BackendAddress> copy = new ArrayList<>(addresses);
        copy.sort((a, b) -> java.util.Arrays.compareUnsigned(a.socketAddress().getAddress().getAddress(),
                b.socketAddress().getAddress().getAddress()));
        return copy;
    }

    private static void assertBetween(Duration min, Duration max, Duration actual) {
        assertTrue(actual.compareTo(min) >= 0 && actual.compareTo(max) <= 0,
                actual + " is not within [" + min + ", " + max + "]");
    }

    /** A look-up whose answer or failure the test sets. */
    static final class ScriptedLookup implements Lookup {
        private final List<String> hosts = new CopyOnWriteArrayList<>();
        private volatile List<Endpoint> answer;
        private volatile long ttl = Lookup.Answer.NO_TTL;
        private volatile Exception failure = new UnknownHostException("no answer scripted");

        /** Makes the answers carry {@code seconds} as their TTL. */
        void ttl(long seconds) {
            ttl = seconds;
        }

        void answer(String... ips) throws UnknownHostException {
            List<Endpoint> a = new ArrayList<>();
            for (String ip : ips) {
                a.add(Endpoint.of(InetAddress.getByName(ip)));   // literals: no DNS
            }
            answer(a);
        }

        void answer(List<Endpoint> endpoints) {
            answer = List.copyOf(endpoints);
            failure = null;
        }

        void fail(Exception e) {
            failure = e;
        }

        int calls() {
            return hosts.size();
        }

        List<String> hosts() {
            return List.copyOf(hosts);
        }

        @Override
        public Lookup.Answer lookup(Target target) throws IOException {
            hosts.add(target.host());
            Exception f = failure;
            if (f instanceof IOException io) {
                throw io;
            }
            if (f instanceof RuntimeException re) {
                throw re;
            }
            return new Lookup.Answer(answer, ttl);
        }
    }

    /** Records listener calls in order. */
    static final class Recorder implements Resolver.Listener {
        private final List<Object> events = new CopyOnWriteArrayList<>();

        @Override
        public void onAddresses(List<BackendAddress> addresses) {
            events.add(List.copyOf(addresses));
        }

        @Override
        public void onError(IOException error) {
            events.add(error);
        }

        List<Object> events() {
            return List.copyOf(events);
        }

        @SuppressWarnings("unchecked")
        List<List<BackendAddress>> addressSets() {
            return events.stream().filter(e -> e instanceof List).map(e -> (List<BackendAddress>) e).toList();
        }

        List<IOException> errors() {
            return events.stream().filter(e -> e instanceof IOException).map(e -> (IOException) e).toList();
        }
    }

    /** An executor that queues tasks until the test runs them. */
    private static final class ManualExecutor implements java.util.concurrent.Executor {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(task);
        }

        synchronized int queued() {
            return tasks.size();
        }

        void runAll() {
            while (true) {
                Runnable next;
                synchronized (this) {
                    next = tasks.poll();
                }
                if (next == null) {
                    return;
                }
                next.run();
            }
        }
    }
}
