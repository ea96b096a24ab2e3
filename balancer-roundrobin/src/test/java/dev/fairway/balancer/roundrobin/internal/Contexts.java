package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeBackend;

import java.util.ArrayList;
import java.util.List;
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

    /** The position of {@code picked} in {@code backends}, by identity; fails if it is not there. */
    static int indexOf(List<Backend> backends, Backend picked) {
        for (int i = 0; i < backends.size(); i++) {
            if (backends.get(i) == picked) {
                return i;
            }
        }
        throw new AssertionError("picked " + picked + ", which is not one of the picker's backends");
    }
}
