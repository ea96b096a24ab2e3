package com.example.fairway.zone;

import dev.fairway.spi.Option;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.PickerProvider;

import java.util.List;
import java.util.Objects;

/**
 * Provides {@link ZonePicker}s under the name {@value #NAME}, with the default priority.
 *
 * <p>Options: {@code zone} (required, the client's zone) and {@code min_backends} (default 1, the usable in-zone
 * backends needed to stay in the zone). Stateless and thread-safe; one instance serves every client of the JVM.
 */
public final class ZonePickerProvider implements PickerProvider {

    /** The name users select this provider by: {@code fairway.picker=zone_aware} or {@code picker("zone_aware")}. */
    public static final String NAME = "zone_aware";

    /** The client's zone ({@code fairway.picker.zone}); required. */
    static final Option<String> ZONE = Option.ofCustom("zone", "", "the client's zone; backends in it are preferred",
            "a zone name such as eu-west-1a (not blank)", ZonePickerProvider::zone).required();

    /** How many in-zone backends must be usable to stay in the zone ({@code fairway.picker.min_backends}). */
    static final Option<Integer> MIN_BACKENDS = Option.ofInt("min_backends", 1, 1, 10_000,
            "usable in-zone backends needed to keep traffic in the zone; with fewer, all usable backends are used");

    /** Called by {@link java.util.ServiceLoader}; does nothing. */
    public ZonePickerProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Option<?>> options() {
        return List.of(ZONE, MIN_BACKENDS);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The new picker continues the rotation of a previous {@link ZonePicker} of the same target; a first picker
     * starts at an offset drawn from {@link PickerContext#seed()}.
     */
    @Override
    public Picker create(PickerContext context) {
        Objects.requireNonNull(context, "context");
        return ZonePicker.of(context, context.options().get(ZONE), context.options().get(MIN_BACKENDS));
    }

    @Override
    public String toString() {
        return "ZonePickerProvider[" + NAME + "]";
    }

    private static String zone(Object raw) {
        if (raw instanceof String s && !s.isBlank()) {
            return s.strip();
        }
        throw new IllegalArgumentException();
    }
}
