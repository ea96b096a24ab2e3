package dev.fairway;

import dev.fairway.spi.Target;

import java.io.IOException;
import java.util.Objects;

/**
 * Signals that a request could not be sent because no backend of its target could be used. Fairway raises it
 * quickly, without waiting for a connection attempt, and names the target and the reason.
 *
 * {@snippet :
 * try {
 *     client.send(request, BodyHandlers.ofString());
 * } catch (NoBackendException e) {
 *     log.warn("nothing serves " + e.target() + ": " + e.reason());
 * }
 * }
 */
public final class NoBackendException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why no backend could be used. */
    public enum Reason {
        /** The resolver has not answered within the wait allowed for the first resolution. */
        NOT_RESOLVED_YET,
        /** Resolution failed and no address was ever resolved; the cause holds the resolver's error. */
        RESOLUTION_FAILED,
        /** The resolver answered with no addresses. */
        NO_ADDRESSES,
        /** Addresses exist, but none is usable (all unhealthy or ejected). */
        NONE_USABLE,
        /** The client has been shut down. */
        CLIENT_SHUT_DOWN,
        /**
         * Every backend tried is at its concurrency limit with its queue full ({@code fairway.max_queued}): the
         * request failed at once rather than wait without bound.
         */
        SATURATED,
        /**
         * Client-side adaptive throttling ({@code fairway.throttle.k}) rejected the request locally, because the
         * target's backends have been refusing (429, 503) or failing a large share of its requests.
         */
        THROTTLED
    }

    /** The target the request was for. */
    private final transient Target target;
    /** Why no backend could be used. */
    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param target  the target the request was for
     * @param reason  why no backend could be used
     * @param message what happened and what to do
     * @param cause   the underlying error, or {@code null}
     */
    public NoBackendException(Target target, Reason reason, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.target = Objects.requireNonNull(target, "target");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * The target the request was for.
     *
     * @return the target
     */
    public Target target() {
        return target;
    }

    /**
     * Why no backend could be used.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }
}
