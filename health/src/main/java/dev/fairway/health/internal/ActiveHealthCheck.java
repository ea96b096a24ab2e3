package dev.fairway.health.internal;

import dev.fairway.health.internal.CommonOptions.Settings;
import dev.fairway.spi.Backend;
import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthCheckContext;
import dev.fairway.spi.HealthState;
import dev.fairway.spi.Scheduler;
import dev.fairway.spi.Ticker;

import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs one {@link Probe} against one backend on a schedule and turns the results into health states; the three
 * providers of this module differ only in their probe.
 *
 * <h2>States</h2>
 * The check starts {@link HealthState#UNKNOWN}. The first passed probe from {@code UNKNOWN} makes the backend
 * {@link HealthState#HEALTHY} at once; {@code unhealthy_threshold} failed probes in a row (from {@code UNKNOWN} or
 * {@code HEALTHY}) make it {@link HealthState#UNHEALTHY}; {@code healthy_threshold} passed probes in a row make an
 * unhealthy backend healthy again. A probe that passes resets the failure count and vice versa.
 *
 * <h2>Reports</h2>
 * The listener hears every state change, and also every probe whose result agrees with the state it leaves
 * (a passed probe of a healthy backend, a failed probe of an unhealthy one), so that a {@code HEALTHY} report
 * always means "the latest probe passed" and an {@code UNHEALTHY} report "the latest probe failed". A probe that
 * only counts towards a change (the first failures of a healthy backend, the first successes of an unhealthy one)
 * is not reported. Reasons start with the probe's result, for example {@code "GET /healthz answered 503"}, and
 * a change adds the streak: {@code "GET /healthz answered 503 (3 failures in a row)"}.
 *
 * <h2>Timing</h2>
 * The first probe starts as soon as the scheduler runs it; each next one is due {@code interval} ±
 * {@code jitter} after the <em>start</em> of the previous one (at once if that probe took longer). Probes never
 * overlap. A probe that has not answered within {@code timeout} fails with "timed out after ..." and is abandoned
 * (its request cancelled).
 *
 * <p>While the backend is healthy, has passed its latest probe and has had no request for {@code idle_interval}
 * ({@code ticker.read() - backend.lastRequestSent() >= idle_interval}), probes slow down to one per
 * {@code idle_interval} ± {@code jitter}. The check still wakes every {@code interval}: when traffic comes back
 * the next probe starts at the next wake, within one interval. Unknown and unhealthy backends, and backends
 * with failures in a row, are always probed every {@code interval}, so that recovery and failure are seen quickly.
 *
 * <h2>Failures</h2>
 * Whatever a probe throws or completes with, an {@link Error} such as {@link StackOverflowError} or
 * {@link OutOfMemoryError} included, is that backend's failed probe, reported as {@code "<probe> failed: <type>:
 * <message>"}; it never escapes into the scheduler, the executor or the client's threads.
 *
 * <h2>Threads</h2>
 * Timers run on the context's scheduler; probes start on the context's executor and complete on whatever thread
 * finishes them (for HTTP, the client's). Nothing reads the system clock or sleeps. Thread-safe. Listener calls
 * never overlap; {@link #close()} waits for a listener call in progress, so a listener must not wait for a
 * thread that is calling {@code close()}.
 */
public final class ActiveHealthCheck implements HealthCheck {

    private static final System.Logger LOG = System.getLogger(ActiveHealthCheck.class.getName());

    private final String name;
    private final Probe probe;
    private final Backend backend;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final Executor executor;
    private final Duration timeout;
    private final long intervalNanos;
    private final long idleNanos;
    private final double jitter;
    private final int unhealthyThreshold;
    private final int healthyThreshold;

    /** Guards the fields below. Never held while calling the listener, the executor or the probe. */
    private final Object lock = new Object();
    /** Held while calling the listener, so that calls never overlap and close() can wait for one in progress. */
    private final ReentrantLock delivery = new ReentrantLock();
    private final AtomicLong completed = new AtomicLong();

    private final SplittableRandom random;
    private Listener listener;
    private volatile boolean closed;
    private HealthState state = HealthState.UNKNOWN;
    private int successes;
    private int failures;
    private Future<?> timer;
    private long timerGeneration;
    private Attempt attempt;
    private boolean probed;
    private long lastProbeStart;
    private long idleDelayNanos;

    /**
     * A check of the context's backend.
     *
     * @param context  the context
     * @param settings the timing and thresholds, read from the context's options
     * @param probe    what one probe does
     */
    ActiveHealthCheck(HealthCheckContext context, Settings settings, Probe probe) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(settings, "settings");
        this.probe = Objects.requireNonNull(probe, "probe");
        this.name = probe.description() + " of " + context.address().authority() + " (" + context.target() + ")";
        this.backend = context.backend();
        this.ticker = context.ticker();
        this.scheduler = context.scheduler();
        this.executor = context.executor();
        this.timeout = settings.timeout();
        this.intervalNanos = settings.interval().toNanos();
        this.idleNanos = settings.idleInterval().toNanos();
        this.jitter = settings.jitter();
        this.unhealthyThreshold = settings.unhealthyThreshold();
        this.healthyThreshold = settings.healthyThreshold();
        this.random = new SplittableRandom(context.seed());
    }

    @Override
    public void start(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (this.listener != null) {
                LOG.log(System.Logger.Level.WARNING, "health check {0} was started twice; the second start is ignored", name);
                return;
            }
            this.listener = listener;
            scheduleLocked(0);
        }
    }

    @Override
    public void close() {
        Attempt abandoned;
        synchronized (lock) {
            closed = true;
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            timerGeneration++;
            abandoned = attempt;
            attempt = null;
        }
        if (abandoned != null && abandoned.finished.compareAndSet(false, true)) {
            abandoned.abandon();
        }
        // Wait for a listener call in progress: none may follow close().
        delivery.lock();
        delivery.unlock();
    }

    /**
     * The probes whose results have been handled (reported or counted, and the next probe scheduled), for tests
     * that wait for a probe on a real network.
     *
     * @return the count
     */
    long completedProbes() {
        return completed.get();
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "ActiveHealthCheck[" + name + ", " + state + (closed ? ", closed" : "") + "]";
        }
    }

    /** Replaces the pending timer, if any, with one that fires after {@code delayNanos}. Caller holds the lock. */
    private void scheduleLocked(long delayNanos) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        long generation = ++timerGeneration;
        Future<?> scheduled;
        try {
            scheduled = scheduler.schedule(() -> onTimer(generation), Duration.ofNanos(delayNanos));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot schedule the next probe; health check " + name + " stops", e);
            return;
        }
        if (generation == timerGeneration) { // not yet run by a scheduler that runs due tasks at once
            timer = scheduled;
        }
    }

    private void onTimer(long generation) {
        Attempt a;
        synchronized (lock) {
            if (closed || generation != timerGeneration || attempt != null) {
                return;
            }
            timer = null;
            timerGeneration++;
            long now = ticker.read();
            if (probed && idleLocked(now)) {
                long since = now - lastProbeStart;
                if (since < idleDelayNanos) {
                    scheduleLocked(Math.min(jittered(intervalNanos), idleDelayNanos - since));
                    return;
                }
            }
            a = new Attempt(now);
            attempt = a;
            probed = true;
            lastProbeStart = now;
        }
        try {
            a.watchdog = scheduler.schedule(() -> finish(a, timedOut(), true), timeout);
            if (a.finished.get()) {
                a.watchdog.cancel(false);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "cannot schedule the timeout of " + name + "; relying on the probe's own", e);
        }
        try {
            executor.execute(() -> run(a));
        } catch (RuntimeException e) {
            finish(a, ProbeResult.failed(probe.description() + " could not start: " + describe(e)), false);
        }
    }

    /** Whether the backend is healthy, settled and without traffic for the idle interval. Caller holds the lock. */
    private boolean idleLocked(long now) {
        return idleNanos > intervalNanos && state == HealthState.HEALTHY && failures == 0
                && now - backend.lastRequestSent() >= idleNanos;
    }

    private void run(Attempt a) {
        if (a.finished.get()) {
            return; // closed or timed out before the executor got to it
        }
        CompletableFuture<ProbeResult> f;
        try {
            f = Objects.requireNonNull(probe.start(), "the probe returned no future");
        } catch (Throwable e) {  // Errors too (a StackOverflowError, an OutOfMemoryError): this backend's failed probe
            finish(a, ProbeResult.failed(probe.description() + " failed: " + describe(e)), false);
            return;
        }
        a.future = f;
        if (a.finished.get()) {
            f.cancel(true);
            return;
        }
        f.whenComplete((result, failure) -> finish(a, result != null ? result
                : ProbeResult.failed(probe.description() + " failed: " + describe(failure)), false));
    }

    private ProbeResult timedOut() {
        return ProbeResult.failed(probe.description() + " timed out after " + Durations.format(timeout));
    }

    /** Handles the first outcome of attempt {@code a}; later ones are ignored. */
    private void finish(Attempt a, ProbeResult result, boolean abandon) {
        if (!a.finished.compareAndSet(false, true)) {
            return;
        }
        Future<?> watchdog = a.watchdog;
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        if (abandon) {
            a.abandon();
        }
        Listener to;
        HealthState before;
        HealthState after;
        HealthState report;
        String reason;
        long next;
        synchronized (lock) {
            if (closed || attempt != a) {
                return;
            }
            attempt = null;
            before = state;
            if (result.passed()) {
                failures = 0;
                successes++;
                if (state != HealthState.UNHEALTHY || successes >= healthyThreshold) {
                    state = HealthState.HEALTHY;
                }
                report = state == HealthState.HEALTHY ? state : null;
            } else {
                successes = 0;
                failures++;
                if (state == HealthState.UNHEALTHY || failures >= unhealthyThreshold) {
                    state = HealthState.UNHEALTHY;
                }
                report = state == HealthState.UNHEALTHY ? state : null;
            }
            after = state;
            reason = result.reason() + streak(before, after);
            idleDelayNanos = jittered(idleNanos);
            next = Math.max(0, jittered(intervalNanos) - (ticker.read() - a.started));
            to = listener;
        }
        if (before != after) {
            LOG.log(System.Logger.Level.DEBUG, () -> name + ": " + before + " -> " + after + ": " + reason);
        } else {
            LOG.log(System.Logger.Level.DEBUG, () -> name + ": " + reason + "; still " + after);
        }
        if (report != null) {
            delivery.lock();
            try {
                if (!closed) {
                    to.onHealth(report, reason);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "health listener of " + name + " failed", e);
            } finally {
                delivery.unlock();
            }
        }
        synchronized (lock) {
            if (!closed) {
                scheduleLocked(next);
            }
        }
        completed.incrementAndGet();
    }

    private String streak(HealthState before, HealthState after) {
        if (before == after || before == HealthState.UNKNOWN && after == HealthState.HEALTHY) {
            return "";
        }
        int n = after == HealthState.HEALTHY ? successes : failures;
        String what = after == HealthState.HEALTHY ? (n == 1 ? "success" : "successes") : (n == 1 ? "failure" : "failures");
        return " (" + n + " " + what + " in a row)";
    }

    /** {@code nanos} × (1 ± jitter). Caller holds the lock (the random generator is not thread-safe). */
    private long jittered(long nanos) {
        return Math.max(0, Math.round(nanos * (1 + jitter * (2 * random.nextDouble() - 1))));
    }

    /** The exception's type and message, without wrappers: {@code "ConnectException: Connection refused"}. */
    static String describe(Throwable t) {
        if (t == null) {
            return "no result";
        }
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String type = cause.getClass().getSimpleName().isEmpty() ? cause.getClass().getName() : cause.getClass().getSimpleName();
        String message = cause.getMessage();
        return message == null || message.isBlank() ? type : type + ": " + message;
    }

    /** One probe in flight. */
    private static final class Attempt {
        final long started;
        final AtomicBoolean finished = new AtomicBoolean();
        volatile CompletableFuture<ProbeResult> future;
        volatile Future<?> watchdog;

        Attempt(long started) {
            this.started = started;
        }

        /** Cancels the probe's future and the watchdog; the probe's late result, if any, is ignored. */
        void abandon() {
            Future<?> w = watchdog;
            if (w != null) {
                w.cancel(false);
            }
            CompletableFuture<ProbeResult> f = future;
            if (f != null) {
                f.cancel(true);
            }
        }
    }
}
