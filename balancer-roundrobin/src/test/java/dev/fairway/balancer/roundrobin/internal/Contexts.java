package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Picker;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.PickerProvider;
import dev.fairway.spi.Target;
import dev.fairway.spi.Ticker;
import dev.fairway.testing.FakeBackend;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds picker contexts and backend lists for the tests. */
final class Contexts {

    static final Target TARGET = new Target("http", "orders.example", 80);

    private Contexts() {
    }

    /** Backends {@code FakeBackend.numbered(0)} to {@code numbered(n - 1)}, in order. */
    static List<Backend> numbered(int n) {
        List<Backend> backends = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            backends.add(FakeBackend.numbered(i));
        }
        return List.copyOf(backends);
    }

    static PickerContext context(List<Backend> backends, long seed) {
        return new PickerContext(TARGET, backends, OptionValues.defaults(List.of()), () -> 0L, seed, Optional.empty());
    }

    static PickerContext context(List<Backend> backends, long seed, Picker previous) {
        return new PickerContext(TARGET, backends, OptionValues.defaults(List.of()), () -> 0L, seed, Optional.of(previous));
    }

    /** Like {@link #numbered}, typed as fakes so that tests can set their load and age. */
    static List<FakeBackend> fakes(int n) {
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

    /** A context with {@code provider}'s options, validated as Fairway does at {@code build()}. */
    static PickerContext context(PickerProvider provider, List<? extends Backend> backends, long seed, Ticker ticker,
                                 Map<String, ?> options, Picker previous) {
        OptionValues values = OptionValues.of("fairway.picker.", provider.options(), options);
        provider.validate(values);
        return new PickerContext(TARGET, List.copyOf(backends), values, ticker, seed, Optional.ofNullable(previous));
    }

    /** Counts {@code picks} picks. */
    static long[] count(Picker picker, List<? extends Backend> backends, int picks) {
        long[] counts = new long[backends.size()];
        for (int i = 0; i < picks; i++) {
            counts[indexOf(backends, picker.pick(null))]++;
        }
        return counts;
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

    /** The position of {@code picked} in {@code backends}, by identity; fails if it is not there. */
    static int indexOf(List<? extends Backend> backends, Backend picked) {
        for (int i = 0; i < backends.size(); i++) {
            if (backends.get(i) == picked) {
                return i;
            }
        }
        throw new AssertionError("picked " + picked + ", which is not one of the picker's backends");
    }
}
