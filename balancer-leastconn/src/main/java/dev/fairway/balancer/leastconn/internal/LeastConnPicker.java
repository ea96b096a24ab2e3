package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;

import java.net.http.HttpRequest;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Power of <i>d</i> choices over in-flight requests (d = {@code choices}, default 2): draws {@code choices} distinct
 * backends at random and returns the one with the fewest requests in flight per unit of effective weight.
 *
 * <p>Load = {@link Backend#inFlight()} ÷ effective weight, where effective weight = address weight × slow-start
 * factor; candidates are drawn without replacement in proportion to the effective weights, and a tie goes to the
 * candidate drawn first (see {@link Sampler}). So a candidate that is more loaded than another is never picked, the
 * most loaded backend is never picked, and when nothing is in flight traffic splits in proportion to the weights; under
 * load the backends' in-flight counts settle in proportion to their weights.
 *
 * <p>Randomness comes from one {@link AtomicLong} seeded from the client's seed and shared with the picker this one
 * replaces. The ticker is read only while a backend ramps up. Thread-safe; {@link #pick} never locks, throws or
 * allocates.
 */
public final class LeastConnPicker implements Picker, Sampler.Load {

    private final Backend[] backends;
    private final Sampler sampler;
    private final AtomicLong random;

    LeastConnPicker(Backend[] backends, Sampler sampler, AtomicLong random) {
        this.backends = backends;
        this.sampler = sampler;
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * The picker for {@code context}, continuing the random state of a previous least-conn picker.
     *
     * @param context the context, with the provider's options
     * @return the picker
     */
    static LeastConnPicker of(PickerContext context) {
        Backend[] backends = context.backends().toArray(new Backend[0]);
        SlowStart ramp = SlowStart.of(context, backends);
        Sampler sampler = new Sampler(backends, context.options().get(LeastConnPickerProvider.CHOICES), ramp);
        AtomicLong random = context.previous().orElse(null) instanceof LeastConnPicker previous
                ? previous.random : Random64.state(context.seed());
        return new LeastConnPicker(backends, sampler, random);
    }

    /**
     * Returns the least loaded of {@code choices} random candidates.
     *
     * @param request ignored; may be {@code null}
     * @return a backend, never {@code null}
     */
    @Override
    public Backend pick(HttpRequest request) {
        if (backends.length == 1) {
            return backends[0];
        }
        long state = random.getAndAdd(Random64.GAMMA);
        SlowStart ramp = sampler.ramp;
        if (ramp != null && ramp.mayBeActive()) {
            long now = ramp.ticker().read();
            if (ramp.activeAt(now)) {
                return backends[sampler.choose(state, now, true, this)];
            }
        }
        if (sampler.choices == 2 && sampler.equal) {
            // the default case, spelled out: two distinct uniform candidates, fewer in flight wins, tie to the first
            long r = Random64.value(state, 0);
            int first = Random64.below(r, backends.length);
            int second = Random64.below(Random64.value(state, Sampler.MAX_ATTEMPTS), backends.length - 1);
            if (second >= first) {
                second++;
            }
            return backends[backends[second].inFlight() < backends[first].inFlight() ? second : first];
        }
        return backends[sampler.choose(state, 0L, false, this)];
    }

    @Override
    public boolean lighter(int a, int b, long now, boolean ramping) {
        long inA = backends[a].inFlight();
        long inB = backends[b].inFlight();
        if (sampler.equal && !ramping) {
            return inA < inB;
        }
        return inA * sampler.effectiveWeight(b, now, ramping) < inB * sampler.effectiveWeight(a, now, ramping);
    }

    @Override
    public String toString() {
        return "LeastConnPicker[" + sampler + "]";
    }
}
