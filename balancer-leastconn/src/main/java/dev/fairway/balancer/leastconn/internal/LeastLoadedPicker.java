package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;

import java.net.http.HttpRequest;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A full scan for the least loaded backend, ties broken in (weighted) round-robin order.
 *
 * <p>Load = {@link Backend#inFlight()} ÷ effective weight (address weight × slow-start factor). Each pick first finds
 * the lowest load over all backends, then walks a rotation from just after the previous winner and returns the first
 * backend whose load is that lowest; the rotation is nginx's smooth weighted round robin over the address weights
 * (see {@link SmoothSchedule}; the plain order 0, 1, ..., n - 1 when the weights are equal). So the tied backends take
 * turns, and with nothing in flight the picks follow the weighted rotation exactly: traffic splits in proportion to
 * the weights, as nginx's {@code least_conn} does. While a backend ramps up, the walk passes over it with probability
 * {@code 1 - factor / largest factor}, by a low-discrepancy sequence of the rotation position.
 *
 * <p>The position of the last winner is one {@link AtomicLong}, shared with the picker this one replaces and
 * advanced by compare-and-set; a pick that loses the race walks again from the new position (lock-free: it retries
 * only because another pick succeeded), so concurrent picks of tied backends do not collide. Each pick costs O(backends): use
 * {@code least_conn} for large sets. Thread-safe; {@link #pick} never locks, throws or allocates.
 */
public final class LeastLoadedPicker implements Picker {

    private final Backend[] backends;
    private final int[] weight;
    private final boolean equal;
    private final int[] schedule;
    private final int length;
    private final SlowStart ramp;
    private final AtomicLong cursor;

    LeastLoadedPicker(Backend[] backends, SlowStart ramp, AtomicLong cursor) {
        this.backends = backends;
        this.weight = new int[backends.length];
        boolean same = true;
        for (int i = 0; i < backends.length; i++) {
            weight[i] = Objects.requireNonNull(backends[i], "backend").address().weight();
            same &= weight[i] == weight[0];
        }
        this.equal = same;
        this.schedule = SmoothSchedule.of(weight);
        this.length = schedule == null ? backends.length : schedule.length;
        this.ramp = ramp;
        this.cursor = Objects.requireNonNull(cursor, "cursor");
    }

    /**
     * The picker for {@code context}: it continues the rotation of a previous least-loaded picker, or starts one at
     * a position drawn from the client's seed.
     *
     * @param context the context, with the provider's options
     * @return the picker
     */
    static LeastLoadedPicker of(PickerContext context) {
        Backend[] backends = context.backends().toArray(new Backend[0]);
        SlowStart ramp = SlowStart.of(context, backends);
        AtomicLong cursor;
        if (context.previous().orElse(null) instanceof LeastLoadedPicker previous) {
            cursor = previous.cursor;
        } else {
            // the first pick is at the position after the cursor: anywhere in the first period, by the seed
            cursor = new AtomicLong(Random64.below(Random64.mix(context.seed()), 1 << 30) - 1L);
        }
        return new LeastLoadedPicker(backends, ramp, cursor);
    }

    /**
     * Returns a least loaded backend, the next one in the rotation among equals.
     *
     * @param request ignored; may be {@code null}
     * @return a backend, never {@code null}
     */
    @Override
    public Backend pick(HttpRequest request) {
        int n = backends.length;
        if (n == 1) {
            return backends[0];
        }
        boolean ramping = false;
        long now = 0L;
        double largest = 1.0;
        if (ramp != null && ramp.mayBeActive()) {
            now = ramp.ticker().read();
            if (ramp.activeAt(now)) {
                ramping = true;
                largest = ramp.oldestFactor(now);
            }
        }
        boolean simple = equal && !ramping;
        // pass 1: the lowest load, as inFlight / effective weight (compared by cross-multiplying)
        long minIn = backends[0].inFlight();
        double minWeight = effectiveWeight(0, now, ramping);
        for (int i = 1; i < n; i++) {
            long in = backends[i].inFlight();
            if (simple ? in < minIn : in * minWeight < minIn * effectiveWeight(i, now, ramping)) {
                minIn = in;
                minWeight = effectiveWeight(i, now, ramping);
            }
        }
        // pass 2: the first backend at that load in the rotation after the last winner
        while (true) {
            long last = cursor.get();
            int chosen = -1;
            long position = last;
            int best = -1;
            long bestPosition = last;
            long bestIn = 0;
            double bestWeight = 1.0;
            for (long p = last + 1, end = last + length; p <= end; p++) {
                int i = slot(p);
                long in = backends[i].inFlight();
                double w = simple ? 1.0 : effectiveWeight(i, now, ramping);
                boolean lowest = simple ? in <= minIn : in * minWeight <= minIn * w;
                if (lowest && (!ramping || Random64.weyl(p) * largest < ramp.factor(i, now))) {
                    chosen = i;
                    position = p;
                    break;
                }
                if (best < 0 || (simple ? in < bestIn : in * bestWeight < bestIn * w)) {
                    best = i;
                    bestPosition = p;
                    bestIn = in;
                    bestWeight = w;
                }
            }
            if (chosen < 0) {
                // loads moved between the passes (or the ramp passed over every tie): the least loaded seen in the walk
                chosen = best;
                position = bestPosition;
            }
            if (cursor.compareAndSet(last, position)) {
                return backends[chosen];
            }
        }
    }

    private int slot(long position) {
        int p = Math.floorMod(position, length);
        return schedule == null ? p : schedule[p];
    }

    private double effectiveWeight(int i, long now, boolean ramping) {
        return ramping ? weight[i] * ramp.factor(i, now) : weight[i];
    }

    @Override
    public String toString() {
        return "LeastLoadedPicker[" + backends.length + " backends, rotation of " + length + " slots"
                + (ramp != null ? ", " + ramp : "") + ", last=" + cursor.get() + "]";
    }
}
