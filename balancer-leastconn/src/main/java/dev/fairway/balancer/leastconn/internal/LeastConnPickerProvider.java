package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.PickerProvider;

import java.util.List;
import java.util.Objects;

/**
 * Provides {@link LeastConnPicker}s under the name {@value #NAME}, with the default priority. Options:
 * {@code choices} (default 2), {@code slow_start_window} (default 0, off) and {@code slow_start_min_percent}
 * (default 10). Stateless and thread-safe.
 */
public final class LeastConnPickerProvider implements PickerProvider {

    /** The name users select this provider by. */
    public static final String NAME = "least_conn";

    /** How many distinct random candidates each pick compares. */
    static final Option<Integer> CHOICES = Option.ofInt("choices", 2, 2, 10,
            "how many distinct random backends each pick compares (power of d choices)");

    /** Called by {@link java.util.ServiceLoader}; does nothing. */
    public LeastConnPickerProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Option<?>> options() {
        return List.of(CHOICES, SlowStart.WINDOW, SlowStart.MIN_PERCENT);
    }

    @Override
    public void validate(OptionValues options) {
        SlowStart.validate(options);
    }

    /**
     * {@inheritDoc}
     *
     * <p>When {@link PickerContext#previous()} holds a {@link LeastConnPicker}, the new picker continues its random
     * state; otherwise the state is seeded from {@link PickerContext#seed()}.
     */
    @Override
    public Picker create(PickerContext context) {
        Objects.requireNonNull(context, "context");
        return LeastConnPicker.of(context);
    }

    @Override
    public String toString() {
        return "LeastConnPickerProvider[" + NAME + "]";
    }
}
