package dev.fairway.internal;

import dev.fairway.spi.Target;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.CookieHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * One attempt of a request on one leaf, as the JDK's {@code Exchange} is one of a {@code MultiExchange}: the request
 * the leaf sends, the body handler the leaf sees (which runs the cookie and redirect steps at the headers), and the
 * body subscriber that releases the backend's place when the body completes, fails or is cancelled. One object per
 * attempt keeps the request path to a single allocation of Fairway's own. It calls nothing of {@link MultiExchange},
 * which reads the attempt's outcome from it when the leaf's future completes.
 *
 * @param <T> the body type
 */
final class Exchange<T>
        implements HttpResponse.BodyHandler<T>, HttpResponse.BodySubscriber<T>, Flow.Subscription {

    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(Exchange.class, "released", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Leaves.Leaf leaf;
    /** The hop's request, with its logical URI. */
    final HttpRequest request;
    private final HttpResponse.BodyHandler<T> handler;
    private final HttpClient.Redirect redirect;
    private final CookieHandler cookies;
    /** A health probe: it took no place under the limit, and its outcome teaches neither the picker nor the counts. */
    private final boolean probe;
    private volatile HttpResponse.BodySubscriber<T> delegate;
    private volatile Flow.Subscription upstream;
    private volatile int released;
    private volatile boolean aborted;
    private volatile boolean reported;
    final long startNanos;
    volatile URI redirectTo;
    /**
     * The retry rules when this attempt's response status may be retried ({@link MultiExchange} decided the request
     * may go again), else {@code null}. Set before the leaf has the attempt.
     */
    Resilience retryOn;
    /** The hedged hop this attempt races in, or {@code null}. Set before the leaf has the attempt. */
    Hedge race;
    /** The status whose response was discarded to retry the request (the budget allowed it), else 0. */
    volatile int retryStatus;
    /** The request's deadline on the ticker ({@link Long#MAX_VALUE}: none), when {@link #retryOn} is set. */
    long deadline = Long.MAX_VALUE;
    /** Whether the retry budget paid for the retry of {@link #retryStatus}. */
    volatile boolean retryPaid;
    /** Set when another attempt of the hedged hop won: this response was discarded. */
    volatile boolean lost;
    /** Whether the per-try timeout, not the request's deadline, set this attempt's timeout. */
    boolean perTryLimited;
    /**
     * The caller's subscriber went to the leaf unwrapped (see {@link #completesWithTheExchange}): the exchange's end
     * is the body's end, and {@link MultiExchange} releases the load then.
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

    /**
     * @param leaf       the leaf that sends it; its backend's place under the limit the caller took (none for a probe)
     * @param request    the hop's request, with its logical URI
     * @param handler    the caller's body handler
     * @param redirect   the hop's redirect policy ({@link Redirects#policy})
     * @param cookies    the cookie handler, or {@code null}
     * @param probe      whether it is a health probe
     * @param startNanos now, on the client's ticker
     */
    Exchange(Leaves.Leaf leaf, HttpRequest request, HttpResponse.BodyHandler<T> handler, HttpClient.Redirect redirect,
             CookieHandler cookies, boolean probe, long startNanos) {
        this.leaf = leaf;
        this.request = request;
        this.handler = handler;
        this.redirect = redirect;
        this.cookies = cookies;
        this.probe = probe;
        this.startNanos = startNanos;
        if (probe) {
            leaf.backend.probes.incrementAndGet();
        } else {
            leaf.backend.lastRequestSent = startNanos; // health probes are not traffic
            leaf.backend.requests.incrementAndGet(); // the place under the concurrency limit was taken before
        }
    }

    /**
     * The request a leaf sends: the hop's, re-addressed to the backend in {@link Mode#DIRECT}, with the cookie
     * handler's cookies added.
     *
     * @param request the hop's request, with its logical URI
     * @param target  the hop's target
     * @param leaf    the leaf that sends it
     * @param cookies the cookie handler, or {@code null}
     * @param timeout the attempt's timeout when it is not the request's own (a retry's time left, a per-try
     *                timeout), else {@code null}
     * @return the leaf's request
     * @throws IOException the cookie handler's failure
     */
    static HttpRequest leafRequest(HttpRequest request, Target target, Leaves.Leaf leaf, CookieHandler cookies,
                                   java.time.Duration timeout) throws IOException {
        Map<String, List<String>> added = cookies == null ? Map.of() : Cookies.forRequest(cookies, request);
        if (leaf.mode == Mode.PROXY && added.isEmpty() && timeout == null) {
            return request; // the URI stays logical: the leaf's proxy is the backend
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(request, (name, value) -> true);
        if (timeout != null) {
            builder.timeout(timeout);
        }
        if (leaf.mode == Mode.DIRECT) {
            URI uri = request.uri();
            String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
            String rawQuery = uri.getRawQuery();
            builder.uri(URI.create(target.scheme() + "://" + leaf.backend.address().authority() + rawPath + (rawQuery == null ? "" : "?" + rawQuery)));
            if (target.secure() && request.version().orElse(leaf.version) == HttpClient.Version.HTTP_1_1 && HostHeader.ALLOWED) {
                builder.setHeader("Host", uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
            }
        }
        if (!added.isEmpty()) {
            Cookies.add(builder, added);
        }
        return builder.build();
    }

    /** Whether it is a health probe. */
    boolean probe() {
        return probe;
    }

    /** Releases the backend's place, once. */
    void release() {
        if (RELEASED.compareAndSet(this, 0, 1)) {
            if (!probe) {
                leaf.backend.release(); // a health probe took no place (MultiExchange.send)
            }
        }
    }

    /**
     * Tells the picker and outlier detection how the exchange went, once: at the response headers (the status), at
     * the failure ({@code -1}), or at the request's own timeout ({@link TargetPool#TIMED_OUT}).
     */
    void report(int status) {
        if (!reported && !probe) {
            reported = true;
            leaf.backend.pool.completed(leaf.backend, startNanos, status);
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
        leaf.warmed(true); // a warming successor reached the server: it takes over
        int status = info.statusCode();
        report(status);
        if (race != null && race.lost(this)) {
            lost = true; // another attempt answered first
            return HttpResponse.BodySubscribers.replacing(null);
        }
        if (retryOn != null && retryOn.retryStatus(status) && timeLeft()) {
            if (race != null && race.racing() > 1 && leaf.backend.pool.budget.available(leaf.backend.pool.now()) >= 1) {
                // other attempts race: this answer is dropped, and a retry waits until they have ended (the budget
                // is asked then; if it has run dry meanwhile, the caller learns which status this was)
                retryStatus = status;
                return HttpResponse.BodySubscribers.replacing(null);
            }
            if (leaf.backend.pool.tryRetry(false)) {
                retryPaid = true;
                retryStatus = status; // MultiExchange sends the request again; nobody reads this body
                return HttpResponse.BodySubscribers.replacing(null);
            }
        }
        if (race != null && !race.claim(this)) {
            lost = true; // another attempt answered first
            return HttpResponse.BodySubscribers.replacing(null);
        }
        if (cookies != null) {
            Cookies.store(cookies, request, info);
        }
        URI next = Redirects.target(redirect, request, info);
        HttpResponse.BodySubscriber<T> subscriber;
        if (next != null) {
            redirectTo = next;
            subscriber = HttpResponse.BodySubscribers.replacing(null);
        } else {
            subscriber = handler.apply(info);
        }
        delegate = subscriber;
        if (completesWithTheExchange(subscriber)) {
            direct = true;
            return subscriber;
        }
        return this;
    }

    /** Whether a retry would still have time before the deadline (a few milliseconds at least). */
    private boolean timeLeft() {
        return deadline == Long.MAX_VALUE || deadline - leaf.backend.pool.now() > 5_000_000L;
    }

    /** Whether {@code subscriber}'s body ends when the exchange does, so that it needs no wrapper to see the end. */
    static boolean completesWithTheExchange(HttpResponse.BodySubscriber<?> subscriber) {
        return subscriber != null && COMPLETE_WITH_EXCHANGE.contains(subscriber.getClass());
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
        delegate.onError(leaf.explain(throwable, "this body was still streaming"));
    }

    @Override
    public void onComplete() {
        bodyCompleted();
        delegate.onComplete();
    }

    /** The body arrived whole: a success for outlier detection, and the end of the load. */
    void bodyCompleted() {
        leaf.backend.succeeded();
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

    /** Whether this JVM lets requests set {@code Host} ({@code -Djdk.httpclient.allowRestrictedHeaders=host}). */
    private static final class HostHeader {
        static final boolean ALLOWED = probe();

        private static boolean probe() {
            try {
                HttpRequest.newBuilder(URI.create("http://fairway.invalid/")).header("Host", "fairway.invalid");
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }
}
