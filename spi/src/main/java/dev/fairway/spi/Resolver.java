package dev.fairway.spi;

import java.io.IOException;
import java.util.List;

/**
 * Watches one target's host name and publishes its addresses.
 *
 * <p>Fairway creates one resolver per {@link Target} and calls {@link #start} once. The resolver then publishes
 * the full current address set through {@link Listener#onAddresses} whenever it has one (at least after each
 * successful resolution; publishing an unchanged set is harmless), and {@link Listener#onError} when a
 * resolution fails. It must not block the caller of {@link #start} or {@link #refresh}: blocking look-ups run
 * on {@link ResolverContext#executor()}, timers on {@link ResolverContext#scheduler()}.
 *
 * <p>Implementations must be thread-safe. Listener calls must not overlap (call it from one task at a time).
 * Methods other than {@link #start} may be called before {@code start} returns. None may throw.
 */
public interface Resolver extends AutoCloseable {

    /**
     * Starts resolving and publishing to {@code listener}; called once.
     *
     * @param listener where results go
     */
    void start(Listener listener);

    /**
     * Asks for a fresh resolution soon, for example because connections to several backends failed. A
     * resolver may rate-limit these requests; the default does nothing.
     */
    default void refresh() {
    }

    /** Stops resolving, cancels timers and releases resources. Idempotent; no listener calls follow it. */
    @Override
    void close();

    /** Receives a resolver's results. Implemented by Fairway. */
    interface Listener {

        /**
         * The target's complete current address set. An empty list means the name exists but has no
         * addresses; Fairway then fails requests with a no-backend error.
         *
         * @param addresses the addresses, in the order the resolver prefers
         */
        void onAddresses(List<BackendAddress> addresses);

        /**
         * A resolution failed. Fairway keeps using the last published set, if any.
         *
         * @param error what went wrong, with a message naming the host
         */
        void onError(IOException error);
    }
}
