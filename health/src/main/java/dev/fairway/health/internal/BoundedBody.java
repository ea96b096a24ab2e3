package dev.fairway.health.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body of at most {@code limit} bytes, so that no server can make a probe hold more.
 *
 * <ul>
 * <li>{@link #collecting(int)} keeps the bytes; a longer body fails with an {@link IOException} saying
 *     "response body longer than N bytes", and the rest is not read (the exchange is cancelled, which closes an
 *     HTTP/1.1 connection and resets an HTTP/2 stream).</li>
 * <li>{@link #discarding(int)} keeps nothing and completes with whether it was cut off: at the limit it stops
 *     reading, cancels the exchange as above and completes with {@code true}, so that the probe can still judge the
 *     status.</li>
 * </ul>
 *
 * @param <T> {@code byte[]} when collecting, {@code Boolean} when discarding
 */
final class BoundedBody<T> implements HttpResponse.BodySubscriber<T> {

    private final int limit;
    private final boolean keep;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<T> body = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private long read;

    private BoundedBody(int limit, boolean keep) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit " + limit);
        }
        this.limit = limit;
        this.keep = keep;
    }

    /**
     * A subscriber that collects the body.
     *
     * @param limit the largest accepted body, in bytes
     * @return the subscriber
     */
    static BoundedBody<byte[]> collecting(int limit) {
        return new BoundedBody<>(limit, true);
    }

    /**
     * A subscriber that reads and drops the body; its value says whether it stopped at the limit.
     *
     * @param limit the most bytes read before the exchange is cancelled
     * @return the subscriber
     */
    static BoundedBody<Boolean> discarding(int limit) {
        return new BoundedBody<>(limit, false);
    }

    @Override
    public CompletionStage<T> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public synchronized void onNext(List<ByteBuffer> items) {
        if (body.isDone()) {
            return;
        }
        for (ByteBuffer b : items) {
            if (read + b.remaining() > limit) {
                read += b.remaining();
                subscription.cancel();
                if (keep) {
                    body.completeExceptionally(new IOException("response body longer than " + limit + " bytes"));
                } else {
                    body.complete(value(Boolean.TRUE));
                }
                return;
            }
            read += b.remaining();
            if (keep) {
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            } else {
                b.position(b.limit());
            }
        }
    }

    @Override
    public void onError(Throwable throwable) {
        body.completeExceptionally(throwable);
    }

    @Override
    public synchronized void onComplete() {
        body.complete(keep ? value(bytes.toByteArray()) : value(Boolean.FALSE));
    }

    @SuppressWarnings("unchecked")
    private T value(Object v) {
        return (T) v;
    }
}
