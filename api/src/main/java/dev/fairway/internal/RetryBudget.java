package dev.fairway.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A target's retry budget, after Envoy's and Finagle's: over the last {@code budget_window}, retries and hedges may
 * be at most {@code budget_ratio} of the requests, or {@code budget_min_per_second} for each second of the window when
 * that is more (so that a target with little traffic may still retry). During an outage of every backend that lasts
 * longer than the window, each request then costs at most {@code 1 + ratio} attempts instead of {@code max_attempts}. One per target; {@link MultiExchange} asks it before every retry and hedge.
 */
final class RetryBudget {

    private static final int REQUESTS = 0;
    private static final int RETRIES = 1;

    private final double ratio;
    private final long reserve;
    private final SlidingWindow window;
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong hedges = new AtomicLong();
    private final AtomicLong denied = new AtomicLong();
    /** Set while the budget is dry, so that it is announced once per dry spell. */
    private final AtomicBoolean dry = new AtomicBoolean();

    RetryBudget(Resilience settings) {
        this.ratio = settings.budgetRatio();
        this.reserve = (long) settings.budgetMinPerSecond() * Math.max(1, settings.budgetWindow().toSeconds());
        this.window = new SlidingWindow(settings.budgetWindow().toNanos(), 2);
    }

    /** One attempt was made (a first attempt, a retry or a hedge): it earns the ratio. */
    void attempted(long now) {
        window.add(REQUESTS, now);
    }

    /**
     * Takes one retry (or hedge) from the budget if it has one.
     *
     * @param now   the ticker's nanoseconds
     * @param hedge whether it is for a hedge
     * @return {@code true} when the retry may go; {@code false} when the budget is dry, which is counted, and
     *         announced (once per dry spell) through the returned {@link #justRanDry()}
     */
    boolean tryAcquire(long now, boolean hedge) {
        if (available(now) >= 1) {
            window.add(RETRIES, now);
            (hedge ? hedges : retries).incrementAndGet();
            dry.set(false);
            return true;
        }
        denied.incrementAndGet();
        return false;
    }

    /** Whether the budget ran dry since it last allowed a retry, and this call is the first to see it. */
    boolean justRanDry() {
        return dry.compareAndSet(false, true);
    }

    /** Retries and hedges the budget would allow now. */
    double available(long now) {
        long attempts = window.sum(REQUESTS, now);
        long spent = window.sum(RETRIES, now);
        // attempts include the retries themselves: the ratio applies to the requests the callers made
        return Math.max(ratio * Math.max(0, attempts - spent), reserve) - spent;
    }

    /** Requests (first attempts) in the window. */
    long requests(long now) {
        return Math.max(0, window.sum(REQUESTS, now) - window.sum(RETRIES, now));
    }

    /** Retries and hedges in the window. */
    long spent(long now) {
        return window.sum(RETRIES, now);
    }

    long retries() {
        return retries.get();
    }

    long hedges() {
        return hedges.get();
    }

    long denied() {
        return denied.get();
    }
}
