package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.PickerProvider;

import java.util.List;
import java.util.Objects;

/**
 * Provides {@link WeightedRoundRobinPicker}s under the name {@value #NAME}, with the default priority. Options:
 * {@code slow_start_window} (default 0, off) and {@code slow_start_min_percent} (default 10). Stateless and
 * thread-safe.
 */
public final class WeightedRoundRobinPickerProvider implements PickerProvider {

    /** The name users select this provider by. */
    public static final String NAME = "weighted_round_robin";

    /** Called by {@link java.util.ServiceLoader}; does nothing. */
    public WeightedRoundRobinPickerProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Option<?>> options() {
        return SlowStart.OPTIONS;
    }

    @Override
    public void validate(OptionValues options) {
        SlowStart.validate(options);
    }

    /**
     * {@inheritDoc}
     *
     * <p>When {@link PickerContext#previous()} holds a {@link WeightedRoundRobinPicker}, the new picker shares its
     * counter; otherwise the schedule starts at an offset drawn from {@link PickerContext#seed()}.
     */
    @Override
    public Picker create(PickerContext context) {
        Objects.requireNonNull(context, "context");
        return WeightedRoundRobinPicker.of(context);
    }

    @Override
    public String toString() {
        return "WeightedRoundRobinPickerProvider[" + NAME + "]";
    }
}
