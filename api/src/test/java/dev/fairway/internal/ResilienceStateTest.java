package dev.fairway.internal;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The counting under the resilience policies, on a clock of the test's own: windows, the budget, the hedge delay. */
class ResilienceStateTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aSlidingWindowForgetsWhatIsOlderThanTheWindow() {
        SlidingWindow w = new SlidingWindow(10 * SECOND, 2);
        long t = -7 * SECOND; // the ticker may be negative
        for (int i = 0; i < 5; i++) {
            w.add(0, t + i * SECOND);
        }
        w.add(1, t);
        assertEquals(5, w.sum(0, t + 4 * SECOND));
        assertEquals(1, w.sum(1, t + 4 * SECOND));
        assertEquals(4, w.sum(0, t + 10 * SECOND), "the first second slid out");
        assertEquals(0, w.sum(0, t + 15 * SECOND));
        w.add(0, t + 20 * SECOND); // a slot used again starts from zero
        assertEquals(1, w.sum(0, t + 20 * SECOND));
        assertEquals(0, w.sum(1, t + 20 * SECOND));
    }

    @Test
    void theBudgetAllowsTheRatioOfRequestsOrTheMinimumWhicheverIsMore() {
        Resilience settings = Resilience.of(Map.of("budget_ratio", "0.2", "budget_min_per_second", "1"), Map.of(), Map.of(), "fairway.");
        RetryBudget budget = new RetryBudget(settings);
        long now = 0;
        int retries = 0;
        while (budget.tryAcquire(now, false)) {
            retries++;
            budget.attempted(now); // the retry is an attempt too
        }
        assertEquals(10, retries, "no requests yet: the minimum, 1 per second of the 10 s window");
        assertTrue(budget.justRanDry());
        assertFalse(budget.justRanDry(), "announced once per dry spell");
        for (int i = 0; i < 200; i++) {
            budget.attempted(now);
        }
        while (budget.tryAcquire(now, true)) {
            retries++;
            budget.attempted(now);
        }
        assertEquals(40, retries, "20 % of the 200 requests, the 10 retries before included");
        assertEquals(30, budget.hedges());
        assertEquals(10, budget.retries());
        assertEquals(2, budget.denied());
        assertTrue(budget.justRanDry(), "a retry was allowed since the last announcement");
        assertEquals(10, budget.available(now + 20 * SECOND), 1e-9, "the window slid past it all: the minimum again");
    }

    @Test
    void theHedgeDelayIsAPercentileOfRecentAnswersOnceThereAreEnough() {
        Resilience p95 = Resilience.of(Map.of(), Map.of("delay", "p95"), Map.of(), "fairway.");
        HedgeDelay delay = new HedgeDelay(p95);
        long now = 5 * SECOND;
        for (int ms = 1; ms <= 19; ms++) {
            delay.answered(now, ms * 1_000_000L);
        }
        assertEquals(-1, delay.delayNanos(now), "19 answers: no percentile yet, no hedge");
        for (int ms = 20; ms <= 100; ms++) {
            delay.answered(now, ms * 1_000_000L);
        }
        assertEquals(-1, delay.delayNanos(now + SECOND / 2), "computed again at most once a second");
        long d = delay.delayNanos(now + SECOND);
        assertTrue(d >= 95_000_000L && d <= 95_000_000L * 1.25, "p95 of 1..100 ms, within the histogram's 25 %: " + d);
        assertEquals(-1, new HedgeDelay(p95).delayNanos(now));
        assertEquals(-1, delay.delayNanos(now + 30 * SECOND), "the answers aged out of the 10 s window");
        Resilience fixed = Resilience.of(Map.of(), Map.of("delay", "40ms"), Map.of(), "fairway.");
        assertEquals(40_000_000L, new HedgeDelay(fixed).delayNanos(now));
    }

    @Test
    void histogramBucketsBoundTheirTimesWithin25Percent() {
        for (long nanos = 4; nanos < 1L << 39; nanos = nanos * 3 / 2 + 1) {
            long upper = HedgeDelay.upperBound(HedgeDelay.bucket(nanos));
            assertTrue(upper >= nanos && upper <= nanos * 1.25 + 1, nanos + " -> " + upper);
        }
    }

    @Test
    void throttlingFollowsTheSreBooksFormulaUpToItsCap() {
        Resilience settings = Resilience.of(Map.of(), Map.of(), Map.of("k", "2", "max_rejection", "0.5"), "fairway.");
        Throttle throttle = new Throttle(settings);
        long now = 0;
        for (int i = 0; i < 100; i++) {
            throttle.completed(now, i < 30 ? 200 : 503);
        }
        assertEquals((100 - 2 * 30) / 101.0, throttle.probability(now), 1e-9);
        for (int i = 0; i < 100; i++) {
            throttle.completed(now, -1); // failures are not accepted either
        }
        assertEquals(0.5, throttle.probability(now), 1e-9, "capped");
        assertTrue(throttle.reject(now, 0.49));
        assertFalse(throttle.reject(now, 0.51));
        assertEquals(1, throttle.rejected());
    }
}
