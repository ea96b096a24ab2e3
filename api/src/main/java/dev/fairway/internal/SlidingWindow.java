package dev.fairway.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts over a sliding window of time, in ten slots: {@code add} is a few atomic operations and allocates nothing,
 * {@code sum} reads the slots of the last window. The counts are approximate where a slot is reused while another
 * thread adds to it (a count may land in the slot it just left): good enough for budgets and rates, never for money.
 */
final class SlidingWindow {

    private static final int SLOTS = 10;

    private final long slotNanos;
    private final int series;
    /** Per slot, then per series. */
    private final AtomicLongArray counts;
    /** Per slot, the time (in slots since the ticker's origin) it counts for. */
    private final AtomicLongArray stamps;

    /**
     * @param windowNanos the window
     * @param series      how many separate counts it keeps
     */
    SlidingWindow(long windowNanos, int series) {
        this.slotNanos = Math.max(1, windowNanos / SLOTS);
        this.series = series;
        this.counts = new AtomicLongArray(SLOTS * series);
        this.stamps = new AtomicLongArray(SLOTS);
        for (int i = 0; i < SLOTS; i++) {
            stamps.set(i, Long.MIN_VALUE);
        }
    }

    /** Adds one to {@code series} at {@code now} (the ticker's nanoseconds). */
    void add(int series, long now) {
        long t = Math.floorDiv(now, slotNanos);
        int slot = (int) Math.floorMod(t, SLOTS);
        long stamp = stamps.get(slot);
        if (stamp > t) {
            return; // a time older than the window (a late caller): the slot counts a newer second now
        }
        if (stamp < t && stamps.compareAndSet(slot, stamp, t)) {
            for (int s = 0; s < this.series; s++) {
                counts.set(slot * this.series + s, 0);
            }
        }
        counts.incrementAndGet(slot * this.series + series);
    }

    /** The count of {@code series} over the window that ends at {@code now}. */
    long sum(int series, long now) {
        long t = Math.floorDiv(now, slotNanos);
        long sum = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            long stamp = stamps.get(slot);
            if (stamp > t - SLOTS && stamp <= t) {
                sum += counts.get(slot * this.series + series);
            }
        }
        return sum;
    }
}
