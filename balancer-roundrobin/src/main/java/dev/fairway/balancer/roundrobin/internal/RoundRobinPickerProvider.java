package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.PickerProvider;

import java.util.Objects;

/**
 * Provides {@link RoundRobinPicker}s under the name {@value #NAME}, with the default priority and no options.
 * Stateless and thread-safe.
 */
public final class RoundRobinPickerProvider implements PickerProvider {

    /** The name users select this provider by. */
    public static final String NAME = "round_robin";

    /** Called by {@link java.util.ServiceLoader}; does nothing. */
    public RoundRobinPickerProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * {@inheritDoc}
     *
     * <p>When {@link PickerContext#previous()} holds a {@link RoundRobinPicker}, the new picker shares its
     * rotation counter; otherwise the rotation starts at an offset drawn from {@link PickerContext#seed()}.
     */
    @Override
    public Picker create(PickerContext context) {
        Objects.requireNonNull(context, "context");
        return RoundRobinPicker.of(context);
    }

    @Override
    public String toString() {
        return "RoundRobinPickerProvider[" + NAME + "]";
    }
}
