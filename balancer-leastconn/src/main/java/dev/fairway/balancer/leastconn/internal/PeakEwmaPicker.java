package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.Ticker;

import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Latency-aware power of <i>d</i> choices: the candidate with the lowest cost = peak-sensitive moving average of
 * response time × (1 + in-flight requests ÷ effective weight), after Finagle's and Linkerd's peak EWMA (which use
 * weight 1: estimate × (in-flight + 1)). Reading the weight as capacity, the cost is the response time a new request
 * can expect; with nothing in flight equal estimates tie and the draw decides, so traffic splits by weight.
 *
 * <p><b>The estimate</b> of each backend is updated by {@link #completed} with the time from sending to the response
 * headers or the failure (failures count with their time, like successes: a backend that fails fast is the business
 * of health checks and outlier ejection). With τ = {@code decay} and Δt the time since the backend's previous update,
 * a response slower than the decayed estimate replaces it at once (peak); a faster one moves it towards itself by
 * {@code 1 - e^(-Δt/τ)}. Between updates the estimate decays towards zero as {@code e^(-Δt/τ)}, so a backend that was
 * slow is tried again once its estimate has faded below the others' costs. A backend starts at {@code default_rtt}.
 *
 * <p><b>State across snapshots:</b> estimates are kept per backend, keyed by socket address and
 * {@code replica} attribute, and handed from each picker to the one that replaces it
 * ({@link PickerContext#previous()}); the estimates of backends that are no longer in the snapshot are dropped, so a
 * backend that comes back starts afresh.
 *
 * <p><b>Choice:</b> candidates are drawn as for {@code least_conn} (see {@link Sampler}): {@code choices} distinct
 * backends in proportion to their effective weights (address weight × slow-start factor); the lowest cost wins, the
 * first drawn on a tie. Each pick reads the ticker once. Thread-safe; {@link #pick} never locks, throws or allocates;
 * {@link #completed} does not allocate and holds the backend's estimate lock for a few arithmetic operations.
 */
public final class PeakEwmaPicker implements Picker, Sampler.Load {

    /** The address attribute that tells apart backends at one socket address ({@code BackendAddress.REPLICA}). */
    private static final String REPLICA = "replica";

    /** What identifies a backend across snapshots. */
    private record Key(InetSocketAddress address, String replica) {
        static Key of(BackendAddress address) {
            return new Key(address.socketAddress(), address.attributes().get(REPLICA));
        }
    }

    /** One backend's estimate, in nanoseconds; shared by every snapshot that holds the backend. */
    static final class Estimate {
        private volatile double cost;
        private volatile long stamp;

        Estimate(double cost, long stamp) {
            this.cost = cost;
            this.stamp = stamp;
        }

        /** Folds in one response time. */
        synchronized void observe(double rtt, long now, double tau) {
            long idle = now - stamp;
            double w = idle > 0 ? Math.exp(-idle / tau) : 1.0;
            double decayed = cost * w;
            cost = rtt > decayed ? rtt : decayed + rtt * (1.0 - w);
            if (idle > 0) {
                stamp = now;
            }
        }

        /** The estimate decayed to {@code now}; a racing update may mix the old cost with the new stamp (harmless). */
        double at(long now, double tau) {
            double c = cost;
            long idle = now - stamp;
            return idle > 0 ? c * Math.exp(-idle / tau) : c;
        }

        @Override
        public String toString() {
            return String.format("%.3f ms", cost / 1e6);
        }
    }

    private final Backend[] backends;
    private final Estimate[] estimates;
    private final Map<Key, Estimate> byKey;
    private final IdentityHashMap<Backend, Estimate> byBackend;
    private final Sampler sampler;
    private final AtomicLong random;
    private final Ticker ticker;
    private final double tau;

    private PeakEwmaPicker(Backend[] backends, Estimate[] estimates, Map<Key, Estimate> byKey, Sampler sampler,
                           AtomicLong random, Ticker ticker, double tau) {
        this.backends = backends;
        this.estimates = estimates;
        this.byKey = byKey;
        this.byBackend = new IdentityHashMap<>(backends.length);
        for (int i = 0; i < backends.length; i++) {
            byBackend.put(backends[i], estimates[i]);
        }
        this.sampler = sampler;
        this.random = random;
        this.ticker = ticker;
        this.tau = tau;
    }

    /**
     * The picker for {@code context}: it keeps the estimates of a previous peak-EWMA picker for the backends that are
     * still there, and its random state.
     *
     * @param context the context, with the provider's options
     * @return the picker
     */
    static PeakEwmaPicker of(PickerContext context) {
        Backend[] backends = context.backends().toArray(new Backend[0]);
        double tau = context.options().get(PeakEwmaPickerProvider.DECAY).toNanos();
        double initial = context.options().get(PeakEwmaPickerProvider.DEFAULT_RTT).toNanos();
        PeakEwmaPicker previous = context.previous().orElse(null) instanceof PeakEwmaPicker p ? p : null;
        long now = context.ticker().read();
        Estimate[] estimates = new Estimate[backends.length];
        Map<Key, Estimate> byKey = new HashMap<>();
        for (int i = 0; i < backends.length; i++) {
            Key key = Key.of(Objects.requireNonNull(backends[i], "backend").address());
            Estimate e = byKey.get(key);
            if (e == null) {
                e = previous != null ? previous.byKey.get(key) : null;
                if (e == null) {
                    e = new Estimate(initial, now);
                }
                byKey.put(key, e);
            }
            estimates[i] = e;
        }
        Sampler sampler = new Sampler(backends, context.options().get(PeakEwmaPickerProvider.CHOICES),
                SlowStart.of(context, backends));
        AtomicLong random = previous != null ? previous.random : Random64.state(context.seed());
        return new PeakEwmaPicker(backends, estimates, Map.copyOf(byKey), sampler, random, context.ticker(), tau);
    }

    /**
     * Returns the candidate with the lowest cost.
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
        long now = ticker.read();
        SlowStart ramp = sampler.ramp;
        boolean ramping = ramp != null && ramp.mayBeActive() && ramp.activeAt(now);
        return backends[sampler.choose(state, now, ramping, this)];
    }

    @Override
    public boolean lighter(int a, int b, long now, boolean ramping) {
        double loadA = backends[a].inFlight();
        double loadB = backends[b].inFlight();
        if (!sampler.equal || ramping) {
            loadA /= sampler.effectiveWeight(a, now, ramping);
            loadB /= sampler.effectiveWeight(b, now, ramping);
        }
        return estimates[a].at(now, tau) * (loadA + 1.0) < estimates[b].at(now, tau) * (loadB + 1.0);
    }

    /**
     * Folds the response time of an exchange into the backend's estimate; ignores backends this snapshot does not
     * hold (removed meanwhile).
     */
    @Override
    public void completed(Backend backend, long elapsedNanos, boolean success) {
        Estimate e = byBackend.get(backend);
        if (e != null) {
            e.observe(Math.max(0L, elapsedNanos), ticker.read(), tau);
        }
    }

    /**
     * The current estimate of {@code backend}, for tests.
     *
     * @param backend a backend of this snapshot
     * @return nanoseconds, decayed to the ticker's reading, or {@code NaN} for a backend not in the snapshot
     */
    double estimate(Backend backend) {
        Estimate e = byBackend.get(backend);
        return e == null ? Double.NaN : e.at(ticker.read(), tau);
    }

    @Override
    public String toString() {
        return "PeakEwmaPicker[" + sampler + ", decay " + Math.round(tau / 1e6) + " ms]";
    }
}
