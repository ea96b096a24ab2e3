package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.PickerProvider;

import java.util.Objects;

/**
 * Provides {@link RandomPicker}s under the name {@value #NAME}, with the default priority and no options.
 * Stateless and thread-safe.
 */
public final class RandomPickerProvider implements PickerProvider {

    /** The name users select this provider by. */
    public static final String NAME = "random";

    /** Called by {@link java.util.ServiceLoader}; does nothing. */
    public RandomPickerProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker create(PickerContext context) {
        Objects.requireNonNull(context, "context");
        return new RandomPicker(context.backends());
    }

    @Override
    public String toString() {
        return "RandomPickerProvider[" + NAME + "]";
    }
}
