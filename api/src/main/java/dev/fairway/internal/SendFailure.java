package dev.fairway.internal;

import dev.fairway.NoBackendException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import javax.net.ssl.SSLException;

/**
 * What the failure of one attempt (one request sent to one backend) says about that request: whether it provably never
 * reached a server, so that it may go again anywhere whatever its method, or may have been processed.
 *
 * <p>The JDK reports these cases only through exception types and message strings. Every string Fairway relies on is
 * a constant here, naming the JDK class that produces it, and {@code SendFailureTest} produces each case from the real
 * {@code HttpClient}: a JDK that words or types a failure differently fails that test instead of silently ending
 * retries. The JDK's blocking {@code send} rethrows an exchange's failure as a new exception of the same type and
 * message (the original as its cause), so a failure classifies alike from {@code send} and {@code sendAsync}.
 */
enum SendFailure {

    /**
     * The backend did not accept the connection: refused ({@link ConnectException}) or not accepted within the
     * connect timeout ({@link HttpConnectTimeoutException}). Nothing was sent; the backend leaves the rotation.
     */
    NOT_SENT_REFUSED,
    /**
     * An HTTP/2 server said it did not process the stream: a GOAWAY whose last stream id is below it, or
     * {@code RST_STREAM(REFUSED_STREAM)} (RFC 9113 §8.7). The JDK retries such a request once on a new connection;
     * this is the second refusal.
     */
    NOT_SENT_UNPROCESSED,
    /**
     * The leaf was retired and its client closed before the exchange started (a race between the pick and the send):
     * the leaf's successor takes the request.
     */
    NOT_SENT_LEAF_CLOSED,
    /**
     * The attempt failed with an {@link IOException} before any leaf had the request (the backend was removed, the
     * client shut down, the cookie handler failed).
     */
    NOT_SENT_NO_LEAF,
    /**
     * The JDK refused to open another HTTP/2 stream because the server's {@code SETTINGS_MAX_CONCURRENT_STREAMS} was
     * reached; the JDK fails instead of queueing. Nothing was sent either, but the backend is up and answering, so the
     * request waits for a free stream on it rather than moving (not {@link #notSent()}).
     */
    STREAM_LIMIT,
    /**
     * The connection was closed or reset by the server before the response (as a server that stops does to its
     * keep-alive connections): the request may have been processed, so only an idempotent one may move.
     */
    CONNECTION_LOST,
    /**
     * The request's own {@code timeout()} ran out ({@link HttpTimeoutException}, not a connect timeout): a deadline
     * the caller chose, so not the backend's failure (issue 14: hedging and tight deadlines must not eject a slow but
     * healthy backend). Not retried: the caller's time is spent.
     */
    TIMED_OUT,
    /**
     * Anything else: the caller's interruption, a TLS failure or a protocol error (which another backend
     * would most likely meet too), Fairway's own {@link NoBackendException}, or not an {@link IOException} at all.
     */
    OTHER;

    /**
     * The message of the {@link IOException} with which {@code jdk.internal.net.http.HttpClientImpl.sendAsync} fails
     * a request to a client that is shut down ({@code shutdown()}, JDK 21+). A terminated {@link Leaves.Leaf} fails with the
     * same message.
     */
    static final String CLOSED = "closed";

    /**
     * The message of the {@link IOException} with which {@code jdk.internal.net.http.Stream} fails an HTTP/2 stream
     * the server did not process: {@code closeAsUnprocessed()} after a GOAWAY, {@code handleReset} after
     * {@code RST_STREAM(REFUSED_STREAM)}.
     */
    static final String UNPROCESSED = "request not processed by peer";

    /**
     * The message of the {@link IOException} that {@code jdk.internal.net.http.Http2Connection.reserveStream} throws
     * when the server's concurrent stream limit is reached.
     */
    static final String TOO_MANY_STREAMS = "too many concurrent streams";

    /**
     * Whether the request provably never reached a server because the attempt could not start (no connection, no
     * processed stream, no open leaf), so that sending it again, to any backend and whatever its method, is safe.
     *
     * @return {@code true} for the {@code NOT_SENT_...} outcomes
     */
    boolean notSent() {
        return switch (this) {
            case NOT_SENT_REFUSED, NOT_SENT_UNPROCESSED, NOT_SENT_LEAF_CLOSED, NOT_SENT_NO_LEAF -> true;
            case STREAM_LIMIT, CONNECTION_LOST, TIMED_OUT, OTHER -> false;
        };
    }

    /**
     * Classifies the failure of one attempt.
     *
     * @param cause the failure, unwrapped from any {@code CompletionException}
     * @param leaf  the leaf that had the request, or {@code null} when the attempt failed before one had it
     * @return the outcome
     */
    static SendFailure of(Throwable cause, Leaves.Leaf leaf) {
        return of(cause, leaf != null, leaf != null && leaf.retired());
    }

    /**
     * Classifies the failure of one attempt.
     *
     * @param cause       the failure, unwrapped from any {@code CompletionException}
     * @param leafHadIt   whether a leaf had the request (its client was called)
     * @param leafRetired whether that leaf was retired
     * @return the outcome
     */
    static SendFailure of(Throwable cause, boolean leafHadIt, boolean leafRetired) {
        if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
            return NOT_SENT_REFUSED;
        }
        if (!(cause instanceof IOException)) {
            return OTHER;
        }
        if (!leafHadIt) {
            return NOT_SENT_NO_LEAF;
        }
        String message = cause.getMessage();
        if (UNPROCESSED.equals(message)) {
            return NOT_SENT_UNPROCESSED;
        }
        if (leafRetired && CLOSED.equals(message)) {
            return NOT_SENT_LEAF_CLOSED;
        }
        if (TOO_MANY_STREAMS.equals(message)) {
            return STREAM_LIMIT;
        }
        if (cause instanceof HttpTimeoutException) {
            return TIMED_OUT; // a connect timeout was caught above
        }
        if (cause instanceof InterruptedIOException || cause instanceof SSLException
                || cause instanceof ProtocolException || cause instanceof NoBackendException) {
            return OTHER;
        }
        return CONNECTION_LOST;
    }
}
