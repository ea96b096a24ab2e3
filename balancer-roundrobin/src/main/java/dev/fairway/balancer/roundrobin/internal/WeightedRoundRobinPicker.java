package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An immutable snapshot of the usable backends that hands them out in nginx's smooth weighted round-robin order,
 * honouring {@link dev.fairway.spi.BackendAddress#weight()}.
 *
 * <p>The order is precomputed once per snapshot into an array of backend indexes (see {@link SmoothSchedule}: one
 * period holds each backend as many times as its weight, spread evenly, e.g. weights 5, 1, 1 give a a b a c a a; the
 * array is bounded, scaling very large weights down proportionally), and each {@link #pick} takes the next value of
 * one atomic counter and returns the backend at that position. So over whole periods the shares are exact, however
 * many threads pick; with equal weights there is no array and the order is the plain rotation. The counter is shared
 * with the picker this one replaces, and a fresh one starts at an offset drawn from the client's seed, as
 * {@code round_robin} does.
 *
 * <p><b>Slow start.</b> While a backend ramps up (see {@link SlowStart}), a position that falls on it is passed over
 * with probability {@code 1 - factor / largest factor}, decided by a low-discrepancy sequence of the position (so the
 * order stays deterministic) and the pick takes the next position instead (at most {@value #MAX_SKIPS} positions per
 * pick). Thread-safe; picking never locks, throws or allocates.
 */
public final class WeightedRoundRobinPicker implements Picker {

    /** The most positions one pick looks at while backends ramp; the last is taken. */
    static final int MAX_SKIPS = 32;

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final Backend[] backends;
    private final int[] schedule;
    private final int length;
    private final SlowStart ramp;
    private final AtomicLong next;

    WeightedRoundRobinPicker(List<Backend> backends, SlowStart ramp, AtomicLong next) {
        this.backends = backends.toArray(new Backend[0]);
        if (this.backends.length == 0) {
            throw new IllegalArgumentException("a weighted round-robin picker needs at least one backend");
        }
        int[] weights = new int[this.backends.length];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Objects.requireNonNull(this.backends[i], "backend").address().weight();
        }
        this.schedule = SmoothSchedule.of(weights);
        this.length = schedule == null ? weights.length : schedule.length;
        this.ramp = ramp;
        this.next = Objects.requireNonNull(next, "next");
    }

    /**
     * The picker for {@code context}: it shares the counter of a previous weighted round-robin picker, or starts a
     * new one at a seeded random offset.
     *
     * @param context the context, with the provider's options
     * @return the picker
     */
    static WeightedRoundRobinPicker of(PickerContext context) {
        List<Backend> backends = context.backends();
        SlowStart ramp = SlowStart.of(context, backends.toArray(new Backend[0]));
        AtomicLong counter;
        if (context.previous().orElse(null) instanceof WeightedRoundRobinPicker previous) {
            counter = previous.next;
            return new WeightedRoundRobinPicker(backends, ramp, counter);
        }
        WeightedRoundRobinPicker picker = new WeightedRoundRobinPicker(backends, ramp, new AtomicLong());
        picker.next.set(new SplittableRandom(context.seed()).nextInt(picker.length));
        return picker;
    }

    /**
     * Returns the backend at the next position of the schedule.
     *
     * @param request ignored; may be {@code null}
     * @return the next backend, never {@code null}
     */
    @Override
    public Backend pick(HttpRequest request) {
        long position = next.getAndIncrement();
        int i = slot(position);
        if (ramp != null && ramp.mayBeActive()) {
            long now = ramp.ticker().read();
            if (ramp.activeAt(now)) {
                double largest = ramp.oldestFactor(now);
                for (int seen = 1; seen < MAX_SKIPS && !(weyl(position) * largest < ramp.factor(i, now)); seen++) {
                    position = next.getAndIncrement();
                    i = slot(position);
                }
            }
        }
        return backends[i];
    }

    private int slot(long position) {
        int p = Math.floorMod(position, length);
        return schedule == null ? p : schedule[p];
    }

    /** The fractional part of {@code position} × the golden ratio: a low-discrepancy sequence in {@code [0, 1)}. */
    private static double weyl(long position) {
        return ((position * GOLDEN) >>> 11) * 0x1.0p-53;
    }

    @Override
    public String toString() {
        return "WeightedRoundRobinPicker[" + backends.length + " backends, " + length + " slots"
                + (ramp != null ? ", " + ramp : "") + ", next=" + next.get() + "]";
    }
}
