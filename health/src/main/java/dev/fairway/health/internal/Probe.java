package dev.fairway.health.internal;

import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * One kind of probe (an HTTP request, a Connect health call, a TCP connect), run repeatedly by
 * {@link ActiveHealthCheck}.
 */
interface Probe {

    /**
     * What the probe does, for reasons and logs: {@code "GET /healthz"}, {@code "TCP connect to 10.0.0.5:8080"}.
     *
     * @return the description
     */
    String description();

    /**
     * Starts one probe. Called on the context's executor, never while another probe of the same check runs; may
     * block for at most the probe timeout.
     *
     * @return a future that completes normally with the result, whatever happened to the backend; cancelling it
     *         abandons the probe and releases what it holds
     */
    CompletableFuture<ProbeResult> start();

    /**
     * A future of a probe result computed from {@code source}; cancelling it cancels {@code source} (for the JDK's
     * {@code HttpClient}, that aborts the exchange).
     *
     * @param source the underlying operation
     * @param result turns its value or failure into a result; should not throw, and whatever it throws, an
     *               {@link Error} such as {@link StackOverflowError} included, completes the linked future
     *               exceptionally (which {@link ActiveHealthCheck} counts as a failed probe) rather than escaping into
     *               the thread that completed {@code source}
     * @param <T>    the value type
     * @return the linked future
     */
    static <T> CompletableFuture<ProbeResult> linked(CompletableFuture<T> source, BiFunction<T, Throwable, ProbeResult> result) {
        CompletableFuture<ProbeResult> linked = new CompletableFuture<>();
        source.whenComplete((value, failure) -> {
            try {
                linked.complete(result.apply(value, failure));
            } catch (Throwable e) {  // Errors too: a hostile answer is this backend's failed probe, nobody else's problem
                linked.completeExceptionally(e);
            }
        });
        linked.whenComplete((value, failure) -> {
            if (linked.isCancelled()) {
                source.cancel(true);
            }
        });
        return linked;
    }
}
