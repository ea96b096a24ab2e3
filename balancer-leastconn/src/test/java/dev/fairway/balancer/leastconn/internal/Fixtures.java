package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.PickerProvider;
import dev.fairway.spi.Target;
import dev.fairway.spi.Ticker;
import dev.fairway.testing.FakeBackend;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Backends, contexts and a load simulation for the picker tests. */
final class Fixtures {

    static final Target TARGET = new Target("http", "orders.example", 80);

    private Fixtures() {
    }

    /** Backends {@code FakeBackend.numbered(0)} to {@code numbered(n - 1)}, weight 1, in order. */
    static List<FakeBackend> numbered(int n) {
        List<FakeBackend> backends = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            backends.add(FakeBackend.numbered(i));
        }
        return List.copyOf(backends);
    }

    /** One backend per weight, at the addresses of {@link #numbered}. */
    static List<FakeBackend> weighted(int... weights) {
        List<FakeBackend> backends = new ArrayList<>(weights.length);
        for (int i = 0; i < weights.length; i++) {
            InetSocketAddress a = FakeBackend.numbered(i).address().socketAddress();
            backends.add(new FakeBackend(new BackendAddress(a, weights[i], Map.of())));
        }
        return List.copyOf(backends);
    }

    static PickerContext context(PickerProvider provider, List<? extends Backend> backends, long seed, Ticker ticker,
                                 Map<String, ?> options, Picker previous) {
        OptionValues values = OptionValues.of("fairway.picker.", provider.options(), options);
        provider.validate(values);
        return new PickerContext(TARGET, List.copyOf(backends), values, ticker, seed, Optional.ofNullable(previous));
    }

    static Picker create(PickerProvider provider, List<? extends Backend> backends, long seed) {
        return provider.create(context(provider, backends, seed, () -> 0L, Map.of(), null));
    }

    /** The position of {@code picked} in {@code backends}, by identity; fails if it is not there. */
    static int indexOf(List<? extends Backend> backends, Backend picked) {
        for (int i = 0; i < backends.size(); i++) {
            if (backends.get(i) == picked) {
                return i;
            }
        }
        throw new AssertionError("picked " + picked + ", which is not one of the picker's backends");
    }

    /** Counts {@code picks} picks with nothing in flight. */
    static long[] countIdle(Picker picker, List<? extends Backend> backends, int picks) {
        long[] counts = new long[backends.size()];
        for (int i = 0; i < picks; i++) {
            counts[indexOf(backends, picker.pick(null))]++;
        }
        return counts;
    }

    /**
     * Counts {@code picks} picks under a steady load of {@code concurrency} requests in flight: each pick adds one
     * request to the picked backend, and once {@code concurrency} are in flight the oldest completes (all requests
     * take equally long).
     */
    static long[] countUnderLoad(Picker picker, List<FakeBackend> backends, int picks, int concurrency) {
        long[] counts = new long[backends.size()];
        ArrayDeque<FakeBackend> inFlight = new ArrayDeque<>();
        for (int i = 0; i < picks; i++) {
            int index = indexOf(backends, picker.pick(null));
            counts[index]++;
            FakeBackend b = backends.get(index);
            b.inFlight(b.inFlight() + 1);
            inFlight.addLast(b);
            if (inFlight.size() > concurrency) {
                FakeBackend done = inFlight.removeFirst();
                done.inFlight(done.inFlight() - 1);
            }
        }
        for (FakeBackend b : inFlight) {
            b.inFlight(b.inFlight() - 1);
        }
        return counts;
    }

    /** The relative standard deviation of {@code counts}. */
    static double relativeStandardDeviation(long[] counts) {
        double mean = 0;
        for (long c : counts) {
            mean += c;
        }
        mean /= counts.length;
        double variance = 0;
        for (long c : counts) {
            variance += (c - mean) * (c - mean);
        }
        return Math.sqrt(variance / counts.length) / mean;
    }

    /** The largest relative error of the counts against shares proportional to {@code weights}. */
    static double worstShareError(long[] counts, int... weights) {
        long total = 0;
        long weightSum = 0;
        for (int i = 0; i < counts.length; i++) {
            total += counts[i];
            weightSum += weights[i];
        }
        double worst = 0;
        for (int i = 0; i < counts.length; i++) {
            double expected = (double) total * weights[i] / weightSum;
            worst = Math.max(worst, Math.abs(counts[i] - expected) / expected);
        }
        return worst;
    }
}
