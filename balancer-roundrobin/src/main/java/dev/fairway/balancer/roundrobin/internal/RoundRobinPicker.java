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
 * An immutable snapshot of the usable backends that hands them out in strict rotation.
 *
 * <p>Each {@link #pick} takes the next value of one atomic counter and returns the backend at that value modulo
 * the number of backends, so over {@code k * n} consecutive picks each of the {@code n} backends is picked
 * exactly {@code k} times, however many threads pick. The counter is shared with the picker this one replaces,
 * so the rotation carries on across updates of the backend set instead of restarting; a fresh counter starts at
 * an offset drawn from the client's seed, so that clients do not all start on the same backend (a fixed start
 * skewed load 3-4x at Netflix, grpc-java #4462). Address weights are ignored: every backend gets an equal share
 * ({@link WeightedRoundRobinPicker} honours them). Thread-safe; picking never locks, throws or allocates.
 */
public final class RoundRobinPicker implements Picker {

    private final Backend[] backends;
    private final AtomicLong next;

    /**
     * A picker over {@code backends} that continues from {@code next}.
     *
     * @param backends the backends, not empty; copied
     * @param next     the rotation counter, possibly shared with other pickers of the same target
     */
    RoundRobinPicker(List<Backend> backends, AtomicLong next) {
        this.backends = backends.toArray(new Backend[0]);
        if (this.backends.length == 0) {
            throw new IllegalArgumentException("a round-robin picker needs at least one backend");
        }
        for (Backend b : this.backends) {
            Objects.requireNonNull(b, "backend");
        }
        this.next = Objects.requireNonNull(next, "next");
    }

    /**
     * The picker for {@code context}: it shares the counter of a previous round-robin picker, or starts a new
     * one at a seeded random offset.
     *
     * @param context the context
     * @return the picker
     */
    static RoundRobinPicker of(PickerContext context) {
        List<Backend> backends = context.backends();
        AtomicLong counter;
        if (context.previous().orElse(null) instanceof RoundRobinPicker previous) {
            counter = previous.next;
        } else {
            counter = new AtomicLong(new SplittableRandom(context.seed()).nextInt(backends.size()));
        }
        return new RoundRobinPicker(backends, counter);
    }

    /**
     * Returns the next backend in the rotation.
     *
     * @param request ignored; may be {@code null}
     * @return the next backend, never {@code null}
     */
    @Override
    public Backend pick(HttpRequest request) {
        return backends[Math.floorMod(next.getAndIncrement(), backends.length)];
    }

    @Override
    public String toString() {
        return "RoundRobinPicker[" + backends.length + " backends, next=" + next.get() + "]";
    }
}
