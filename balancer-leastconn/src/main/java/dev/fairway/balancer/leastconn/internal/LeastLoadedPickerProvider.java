package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.PickerProvider;

import java.util.List;
import java.util.Objects;

/**
 * Provides {@link LeastLoadedPicker}s under the name {@value #NAME}, Fairway's default picker, with the default
 * priority. Options: {@code choices} (default 16: how many backends, in rotation order, each pick compares),
 * {@code busy_ratio} (default 2: a backend above that many times the walk's average load is passed over; 0 for
 * strictly the least loaded),
 * {@code slow_start_window} (default 0, off) and {@code slow_start_min_percent} (default 10). Stateless and
 * thread-safe.
 */
public final class LeastLoadedPickerProvider implements PickerProvider {

    /** The name users select this provider by. */
    public static final String NAME = "least_loaded";

    /** How many backends, in rotation order from the last winner, each pick compares. */
    static final Option<Integer> CHOICES = Option.ofInt("choices", 16, 1, 100_000,
            "how many backends, in rotation order after the last pick, each pick compares (all when there are no more)");

    /** How many times the walk's average load makes a backend busy (passed over); 0 for strictly the least loaded. */
    static final Option<Double> BUSY_RATIO = Option.ofDouble("busy_ratio", 2.0, 0.0, 100.0,
            "a backend whose load is above this many times the average of a pick's walk (and above its lowest) is passed"
                    + " over; 0 picks strictly the least loaded");

    /** Called by {@link java.util.ServiceLoader}; does nothing. */
    public LeastLoadedPickerProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Option<?>> options() {
        return List.of(CHOICES, BUSY_RATIO, SlowStart.WINDOW, SlowStart.MIN_PERCENT);
    }

    @Override
    public void validate(OptionValues options) {
        SlowStart.validate(options);
    }

    /**
     * {@inheritDoc}
     *
     * <p>When {@link PickerContext#previous()} holds a {@link LeastLoadedPicker}, the new picker continues its
     * rotation; otherwise the rotation starts at a position drawn from {@link PickerContext#seed()}.
     */
    @Override
    public Picker create(PickerContext context) {
        Objects.requireNonNull(context, "context");
        return LeastLoadedPicker.of(context);
    }

    @Override
    public String toString() {
        return "LeastLoadedPickerProvider[" + NAME + "]";
    }
}
