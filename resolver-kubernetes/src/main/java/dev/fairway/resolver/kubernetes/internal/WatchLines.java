package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.spi.Ticker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * Reads a watch stream: one JSON event per line, each line at most {@code maxLineBytes} long. Records when the last
 * byte came, so that a stalled watch can be told apart, and can be cancelled from another thread.
 *
 * <p>{@link #done()} completes normally when the server ends the stream, exceptionally when the connection fails,
 * a line is too long, the handler throws, or {@link #cancel} is called.
 */
final class WatchLines implements Flow.Subscriber<List<ByteBuffer>> {

    /** Receives each complete line; runs on the HTTP client's executor, one line at a time. */
    @FunctionalInterface
    interface Handler {
        void onLine(String line) throws IOException;
    }

    private final Handler handler;
    private final int maxLineBytes;
    private final Ticker ticker;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile long lastByteAt;
    private volatile Flow.Subscription subscription;
    private byte[] line = new byte[256];
    private int length;

    WatchLines(Handler handler, int maxLineBytes, Ticker ticker) {
        this.handler = handler;
        this.maxLineBytes = maxLineBytes;
        this.ticker = ticker;
        this.lastByteAt = ticker.read();
    }

    /** When the last byte came (or the watch started), on the ticker's scale. */
    long lastByteAt() {
        return lastByteAt;
    }

    CompletableFuture<Void> done() {
        return done;
    }

    /** Ends the watch with {@code cause}; no line is handled after it. */
    void cancel(IOException cause) {
        if (done.completeExceptionally(cause)) {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (done.isDone()) {
            subscription.cancel();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        lastByteAt = ticker.read();
        try {
            for (ByteBuffer b : items) {
                while (b.hasRemaining()) {
                    byte c = b.get();
                    if (c == '\n') {
                        flushLine();
                    } else {
                        append(c);
                    }
                    if (done.isDone()) {
                        return;
                    }
                }
            }
        } catch (ApiException e) {
            cancel(e);                                     // an ERROR event: the server's status, 410 among them
            return;
        } catch (IOException | RuntimeException e) {
            cancel(new BadEvent(e));
            return;
        }
        subscription.request(1);
    }

    private void append(byte c) throws IOException {
        if (length == maxLineBytes) {
            throw new IOException("a watch event is longer than " + KubernetesOptions.PREFIX
                    + KubernetesOptions.MAX_LINE_BYTES.key() + " = " + maxLineBytes + " bytes: raise it");
        }
        if (length == line.length) {
            line = Arrays.copyOf(line, (int) Math.min(maxLineBytes, 2L * line.length));
        }
        line[length++] = c;
    }

    private void flushLine() throws IOException {
        String text = new String(line, 0, length, StandardCharsets.UTF_8);
        length = 0;
        if (line.length > 64 * 1024) {
            line = new byte[256];                          // do not keep a large buffer for the quiet times
        }
        if (!text.isBlank()) {
            handler.onLine(text);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        done.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        try {
            if (!done.isDone() && length > 0) {
                flushLine();
            }
            done.complete(null);
        } catch (ApiException e) {
            done.completeExceptionally(e);
        } catch (IOException | RuntimeException e) {
            done.completeExceptionally(new BadEvent(e));
        }
    }

    /**
     * The stream delivered an event that could not be taken (too long, not JSON, over a bound, not an EndpointSlice):
     * watching again from the same resourceVersion would get the same event, so the resolver lists again instead.
     */
    static final class BadEvent extends IOException {
        BadEvent(Exception cause) {
            super(cause.getMessage() != null ? cause.getMessage() : cause.toString(), cause);
        }
    }
}
