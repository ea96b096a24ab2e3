package dev.fairway.health.internal;

import dev.fairway.health.internal.Checks.Report;
import dev.fairway.health.internal.Checks.Reports;
import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthState;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeBackend;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared probing loop, driven by a fake clock and a scripted probe: thresholds, intervals, timeouts, close. */
class ActiveHealthCheckTest {

    private static final Target TARGET = new Target("http", "orders.fairway.test", 8080);
    private static final Duration TEN_S = Duration.ofSeconds(10);

    private static HttpClient client;

    private final FakeClock clock = new FakeClock();
    private final FakeBackend backend = FakeBackend.numbered(1);
    private final Reports reports = new Reports();
    private ScriptedProbe probe;

    @BeforeAll
    static void client() {
        client = HttpClient.newHttpClient(); // required by the context; the scripted probe never uses it
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    @BeforeEach
    void setUp() {
        probe = new ScriptedProbe(clock);
        backend.lastRequestSent(clock.read());
    }

    private HealthCheck check(Map<String, Object> raw) {
        return check(raw, Runnable::run, 42);
    }

    private HealthCheck check(Map<String, Object> raw, Executor executor, long seed) {
        Map<String, Object> withDefaults = new HashMap<>(Map.of("jitter", "0"));
        withDefaults.putAll(raw);
        OptionValues options = Checks.options(CommonOptions.ALL, withDefaults);
        var context = new dev.fairway.spi.HealthCheckContext(TARGET, backend, options, clock, clock, executor, client, seed);
        return new ActiveHealthCheck(context, CommonOptions.Settings.of(options), probe);
    }

    private HealthCheck started(Map<String, Object> raw) {
        HealthCheck check = check(raw);
        check.start(reports);
        return check;
    }

    @Test
    void firstProbeRunsAtStartAndItsSuccessMakesUnknownHealthyAtOnce() {
        HealthCheck check = started(Map.of());
        assertEquals(List.of(Duration.ZERO), clock.pendingDelays(), "the first probe is due at once");
        assertEquals(0, probe.started(), "nothing runs before the scheduler does");

        clock.runDueTasks();

        assertEquals(1, probe.started());
        assertEquals(new Report(HealthState.HEALTHY, "GET /healthz answered 200"), reports.take());
        assertEquals(List.of(TEN_S), clock.pendingDelays(), "the next probe is one interval later");
        check.close();
    }

    @Test
    void threeFailuresInARowMakeAHealthyBackendUnhealthy() {
        HealthCheck check = started(Map.of());
        clock.runDueTasks();
        assertEquals(HealthState.HEALTHY, reports.take().state());

        probe.fail();
        clock.advance(TEN_S);
        clock.advance(TEN_S);
        assertEquals(3, probe.started());
        reports.assertNoneWaiting(); // two failures only count towards the change

        clock.advance(TEN_S);
        assertEquals(new Report(HealthState.UNHEALTHY, "GET /healthz answered 503 (3 failures in a row)"), reports.take());

        clock.advance(TEN_S);
        assertEquals(new Report(HealthState.UNHEALTHY, "GET /healthz answered 503"), reports.take(),
                "a failure of an unhealthy backend is reported as such, without a streak");
        reports.assertNoneWaiting();
        check.close();
    }

    @Test
    void aPassedProbeResetsTheFailureStreak() {
        HealthCheck check = started(Map.of());
        clock.runDueTasks();
        reports.take();

        probe.fail();
        clock.advance(TEN_S);
        clock.advance(TEN_S);
        probe.pass();
        clock.advance(TEN_S);
        assertEquals(new Report(HealthState.HEALTHY, "GET /healthz answered 200"), reports.take());
        probe.fail();
        clock.advance(TEN_S);
        clock.advance(TEN_S);
        reports.assertNoneWaiting();
        clock.advance(TEN_S);
        assertEquals(HealthState.UNHEALTHY, reports.take().state());
        check.close();
    }

    @Test
    void twoSuccessesInARowMakeAnUnhealthyBackendHealthyAgain() {
        HealthCheck check = started(Map.of());
        probe.fail();
        clock.runDueTasks();
        clock.advance(TEN_S);
        clock.advance(TEN_S);
        assertEquals(new Report(HealthState.UNHEALTHY, "GET /healthz answered 503 (3 failures in a row)"), reports.take(),
                "an unknown backend also turns unhealthy after three failures");

        probe.pass();
        clock.advance(TEN_S);
        reports.assertNoneWaiting(); // one success only counts
        probe.fail();
        clock.advance(TEN_S);
        assertEquals(new Report(HealthState.UNHEALTHY, "GET /healthz answered 503"), reports.take());
        probe.pass();
        clock.advance(TEN_S);
        reports.assertNoneWaiting();
        clock.advance(TEN_S);
        assertEquals(new Report(HealthState.HEALTHY, "GET /healthz answered 200 (2 successes in a row)"), reports.take());
        check.close();
    }

    @Test
    void thresholdsAreConfigurable() {
        HealthCheck check = started(Map.of("unhealthy_threshold", 1, "healthy_threshold", 3));
        clock.runDueTasks();
        assertEquals(HealthState.HEALTHY, reports.take().state());
        probe.fail();
        clock.advance(TEN_S);
        assertEquals(new Report(HealthState.UNHEALTHY, "GET /healthz answered 503 (1 failure in a row)"), reports.take());
        probe.pass();
        clock.advance(TEN_S);
        clock.advance(TEN_S);
        reports.assertNoneWaiting();
        clock.advance(TEN_S);
        assertEquals(new Report(HealthState.HEALTHY, "GET /healthz answered 200 (3 successes in a row)"), reports.take());
        check.close();
    }

    @Test
    void intervalsSpreadWithinTheJitterAndDifferPerSeed() {
        List<Long> gaps = new ArrayList<>();
        HealthCheck check = check(Map.of("jitter", "0.15", "idle_interval", "10s"));
        check.start(reports);
        for (int i = 0; i < 300; i++) {
            clock.advance(Duration.ofMillis(11_500));
        }
        List<Long> starts = probe.starts;
        for (int i = 1; i < starts.size(); i++) {
            gaps.add(starts.get(i) - starts.get(i - 1));
        }
        assertTrue(gaps.size() > 250, "probes ran: " + starts.size());
        long min = gaps.stream().mapToLong(Long::longValue).min().orElseThrow();
        long max = gaps.stream().mapToLong(Long::longValue).max().orElseThrow();
        double mean = gaps.stream().mapToLong(Long::longValue).average().orElseThrow();
        assertTrue(min >= 8_500_000_000L && max <= 11_500_000_000L, "gaps from " + min + " to " + max + " ns");
        assertTrue(min < 9_000_000_000L && max > 11_000_000_000L, "gaps barely spread: " + min + " to " + max + " ns");
        assertEquals(10e9, mean, 0.3e9, "mean gap");
        check.close();

        ScriptedProbe first = probe;
        probe = new ScriptedProbe(clock);
        HealthCheck other = check(Map.of("jitter", "0.15", "idle_interval", "10s"), Runnable::run, 43);
        other.start(reports);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMillis(11_500));
        }
        List<Long> otherGaps = new ArrayList<>();
        for (int i = 1; i < probe.starts.size(); i++) {
            otherGaps.add(probe.starts.get(i) - probe.starts.get(i - 1));
        }
        assertNotEquals(gaps.subList(0, otherGaps.size()), otherGaps, "another seed, the same gaps");
        assertTrue(first.started() > 250);
        other.close();
    }

    @Test
    void intervalRunsFromProbeStartAndProbesNeverOverlap() {
        HealthCheck check = started(Map.of("timeout", "10s"));
        probe.hang = true;
        clock.runDueTasks();
        assertEquals(1, probe.started());

        clock.advance(Duration.ofSeconds(3));
        probe.pending.get(0).complete(ProbeResult.passed("GET /healthz answered 200"));
        assertEquals(HealthState.HEALTHY, reports.take().state());
        assertEquals(List.of(Duration.ofSeconds(7)), clock.pendingDelays(), "the next start is 10s after this one's start");

        clock.advance(Duration.ofSeconds(7));
        assertEquals(2, probe.started());
        clock.advance(Duration.ofMillis(9_999));
        assertEquals(2, probe.started(), "no second probe while one is in flight");
        assertEquals(1, clock.pendingTasks(), "only the probe's timeout is pending");

        clock.advance(Duration.ofMillis(1));
        assertTrue(probe.pending.get(1).isCancelled(), "the probe that reached its timeout was abandoned");
        assertEquals(3, probe.started(), "the next probe started at once: the previous one took the whole interval");
        check.close();
    }

    @Test
    void aProbeThatNeverAnswersTimesOut() {
        HealthCheck check = started(Map.of("unhealthy_threshold", 1));
        probe.hang = true;
        clock.runDueTasks();
        clock.advance(Duration.ofMillis(999));
        reports.assertNoneWaiting();
        assertFalse(probe.pending.get(0).isDone());

        clock.advance(Duration.ofMillis(1));
        assertEquals(new Report(HealthState.UNHEALTHY, "GET /healthz timed out after 1s (1 failure in a row)"), reports.take());
        assertTrue(probe.pending.get(0).isCancelled(), "the abandoned probe's future is cancelled, which aborts its request");
        check.close();
    }

    @Test
    void aFailedFutureOrAThrowingProbeCountsAsAFailure() {
        HealthCheck check = started(Map.of("unhealthy_threshold", 1));
        probe.hang = true;
        clock.runDueTasks();
        probe.pending.get(0).completeExceptionally(new java.io.IOException("boom"));
        assertEquals(new Report(HealthState.UNHEALTHY, "GET /healthz failed: IOException: boom (1 failure in a row)"), reports.take());
        check.close();

        ScriptedProbe throwing = new ScriptedProbe(clock) {
            @Override
            public CompletableFuture<ProbeResult> start() {
                throw new IllegalStateException("no client");
            }
        };
        probe = throwing;
        HealthCheck second = started(Map.of("unhealthy_threshold", 1));
        clock.runDueTasks();
        assertEquals(new Report(HealthState.UNHEALTHY, "GET /healthz failed: IllegalStateException: no client (1 failure in a row)"),
                reports.take());
        assertEquals(List.of(TEN_S), clock.pendingDelays(), "probing goes on");
        second.close();
    }

    @Test
    void anExecutorThatRejectsCountsAsAFailureAndProbingGoesOn() {
        HealthCheck check = check(Map.of("unhealthy_threshold", 1), task -> {
            throw new RejectedExecutionException("shut down");
        }, 42);
        check.start(reports);
        clock.runDueTasks();
        assertEquals(new Report(HealthState.UNHEALTHY,
                "GET /healthz could not start: RejectedExecutionException: shut down (1 failure in a row)"), reports.take());
        assertEquals(List.of(TEN_S), clock.pendingDelays());
        check.close();
    }

    @Test
    void anIdleHealthyBackendIsProbedAtTheIdleIntervalUntilTrafficReturns() {
        long t0 = clock.read();
        HealthCheck check = started(Map.of());
        clock.runDueTasks();
        for (int i = 0; i < 17; i++) {
            clock.advance(TEN_S);
        }
        assertEquals(seconds(0, 10, 20, 30, 40, 50, 110, 170), relative(t0),
                "normal interval until the backend has been idle 60s, then one probe per 60s");

        clock.advance(Duration.ofSeconds(5));
        backend.lastRequestSent(clock.read()); // traffic at t=175s
        clock.advance(Duration.ofSeconds(5));
        assertEquals(180_000_000_000L, probe.starts.get(probe.started() - 1) - t0, "probing speeds up at the next wake");
        clock.advance(TEN_S);
        assertEquals(190_000_000_000L, probe.starts.get(probe.started() - 1) - t0);
        check.close();
    }

    @Test
    void unhealthyAndFailingBackendsAreProbedAtTheNormalIntervalEvenWithoutTraffic() {
        backend.lastRequestSent(0);
        long t0 = clock.read();
        HealthCheck check = started(Map.of("idle_interval", "30s"));
        probe.fail();
        clock.runDueTasks();
        for (int i = 0; i < 6; i++) {
            clock.advance(TEN_S);
        }
        assertEquals(seconds(0, 10, 20, 30, 40, 50, 60), relative(t0));
        assertEquals(HealthState.UNHEALTHY, reports.take().state());

        probe.pass();
        clock.advance(TEN_S);
        clock.advance(TEN_S);
        assertEquals(HealthState.HEALTHY, reports.all.get(reports.all.size() - 1).state());
        probe.fail();
        for (int i = 0; i < 4; i++) {
            clock.advance(TEN_S);
        }
        assertEquals(seconds(0, 10, 20, 30, 40, 50, 60, 70, 80, 110, 120), relative(t0),
                "healthy and idle: slowed down to 30s; a failure in a row brings the normal interval back");
        check.close();
    }

    @Test
    void idleIntervalEqualToTheIntervalTurnsSlowingDownOff() {
        backend.lastRequestSent(0);
        long t0 = clock.read();
        HealthCheck check = started(Map.of("idle_interval", "10s"));
        clock.runDueTasks();
        for (int i = 0; i < 10; i++) {
            clock.advance(TEN_S);
        }
        assertEquals(11, probe.started());
        assertEquals(100_000_000_000L, probe.starts.get(10) - t0);
        check.close();
    }

    @Test
    void closeCancelsTheTimerAndSilencesAProbeInFlight() {
        HealthCheck check = started(Map.of());
        clock.runDueTasks();
        reports.take();
        probe.hang = true;
        clock.advance(TEN_S);
        CompletableFuture<ProbeResult> inFlight = probe.pending.get(0);

        check.close();

        assertTrue(inFlight.isCancelled(), "closing abandons the probe in flight");
        assertEquals(0, clock.pendingTasks(), "no timer survives close");
        clock.advance(Duration.ofHours(1));
        assertEquals(2, probe.started());
        reports.assertNoneWaiting();
        check.close(); // idempotent
        check.start(reports); // and a closed check stays closed
        clock.advance(Duration.ofHours(1));
        assertEquals(2, probe.started());
        assertEquals(0, clock.pendingTasks());
    }

    @Test
    void aSecondStartIsIgnored() {
        HealthCheck check = started(Map.of());
        Reports other = new Reports();
        check.start(other);
        clock.runDueTasks();
        assertEquals(1, probe.started());
        assertEquals(1, reports.all.size());
        assertTrue(other.all.isEmpty());
        check.close();
    }

    @Test
    void aListenerThatThrowsDoesNotStopProbing() {
        AtomicInteger calls = new AtomicInteger();
        HealthCheck check = check(Map.of());
        check.start((state, reason) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("listener bug");
        });
        clock.runDueTasks();
        clock.advance(TEN_S);
        assertEquals(2, calls.get());
        assertEquals(List.of(TEN_S), clock.pendingDelays());
        check.close();
    }

    @Test
    void closeWaitsForAListenerCallInProgressAndNoCallFollows() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        HealthCheck check = check(Map.of());
        check.start((state, reason) -> {
            calls.incrementAndGet();
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread prober = Thread.ofPlatform().start(clock::runDueTasks);
        assertTrue(entered.await(10, TimeUnit.SECONDS));

        Thread closer = Thread.ofPlatform().start(check::close);
        Checks.await("close() to block or return", Duration.ofSeconds(10), () -> {
            Thread.State s = closer.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED
                    || s == Thread.State.TERMINATED;
        });
        assertNotEquals(Thread.State.TERMINATED, closer.getState(), "close() returned while the listener was still running");

        release.countDown();
        closer.join(10_000);
        prober.join(10_000);
        assertFalse(closer.isAlive());
        assertFalse(prober.isAlive());
        clock.advance(Duration.ofMinutes(5));
        assertEquals(1, calls.get(), "no listener call after close");
        assertEquals(0, clock.pendingTasks());
    }

    private List<Long> relative(long t0) {
        return probe.starts.stream().map(t -> t - t0).toList();
    }

    private static List<Long> seconds(long... values) {
        List<Long> nanos = new ArrayList<>();
        for (long v : values) {
            nanos.add(v * 1_000_000_000L);
        }
        return nanos;
    }
}
