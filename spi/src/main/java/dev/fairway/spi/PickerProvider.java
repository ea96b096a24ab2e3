package dev.fairway.spi;

/**
 * Finds {@link Picker}s, which choose a backend for each request.
 *
 * <p>{@link #create} is called each time the usable backends of a target change, so it should be cheap; the
 * previous picker is in {@link PickerContext#previous()} for state that must survive updates. Deploy with
 * {@code provides dev.fairway.spi.PickerProvider with ...} and {@code META-INF/services/dev.fairway.spi.PickerProvider}.
 * Users select it with {@code picker("name")} or {@code fairway.picker=name}; options are
 * {@code fairway.picker.<key>}.
 */
public interface PickerProvider extends Provider<PickerContext, Picker> {
}
