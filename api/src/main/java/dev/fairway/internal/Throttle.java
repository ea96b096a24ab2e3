package dev.fairway.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Client-side adaptive throttling (Google's SRE book, "Handling Overload"): over the last {@code throttle.window},
 * a target's requests are rejected locally with probability {@code max(0, (requests − K·accepts) / (requests + 1))},
 * so that a client facing an overloaded service sheds load itself instead of sending (and retrying) into it. A
 * request counts as accepted when the backend answered with anything but 429 or 503; requests rejected locally count
 * as requests, so the rejection rate follows the backends' own. The probability is capped at
 * {@code throttle.max_rejection} (0.9), so that some requests always find out whether the backends recovered: once
 * they have, the share let through doubles with each window that passes (from the cap, about four windows to none
 * rejected). One per target, only when {@code throttle.k > 0}.
 */
final class Throttle {

    private static final int REQUESTS = 0;
    private static final int ACCEPTS = 1;

    private final double k;
    private final double max;
    private final SlidingWindow window;
    private final AtomicLong rejected = new AtomicLong();

    Throttle(Resilience settings) {
        this.k = settings.throttleK();
        this.max = settings.maxRejection();
        this.window = new SlidingWindow(settings.throttleWindow().toNanos(), 2);
    }

    /**
     * Whether to reject a request locally now; a rejected request is counted as a request.
     *
     * @param now    the ticker's nanoseconds
     * @param random a uniformly random number in [0, 1)
     * @return {@code true} to reject it
     */
    boolean reject(long now, double random) {
        double p = probability(now);
        if (p > 0 && random < p) {
            window.add(REQUESTS, now);
            rejected.incrementAndGet();
            return true;
        }
        return false;
    }

    /** An attempt's outcome: every attempt is a request; any response but 429 or 503 is an accept. */
    void completed(long now, int status) {
        window.add(REQUESTS, now);
        if (status >= 0 && status != 429 && status != 503) {
            window.add(ACCEPTS, now);
        }
    }

    /** The probability of a local rejection now. */
    double probability(long now) {
        double requests = window.sum(REQUESTS, now);
        double accepts = window.sum(ACCEPTS, now);
        return Math.min(max, Math.max(0, (requests - k * accepts) / (requests + 1)));
    }

    long rejected() {
        return rejected.get();
    }
}
