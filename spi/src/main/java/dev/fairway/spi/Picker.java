package dev.fairway.spi;

import java.net.http.HttpRequest;

/**
 * An immutable snapshot over the usable backends of one target, choosing one per request.
 *
 * <p>Fairway builds a new picker each time the usable set changes and swaps it in atomically; a picker is
 * never created over an empty list. {@link #pick} runs on the request path of every request, concurrently from
 * any number of threads, so it must be thread-safe, must never block, lock, throw or return {@code null}, and
 * should not allocate. Per-pick state belongs in atomics; live load is read through
 * {@link Backend#inFlight()}.
 */
@FunctionalInterface
public interface Picker {

    /**
     * Chooses a backend for {@code request}.
     *
     * @param request the caller's request (its URI names the logical host)
     * @return one of the backends of {@link PickerContext#backends()}
     */
    Backend pick(HttpRequest request);
}
