package dev.fairway.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What Fairway gives a {@link PickerProvider} to create a {@link Picker}: the usable backends (never empty), the
 * validated options and the previous picker of the same target.
 *
 * @param target   the target
 * @param backends the usable backends, in a stable order; never empty; copied
 * @param options  the validated {@code fairway.picker.*} options
 * @param ticker   the time source, for pickers that weigh time (slow start, decaying averages)
 * @param seed     a per-client random seed (for example for a start offset)
 * @param previous the picker this one replaces, if any, so that state such as a rotation position can carry over
 */
public record PickerContext(Target target, List<Backend> backends, OptionValues options, Ticker ticker, long seed,
                            Optional<Picker> previous) {

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if {@code backends} is empty
     */
    public PickerContext {
        Objects.requireNonNull(target, "target");
        backends = List.copyOf(Objects.requireNonNull(backends, "backends"));
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(previous, "previous");
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("a picker needs at least one backend for " + target);
        }
    }
}
