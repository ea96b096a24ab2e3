package dev.fairway.health.internal;

import java.time.Duration;

/** Short human forms of durations for reasons and messages. */
final class Durations {

    private Durations() {
    }

    /**
     * {@code 250ms}, {@code 1s}, {@code 1500ms}, {@code 2m}: exact, in the largest unit that divides it.
     *
     * @param d a duration, zero or positive
     * @return the short form
     */
    static String format(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis == 0 && !d.isZero() ? d.toNanos() / 1000 + "us" : millis + "ms";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
