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

    /**
     * Reports how an exchange on {@code backend} went, for pickers that learn from latency (for example a peak
     * moving average). Called once per exchange when its response headers arrive or it fails, on the thread that
     * saw it, on the picker current at that moment (which may be a newer snapshot than the one that picked).
     * Must be quick, thread-safe and must not throw. The default does nothing.
     *
     * <p>An exchange the caller gave up on (its future cancelled, its thread interrupted) is not reported. One whose
     * request's own {@code timeout()} or per-try timeout ran out, and one the client abandoned itself (a hedge that
     * lost its race), is reported as a success that took {@code elapsedNanos}: no failure of the backend, but the time
     * is a true lower bound of its latency.
     *
     * @param backend      the backend that served (or failed) the exchange
     * @param elapsedNanos from sending to the response headers or the failure, by the context's ticker
     * @param success      {@code false} when the exchange failed with an exception (other than a timeout or the
     *                     client's own cancellation, above) or a 5xx status
     */
    default void completed(Backend backend, long elapsedNanos, boolean success) {
    }
}
