package dev.fairway.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.BiConsumer;

/**
 * One request sent to one backend: the body handler the leaf sees, the body subscriber that releases the backend's
 * in-flight count when the body completes, fails or is cancelled, and the completion callback. One object per
 * attempt keeps the request path to a single allocation of Fairway's own.
 *
 * @param <T> the body type
 */
final class Dispatch<T>
        implements HttpResponse.BodyHandler<T>, HttpResponse.BodySubscriber<T>, Flow.Subscription,
        BiConsumer<HttpResponse<T>, Throwable> {

    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(Dispatch.class, "released", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Exchange<T> exchange;
    final BackendImpl backend;
    final Leaf leaf;
    final HttpRequest request;
    private volatile HttpResponse.BodySubscriber<T> delegate;
    private volatile Flow.Subscription upstream;
    private volatile int released;
    private volatile boolean aborted;
    private volatile boolean reported;
    private final long startNanos;
    volatile URI redirectTo;
    /**
     * The caller's subscriber went to the leaf unwrapped (see {@link #completesWithTheExchange}): the exchange's end
     * is the body's end, and {@link Exchange} releases the load then.
     */
    volatile boolean direct;
    /** Set when the response headers arrived: a failure after that is not one "before the response". */
    volatile boolean responded;

    /**
     * The JDK's own subscribers whose body is complete when the exchange's future completes ({@code ofString},
     * {@code ofByteArray}, {@code discarding}, {@code replacing}, {@code ofByteArrayConsumer}). The JDK calls their
     * {@code getBody} inline, but any other subscriber's (such as a wrapper) through the executor: one more thread
     * hand-off per response. A JDK whose classes differ only falls back to wrapping.
     */
    private static final java.util.Set<Class<?>> COMPLETE_WITH_EXCHANGE = java.util.Set.of(
            HttpResponse.BodySubscribers.discarding().getClass(),
            HttpResponse.BodySubscribers.ofByteArray().getClass(),
            HttpResponse.BodySubscribers.ofByteArrayConsumer(bytes -> { }).getClass());

    Dispatch(Exchange<T> exchange, BackendImpl backend, Leaf leaf, HttpRequest request) {
        this.exchange = exchange;
        this.backend = backend;
        this.leaf = leaf;
        this.request = request;
        this.startNanos = backend.pool.engine.ticker().read();
        if (exchange.reportsOutcomes()) {
            backend.lastRequestSent = startNanos; // health probes are not traffic
            backend.requests.incrementAndGet(); // the place under the concurrency limit was taken before
        } else {
            backend.probes.incrementAndGet();
        }
    }

    /** Releases the backend's in-flight count, once. */
    void release() {
        if (RELEASED.compareAndSet(this, 0, 1)) {
            if (exchange.reportsOutcomes()) {
                backend.release(); // a health probe took no place (Exchange.send)
            }
        }
    }

    /**
     * Tells the picker and outlier detection how the exchange went, once: at the response headers (the status), or
     * at the failure ({@code -1}).
     */
    void report(int status) {
        if (!reported && exchange.reportsOutcomes()) {
            reported = true;
            backend.pool.completed(backend, backend.pool.engine.ticker().read() - startNanos, status);
        }
    }

    /** Abandons the body (the caller no longer wants it) and releases. */
    void abort() {
        aborted = true;
        Flow.Subscription s = upstream;
        if (s != null) {
            s.cancel();
        }
        release();
    }

    // BodyHandler: called by the leaf when the response headers arrive.
    @Override
    public HttpResponse.BodySubscriber<T> apply(HttpResponse.ResponseInfo info) {
        responded = true;
        if (leaf.replacing != null && !leaf.promoted) {
            backend.promote(leaf); // the successor reached the server: it takes over
        }
        report(info.statusCode());
        exchange.storeCookies(request, info);
        URI next = exchange.redirectTarget(request, info);
        HttpResponse.BodySubscriber<T> subscriber;
        if (next != null) {
            redirectTo = next;
            subscriber = HttpResponse.BodySubscribers.replacing(null);
        } else {
            subscriber = exchange.handler.apply(info);
        }
        delegate = subscriber;
        if (completesWithTheExchange(subscriber)) {
            direct = true;
            return subscriber;
        }
        return this;
    }

    /** Whether {@code subscriber}'s body ends when the exchange does, so that it needs no wrapper to see the end. */
    static boolean completesWithTheExchange(HttpResponse.BodySubscriber<?> subscriber) {
        return subscriber != null && COMPLETE_WITH_EXCHANGE.contains(subscriber.getClass());
    }

    /**
     * A failure, explained if it came from closing a retired leaf at the end of the drain bound the user set.
     *
     * @param throwable the failure
     * @param what      what was cut: "this body was still streaming", "the response headers had not arrived"
     * @return the explained failure, or {@code throwable}
     */
    Throwable explain(Throwable throwable, String what) {
        if (leaf.forced) {
            return new java.io.IOException("the connection to " + backend.address().authority() + " of " + backend.pool.target
                    + " was retired (" + leaf.retiredReason + ") and closed at its drain bound, fairway.lifetime.drain_grace="
                    + leaf.terms.drainGrace() + ", while " + what + " (without a drain_grace, a retired connection closes"
                    + " when its last exchange ends)", throwable);
        }
        return throwable;
    }

    // BodySubscriber
    @Override
    public CompletionStage<T> getBody() {
        return delegate.getBody();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        upstream = subscription;
        if (aborted) {
            // the caller gave up before the body started: nobody will read it
            subscription.cancel();
            release();
        }
        delegate.onSubscribe(this);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        delegate.onNext(item);
    }

    @Override
    public void onError(Throwable throwable) {
        release();
        delegate.onError(explain(throwable, "this body was still streaming"));
    }

    @Override
    public void onComplete() {
        bodyCompleted();
        delegate.onComplete();
    }

    /** The body arrived whole: a success for outlier detection, and the end of the load. */
    void bodyCompleted() {
        backend.succeeded();
        release();
    }

    // Subscription, as the caller's subscriber sees it
    @Override
    public void request(long n) {
        upstream.request(n);
    }

    @Override
    public void cancel() {
        release();
        upstream.cancel();
    }

    // Completion of the leaf's future
    @Override
    public void accept(HttpResponse<T> response, Throwable failure) {
        exchange.completed(this, response, failure);
    }
}
