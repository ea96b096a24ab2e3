package dev.fairway.health.internal;

import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthCheckContext;
import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.HealthState;
import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeBackend;
import dev.fairway.testing.FakeClock;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Contexts, options, a recording listener and deadline waits for the tests. */
final class Checks {

    static final String PREFIX = "fairway.health.";

    private Checks() {
    }

    static OptionValues options(HealthCheckProvider provider, Map<String, ?> raw) {
        return OptionValues.of(PREFIX, provider.options(), raw);
    }

    static OptionValues options(List<Option<?>> declared, Map<String, ?> raw) {
        return OptionValues.of(PREFIX, declared, raw);
    }

    static HealthCheckContext context(Target target, FakeBackend backend, OptionValues options, FakeClock clock,
                                      Executor executor, HttpClient client) {
        return new HealthCheckContext(target, backend, options, clock, clock, executor, client, 42);
    }

    /** Closes what a test opened, last first, then stops its executor, waiting up to 10 seconds for it. */
    static void closeAll(Deque<AutoCloseable> cleanup, ExecutorService executor) throws Exception {
        while (!cleanup.isEmpty()) {
            cleanup.pop().close();
        }
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS), "the test's executor did not stop within 10s");
    }

    /** Polls {@code condition} until it holds or {@code deadline} passes; parks between polls. */
    static void await(String what, Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out after " + deadline + " waiting for " + what);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    /** Waits until {@code check} has handled {@code n} probes in all (reported and scheduled the next). */
    static void awaitProbes(HealthCheck check, long n) {
        ActiveHealthCheck active = (ActiveHealthCheck) check;
        await(n + " completed probes of " + check + " (saw " + active.completedProbes() + ")", Duration.ofSeconds(10),
                () -> active.completedProbes() >= n);
    }

    /** A report the listener received. */
    record Report(HealthState state, String reason) {
    }

    /** Records reports, in order, and notices overlapping calls. Thread-safe. */
    static final class Reports implements HealthCheck.Listener {
        final BlockingQueue<Report> queue = new LinkedBlockingQueue<>();
        final List<Report> all = new CopyOnWriteArrayList<>();
        private final AtomicInteger active = new AtomicInteger();
        final AtomicBoolean overlapped = new AtomicBoolean();

        @Override
        public void onHealth(HealthState state, String reason) {
            if (active.incrementAndGet() != 1) {
                overlapped.set(true);
            }
            try {
                Report r = new Report(state, reason);
                all.add(r);
                queue.add(r);
            } finally {
                active.decrementAndGet();
            }
        }

        /** The next report, waiting up to 10 seconds for it. */
        Report next() throws InterruptedException {
            Report r = queue.poll(10, TimeUnit.SECONDS);
            assertNotNull(r, "no health report within 10s; so far " + all);
            return r;
        }

        /** The next report, which must be there already. */
        Report take() {
            Report r = queue.poll();
            assertNotNull(r, "expected a health report; so far " + all);
            return r;
        }

        void assertNoneWaiting() {
            assertTrue(queue.isEmpty(), () -> "expected no new report, got " + queue);
            assertFalse(overlapped.get(), "listener calls overlapped");
        }
    }
}
