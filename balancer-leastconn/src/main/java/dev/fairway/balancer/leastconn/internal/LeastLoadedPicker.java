package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;

import java.net.http.HttpRequest;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Round robin that passes over busy backends: among the next {@code choices} backends in (weighted) round-robin order,
 * the first whose load is at most the lowest of them or at most {@code busy_ratio} times their average.
 *
 * <p>Load = {@link Backend#inFlight()} ÷ effective weight (address weight × slow-start factor). Each pick walks the
 * rotation from just after the previous winner over {@code choices} slots (every backend when there are no more than
 * that, the default 16), finds the walk's lowest and average load, and returns the first backend of the walk that is
 * not busy, that is whose load is at most {@code max(lowest, busy_ratio × average)} (default ratio 2). The rotation is
 * nginx's smooth weighted round robin over the address weights (see {@link SmoothSchedule}; the plain order 0, 1, ...,
 * n - 1 when the weights are equal). So:
 * <ul>
 * <li>with nothing in flight, or the same everywhere, the picks follow the weighted rotation exactly, and steady
 *     traffic stays at its weights: the differences of a request or two that come and go with every response do not
 *     make a backend busy;</li>
 * <li>a backend that holds its requests longer than the others (a slow one, one in a pause) is passed over: with the
 *     others idle, one request in flight is already busy; under load it gets at most {@code busy_ratio} times the
 *     average in flight;</li>
 * <li>{@code busy_ratio = 0} is strictly the least loaded (the first of the walk at its lowest load, nginx's
 *     {@code least_conn} over the walk).</li>
 * </ul>
 * While a backend ramps up, the walk passes over it with probability {@code 1 - factor / largest factor}, by a
 * low-discrepancy sequence of the rotation position, unless no other backend of the walk qualifies.
 *
 * <p>The position of the last winner is one {@link AtomicLong}, shared with the picker this one replaces and
 * advanced by compare-and-set; a pick that loses the race walks again from the new position (lock-free: it retries
 * only because another pick succeeded), so concurrent picks of tied backends do not collide. Each pick costs
 * O(min(choices, rotation length)), whatever the number of backends, and O(1) when the next backend in turn is idle.
 * Thread-safe; {@link #pick} never locks, throws or allocates.
 */
public final class LeastLoadedPicker implements Picker {

    private final Backend[] backends;
    private final int[] weight;
    private final boolean equal;
    private final int[] schedule;
    private final int length;
    private final SlowStart ramp;
    private final int walk;
    private final double busyRatio;
    private final AtomicLong cursor;

    LeastLoadedPicker(Backend[] backends, int choices, double busyRatio, SlowStart ramp, AtomicLong cursor) {
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
        this.walk = Math.min(choices, length);
        this.busyRatio = busyRatio;
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
        return new LeastLoadedPicker(backends, context.options().get(LeastLoadedPickerProvider.CHOICES),
                context.options().get(LeastLoadedPickerProvider.BUSY_RATIO), ramp, cursor);
    }

    /**
     * Returns the first backend of the walk that is not busy: whose load is at most the walk's lowest, or at most
     * {@code busy_ratio} times the walk's average.
     *
     * @param request ignored; may be {@code null}
     * @return a backend, never {@code null}
     */
    @Override
    public Backend pick(HttpRequest request) {
        if (backends.length == 1) {
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
        while (true) {
            long last = cursor.get();
            int chosen = -1;
            long position = last;
            if (!ramping && backends[slot(last + 1)].inFlight() == 0) {
                // the common case at light load: the next in turn is idle, and an idle backend is never busy
                chosen = slot(last + 1);
                position = last + 1;
            } else {
                // pass 1: the walk's lowest and average load (inFlight / effective weight), and the first at the lowest
                int best = -1;
                long bestPosition = last;
                double lowest = 0.0;
                double sum = 0.0;
                for (long p = last + 1, end = last + walk; p <= end; p++) {
                    int i = slot(p);
                    double load = load(i, now, ramping, simple);
                    sum += load;
                    if (best < 0 || load < lowest) {
                        best = i;
                        bestPosition = p;
                        lowest = load;
                    }
                }
                // pass 2: the first backend of the walk that is not busy (and that the ramp lets through)
                double limit = Math.max(lowest, busyRatio * sum / walk);
                for (long p = last + 1, end = last + walk; p <= end; p++) {
                    int i = slot(p);
                    double load = load(i, now, ramping, simple);
                    if (load <= limit && (!ramping || Random64.weyl(p) * largest < ramp.factor(i, now))) {
                        chosen = i;
                        position = p;
                        break;
                    }
                }
                if (chosen < 0) {
                    // loads moved between the passes, or the ramp passed over every candidate: the least loaded
                    chosen = best;
                    position = bestPosition;
                }
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

    /** Requests in flight per unit of effective weight; just the count when every weight is the same and none ramps. */
    private double load(int i, long now, boolean ramping, boolean simple) {
        long in = backends[i].inFlight();
        return simple ? in : in / effectiveWeight(i, now, ramping);
    }

    private double effectiveWeight(int i, long now, boolean ramping) {
        return ramping ? weight[i] * ramp.factor(i, now) : weight[i];
    }

    @Override
    public String toString() {
        return "LeastLoadedPicker[" + backends.length + " backends, rotation of " + length + " slots, walks " + walk + ", busy above " + busyRatio + " x average"
                + (ramp != null ? ", " + ramp : "") + ", last=" + cursor.get() + "]";
    }
}
