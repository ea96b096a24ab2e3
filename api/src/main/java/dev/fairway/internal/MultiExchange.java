package dev.fairway.internal;

import dev.fairway.NoBackendException;
import dev.fairway.spi.Target;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.CookieHandler;
import java.net.ProtocolException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * One caller's request, as the JDK's {@code MultiExchange}: the entry of {@code send} and {@code sendAsync}, a
 * backend picked for each hop, one {@link Exchange} per attempt, other backends tried when the request provably never
 * reached a server or may be sent again ({@link Resilience}: lost connections, retried statuses, per-try timeouts,
 * hedges, within the target's {@link RetryBudget}), redirects followed, the request's timeout kept as one deadline
 * over all of it, and the caller's future completed with a {@link FacadeResponse}.
 *
 * <p>Attempts happen in sequence (each starts from the completion of the previous one), so plain fields suffice; the
 * futures' completions publish them. The leaf's future completes into {@link #accept}, never through the attempt. A
 * hedged hop ({@link Hedge}) has attempts racing: its steps run under this object's lock instead.
 *
 * @param <T> the body type
 */
public final class MultiExchange<T> implements BiConsumer<HttpResponse<T>, Throwable> {

    private static final System.Logger LOG = System.getLogger(MultiExchange.class.getName());
    private static final int MAX_RESENDS = 10;
    private static final int MAX_STREAM_REQUEUES = 200;

    final Engine engine;
    private final Leaves leaves;
    private final HttpResponse.BodyHandler<T> handler;
    final Result<T> result;
    private final BackendImpl pinned;
    private final HttpClient.Redirect policy;
    private final CookieHandler cookies;
    /** The attempt whose leaf future is pending: one at a time. */
    private Exchange<T> exchange;
    private HttpRequest hop;
    private Target target;
    private TargetPool pool;
    private int redirects;
    /** The backends this hop already tried, once a retry was needed; {@code null} before (no allocation per request). */
    private List<BackendImpl> tried;
    private int resends;
    private int streamRequeues;
    private boolean rebuiltPool; // the hop already moved once to a pool built anew after its pool was released
    private FacadeResponse<T> previous;
    private volatile CompletableFuture<?> current;
    /**
     * The thread blocked in {@code FairwayClient.send} for this exchange while its first steps run on it, else
     * {@code null}. Only that thread's reads matter (any other thread sees {@code null} or a thread not its own), so
     * the field needs no synchronisation.
     */
    private Thread blockingCaller;
    /** Set when the blocking caller was interrupted inside the leaf's {@code send}. */
    private boolean interrupted;
    /** The request's deadline on the ticker, over every attempt, hedge and hop; {@link Long#MAX_VALUE} without one. */
    private final long deadline;
    /** This hop's attempts, the first included, counted against {@code fairway.retry.max_attempts}. */
    private int attempts;
    /** Counts hops (and pools a hop moved to), so that a send queued for an earlier one is dropped. */
    private volatile int hopNumber;
    /** This hop's retries after the request reached a server: the exponent of the next backoff. */
    private int backoffs;
    /** Whether this hop's attempts race ({@code fairway.hedge.*} configured and the request repeatable). */
    private boolean hedging;
    /** The racing attempts of this hop once hedging started, else {@code null}. */
    private volatile Hedge hedge;
    private int hedges;
    private Future<?> hedgeTimer;
    /** Status retries paid for by attempts that were dropped while others raced: kept for the one that ends last. */
    private int paidRetries;
    /** Set when the caller cancelled the request or a stage derived from it, which may find no attempt to cancel. */
    private volatile boolean cancelRequested;
    /** Whether client-side throttling let the request in (asked once, at its first hop). */
    private boolean admitted;

    private MultiExchange(Engine engine, HttpRequest request, HttpResponse.BodyHandler<T> handler, BackendImpl pinned) {
        this.engine = engine;
        this.leaves = engine.leaves();
        this.handler = handler;
        this.pinned = pinned;
        this.policy = pinned == null ? engine.config().redirect() : HttpClient.Redirect.NEVER;
        this.cookies = pinned == null ? engine.config().cookieHandler().orElse(null) : null;
        this.hop = request;
        Optional<Duration> timeout = request.timeout();
        this.deadline = timeout.isPresent() ? deadline(engine.ticker().read(), timeout.get()) : Long.MAX_VALUE;
        this.result = new Result<>(this);
    }

    private static long deadline(long now, Duration timeout) {
        long nanos = timeout.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos() : timeout.toNanos();
        return now + nanos;
    }

    // ---- entry points

    /**
     * Sends a request through the balancer, as {@code HttpClient.sendAsync}.
     *
     * @param engine  the client
     * @param request the caller's request
     * @param handler the caller's body handler
     * @param <T>     the body type
     * @return the caller's future
     * @throws IllegalArgumentException if the request URI is not an absolute http or https URI with a host
     */
    public static <T> CompletableFuture<HttpResponse<T>> sendAsync(Engine engine, HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        checkArguments(request, handler);
        return new MultiExchange<>(engine, request, handler, null).start();
    }

    /**
     * Sends a request and waits for the response on the calling thread, as {@code HttpClient.send} does: the leaf
     * is called through its own blocking {@code send} where the exchange starts on this thread (see
     * {@link #startBlocking()}).
     *
     * @param engine  the client
     * @param request the caller's request
     * @param handler the caller's body handler
     * @param <T>     the body type
     * @return the response
     * @throws IOException          the exchange's failure, mapped as {@code HttpClient.send} maps it
     * @throws InterruptedException if interrupted; the exchange is cancelled
     */
    public static <T> HttpResponse<T> send(Engine engine, HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        checkArguments(request, handler);
        if (Thread.interrupted()) {
            throw new InterruptedException(); // before the exchange exists (and is counted)
        }
        CompletableFuture<HttpResponse<T>> future = new MultiExchange<>(engine, request, handler, null).startBlocking();
        if (future.isDone() && !future.isCancelled()) {
            // Answered (or failed) on this thread: an interrupt that came after the leaf returned stays set for the
            // caller, as with HttpClient.send, and does not throw away a response whose body may still be open.
            if (future.isCompletedExceptionally()) {
                throw rethrowable(future.exceptionNow());
            }
            return future.resultNow();
        }
        return await(future);
    }

    /** Sends a request to one given backend, without redirects, cookies or retries (for health checks). */
    static <T> CompletableFuture<HttpResponse<T>> sendPinned(Engine engine, BackendImpl backend, HttpRequest request,
                                                             HttpResponse.BodyHandler<T> handler) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "responseBodyHandler");
        return new MultiExchange<>(engine, request, handler, backend).start();
    }

    /**
     * What {@code send} does with {@code sendAsync}'s future: waits, cancels it when interrupted, and rethrows a
     * failure as the JDK's {@code HttpClient.send} does.
     *
     * @param future the exchange's future
     * @param <T>    the body type
     * @return the response
     * @throws IOException          the exchange's failure
     * @throws InterruptedException if interrupted while waiting; the exchange is cancelled
     */
    public static <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> future) throws IOException, InterruptedException {
        if (Thread.interrupted()) {
            future.cancel(true);
            throw new InterruptedException();
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw rethrowable(e.getCause());
        }
    }

    /**
     * The exception {@code send} throws for a failed exchange: a new exception of the same kind with the caller's
     * stack and the original as its cause, mapped exactly as the JDK's {@code HttpClient.send} does.
     *
     * @param failure the exchange's failure
     * @return the exception to throw (runtime exceptions and errors are thrown directly)
     */
    public static IOException rethrowable(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof Error error) {
            throw error; // as it is: an Error is never an I/O failure (the JDK's send wraps it in an IOException)
        }
        String message = cause.getMessage();
        if (cause instanceof IllegalArgumentException) {
            throw new IllegalArgumentException(message, cause);
        }
        if (cause instanceof SecurityException) {
            throw new SecurityException(message, cause);
        }
        IOException copy;
        if (cause instanceof NoBackendException nb) {
            return new NoBackendException(nb.target(), nb.reason(), nb.getMessage(), nb);
        } else if (cause instanceof HttpConnectTimeoutException) {
            copy = new HttpConnectTimeoutException(message);
        } else if (cause instanceof HttpTimeoutException) {
            copy = new HttpTimeoutException(message);
        } else if (cause instanceof ConnectException) {
            copy = new ConnectException(message);
        } else if (cause instanceof SSLHandshakeException) {
            return new SSLHandshakeException(message, cause);
        } else if (cause instanceof SSLException) {
            return new SSLException(message, cause);
        } else if (cause instanceof ProtocolException) {
            copy = new ProtocolException(message);
        } else {
            return new IOException(message, cause);
        }
        copy.initCause(cause);
        return copy;
    }

    /** Checks a caller's arguments before anything is sent, as HttpClient does. */
    private static void checkArguments(HttpRequest request, HttpResponse.BodyHandler<?> handler) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "responseBodyHandler");
        Target.of(request.uri());
    }

    /** Starts the first hop. */
    private CompletableFuture<HttpResponse<T>> start() {
        if (!refusedAfterShutdown()) {
            nextHop();
        }
        return result;
    }

    /**
     * Fails a caller's request sent after {@code shutdown()}, as the JDK's client does; requests sent before it (and
     * their retries and redirects) go on. Health probes go on while their pool is open.
     *
     * @return whether the request was refused
     */
    private boolean refusedAfterShutdown() {
        if (pinned != null || !engine.isShutdown()) {
            return false;
        }
        try {
            result.completeExceptionally(Engine.closed(Target.of(hop.uri())));
        } catch (RuntimeException e) {
            result.completeExceptionally(e); // not a URI Fairway could have sent: say that instead
        }
        return true;
    }

    /**
     * Starts the first hop for a caller that blocks until the response: while the steps run on the caller's thread,
     * each leaf is called through its blocking {@code send}, which runs the exchange inline as far as the JDK can.
     * {@code sendAsync} would start the exchange on the executor and complete its future through the common pool: two
     * more thread hand-offs per request. Steps that run later on other threads (after a queue wait, say) send
     * asynchronously as usual.
     *
     * @return the caller's future, usually complete already
     * @throws InterruptedException if the caller was interrupted while a leaf was sending; the exchange is cancelled
     */
    private CompletableFuture<HttpResponse<T>> startBlocking() throws InterruptedException {
        if (refusedAfterShutdown()) {
            return result;
        }
        blockingCaller = Thread.currentThread();
        try {
            nextHop();
        } finally {
            blockingCaller = null;
        }
        if (interrupted) {
            result.cancel(true);
            throw new InterruptedException();
        }
        return result;
    }

    private void nextHop() {
        if (result.isDone()) {
            return;
        }
        BackendImpl backend;
        try {
            target = Target.of(hop.uri());
            pool = pinned != null ? pinned.pool : engine.pool(target);
            pool.touch();
            attempts = 1;
            hopNumber++;
            backoffs = 0;
            hedges = 0;
            hedge = null;
            hedging = pinned == null && pool.hedgeDelay != null && policy().repeatable(hop);
            if (!admitted && pinned == null) {
                admitted = true;
                if (pool.throttle != null && pool.throttle.reject(pool.now(), ThreadLocalRandom.current().nextDouble())) {
                    throttled();
                    return;
                }
            }
            backend = pinned != null ? pinned : pool.pick(hop);
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        if (backend != null) {
            send(backend);
        } else if (pool.settled().isDone()) {
            failNoBackend(false);
        } else {
            awaitFirstResolution();
        }
    }

    private void awaitFirstResolution() {
        Duration wait = resolutionWait();
        CompletableFuture<Boolean> woken = new CompletableFuture<>();
        Future<?> timer = engine.scheduler().schedule(() -> woken.complete(false), wait);
        pool.settled().whenComplete((v, e) -> woken.complete(true));
        current = woken;
        // Woken on the scheduler's or the resolver's thread: the hop goes on on the executor, where the caller's
        // future may complete.
        woken.whenComplete((settled, e) -> {
            timer.cancel(false);
            engine.run(() -> afterFirstResolution(settled));
        });
    }

    private void afterFirstResolution(boolean settled) {
        if (result.isDone()) {
            return;
        }
        try {
            BackendImpl backend = pool.pick(hop);
            if (backend != null) {
                send(backend);
            } else {
                failNoBackend(!settled);
            }
        } catch (Throwable t) {
            engine.failAsync(result, t);
        }
    }

    private Duration resolutionWait() {
        return resolutionWait(remaining());
    }

    /** The wait for the first resolution under {@code timeout}: it, or resolveTimeout when that is shorter. */
    private Duration resolutionWait(Optional<Duration> timeout) {
        Duration resolveTimeout = engine.config().resolveTimeout();
        return timeout.filter(t -> t.compareTo(resolveTimeout) < 0).orElse(resolveTimeout);
    }

    /** The time left to the request's deadline (at least 1 ms), or empty when it has none. */
    private Optional<Duration> remaining() {
        if (deadline == Long.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(1_000_000L, deadline - engine.ticker().read())));
    }

    /** Nanoseconds left to the deadline at {@code now}; {@link Long#MAX_VALUE} without one (the ticker may be negative). */
    private long left(long now) {
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - now;
    }

    /** This hop's retry, hedging and throttling rules: its target's. */
    private Resilience policy() {
        return pool.settings().resilience();
    }

    /** Client-side throttling rejected the request before any backend was picked. */
    private void throttled() {
        long now = pool.now();
        NoBackendException e = new NoBackendException(target, NoBackendException.Reason.THROTTLED, "request to " + target
                + " rejected by client-side throttling: its backends have been refusing (429, 503) or failing requests,"
                + " so this client now rejects " + Math.round(pool.throttle.probability(now) * 100) + " % of them itself"
                + " (fairway.throttle.k = " + policy().throttleK() + ", over " + policy().throttleWindow().toSeconds() + " s)", null);
        engine.noBackend(e);
        engine.failAsync(result, e);
    }

    private void failNoBackend(boolean timedOut) {
        if (toRebuiltPool()) {
            return; // the released pool's view says "shut down", which is not true of the client
        }
        NoBackendException e = timedOut
                ? new NoBackendException(target, NoBackendException.Reason.NOT_RESOLVED_YET, "no backend for " + target
                        + ": resolver '" + pool.settings().resolver().provider().name() + "' has not answered within "
                        + resolutionWait(hop.timeout()).toMillis() + " ms; check the host name and the resolver, or raise the request timeout", null)
                : pool.noBackend();
        engine.noBackend(e);
        engine.failAsync(result, e);
    }

    /** Sends to {@code backend} once it has a free place under its concurrency limit, queueing briefly if not. */
    private void send(BackendImpl backend) {
        // A health probe takes no place under the traffic's limit and never queues behind it: a backend that is busy
        // but answers its health endpoint at once must stay healthy.
        if (pinned != null || backend.tryAcquire()) {
            sendAcquired(backend);
        } else {
            int queuedOn = hopNumber;
            if (!backend.enqueue(() -> sendQueued(backend, queuedOn), queueWait(), () -> saturated(backend, queuedOn))) {
                queueFull(backend);
            }
        }
    }

    /** The backend's queue is full: another backend, or at once a {@link NoBackendException} that says so. */
    private void queueFull(BackendImpl backend) {
        NoBackendException e = new NoBackendException(target, NoBackendException.Reason.SATURATED, "backend "
                + backend.address().authority() + " of " + target + " is saturated: " + backend.inFlight()
                + " requests in flight (limit " + backend.limit() + ") and " + backend.maxQueued()
                + " waiting, the most fairway.max_queued allows; raise maxConcurrencyPerBackend or maxQueuedPerBackend,"
                + " or add backends", null);
        if (!result.isDone() && retryElsewhere(backend, e, false)) {
            return;
        }
        engine.noBackend(e);
        engine.failAsync(result, e);
    }

    /** Gives back the place {@link #send} took, when no attempt has it yet: none for a health probe. */
    private void releasePlace(BackendImpl backend) {
        if (pinned == null) {
            backend.release();
        }
    }

    private Duration queueWait() {
        return remaining().orElse(engine.config().queueTimeout());
    }

    /**
     * A place freed up after the request queued: sends it (under the lock, as a hedged hop's steps run), unless
     * the hop it queued for is over.
     */
    private synchronized void sendQueued(BackendImpl backend, int queuedOnHop) {
        if (queuedOnHop != hopNumber) {
            releasePlace(backend);
            return;
        }
        sendAcquired(backend);
    }

    /** No place freed up on {@code backend} in time: another backend, once, or a clear error. */
    private synchronized void saturated(BackendImpl backend, int queuedOnHop) {
        if (queuedOnHop != hopNumber) {
            return;
        }
        IOException e = new IOException("backend " + backend.address().authority() + " of " + target + " is saturated: "
                + backend.inFlight() + " requests in flight (limit " + backend.limit() + ") and this request waited "
                + queueWait().toMillis() + " ms; raise maxConcurrencyPerBackend or the request timeout, or add backends");
        try {
            if (!result.isDone() && retryElsewhere(backend, e, false)) {
                return;
            }
            engine.failAsync(result, e);
        } catch (Throwable t) {
            engine.failAsync(result, t);
        }
    }

    private void sendAcquired(BackendImpl backend) {
        if (result.isDone() || cancelRequested) {
            releasePlace(backend); // a cancel that found nothing to cancel (queued, backing off) ends the request here
            if (!result.isDone()) {
                result.completeExceptionally(new CancellationException("cancelled"));
            }
            return;
        }
        long now = engine.ticker().read();
        if (now >= deadline) {
            releasePlace(backend); // queued or backed off past the deadline: the caller's timeout, as the JDK words it
            engine.failAsync(result, new HttpTimeoutException("request timed out"));
            return;
        }
        Exchange<T> attempt;
        HttpRequest leafRequest;
        Resilience rules = policy();
        // Hedges still to come are counted as if sent (they may be, while this attempt waits), so that a retry
        // decided for this attempt never makes the hop exceed max_attempts.
        int hedgesToCome = hedging ? rules.maxHedges() - hedges : 0;
        // A per-try timeout is a retry's trigger: only for requests that may be sent again, and only when a retry
        // could follow (attempts left, and a retry in the budget); otherwise the attempt has the time left.
        long perTry = pinned != null || rules.perTryTimeout().isZero() || attempts + hedgesToCome >= rules.maxAttempts()
                || !rules.repeatable(hop) || pool.budget.available(now) < 1 ? 0 : rules.perTryTimeout().toNanos();
        try {
            Leaves.Leaf leaf = leaves.leaf(backend, Mode.of(target, hop, engine.config().version()));
            leafRequest = Exchange.leafRequest(hop, target, leaf, cookies, attemptTimeout(now, perTry));
            attempt = new Exchange<>(leaf, hop, handler, Redirects.policy(policy, redirects), cookies, pinned != null, now);
        } catch (IOException | RuntimeException e) {
            releasePlace(backend);
            if (hedge != null && hedge.racing() > 0) {
                remember(backend); // a hedge that could not start: the attempts racing go on, and none goes there again
                return;
            }
            failed(backend, e, SendFailure.of(e, null), true, false);
            return;
        } catch (Error e) {
            // no leaf could be built (out of threads, say): the place goes back, the caller learns why
            releasePlace(backend);
            engine.failAsync(result, e);
            return;
        }
        exchange = attempt;
        attempt.perTryLimited = perTry > 0 && perTry < left(now);
        if (pinned == null && !rules.statuses().isEmpty() && attempts + hedgesToCome < rules.maxAttempts() && rules.repeatable(hop)) {
            attempt.retryOn = rules;
            attempt.deadline = deadline;
        }
        if (hedging) {
            sendRacing(attempt, leafRequest, now);
            return;
        }
        if (blockingCaller == Thread.currentThread()) {
            sendBlocking(attempt, leafRequest);
            return;
        }
        CompletableFuture<HttpResponse<T>> future = sendAsync(attempt, leafRequest);
        if (future == null) {
            return;
        }
        current = future;
        if (result.isCancelled()) {
            future.cancel(true);
        }
        future.whenComplete(this);
    }

    /**
     * Hands the attempt to its leaf's {@code sendAsync}, counted once the leaf has accepted it (retiring the leaf now
     * lets this exchange finish).
     *
     * @return the leaf's future, or {@code null} when the leaf rejected the request before sending (the caller's
     *         future has failed with why)
     */
    private CompletableFuture<HttpResponse<T>> sendAsync(Exchange<T> attempt, HttpRequest leafRequest) {
        CompletableFuture<HttpResponse<T>> future;
        try {
            future = attempt.leaf.client().sendAsync(leafRequest, attempt);
        } catch (IOException e) {
            future = CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            attempt.release();
            if (hedge != null && hedge.racing() > 0) {
                return null; // a hedge the leaf refused: the attempts racing go on
            }
            result.completeExceptionally(e);
            return null;
        }
        attempt.leaf.counted();
        return future;
    }

    /**
     * The timeout of an attempt's leaf request: the time left to the request's deadline, or the per-try timeout when
     * shorter; {@code null} when the request's own timeout stands as it is (the first attempt, sent at once, with no
     * per-try timeout), which spares a copy of the request.
     */
    private Duration attemptTimeout(long now, long perTry) {
        if (deadline == Long.MAX_VALUE && perTry == 0) {
            return null;
        }
        long left = left(now);
        if (perTry > 0 && perTry < left) {
            return Duration.ofNanos(perTry);
        }
        Optional<Duration> own = hop.timeout();
        if (own.isPresent() && own.get().toNanos() - left < 1_000_000L) {
            return null; // less than the JDK's millisecond resolution has passed
        }
        return Duration.ofNanos(left);
    }

    /**
     * {@link #sendAcquired}'s ending for a hedged hop: the attempt races the others; the first hedge is timed when
     * the first attempt goes.
     */
    private void sendRacing(Exchange<T> attempt, HttpRequest leafRequest, long now) {
        Hedge race = hedge;
        if (race == null) {
            race = new Hedge();
            hedge = race;
            armHedge(race, now);
        }
        attempt.race = race;
        remember(attempt.leaf.backend);
        CompletableFuture<HttpResponse<T>> future = sendAsync(attempt, leafRequest);
        if (future == null) {
            return;
        }
        race.sent(attempt, future);
        if (result.isCancelled()) {
            race.cancelAll(); // cancelled before this hop's race was visible to cancelled()
        }
        future.whenComplete((response, failure) -> completedRacing(attempt, response, failure));
    }

    /** Times the next hedge of {@code race}, if the target's recent answers give a delay and the deadline has room. */
    private void armHedge(Hedge race, long now) {
        long delay = pool.hedgeDelay.delayNanos(now);
        if (delay < 0 || delay >= left(now) || hedges >= policy().maxHedges()) {
            return;
        }
        try {
            hedgeTimer = engine.scheduler().schedule(() -> engine.run(() -> hedgeNow(race)), Duration.ofNanos(delay));
        } catch (RuntimeException shuttingDown) {
            // no hedge: the attempt goes on alone
        }
    }

    /** The hedge delay passed without an answer: the request goes to another backend as well. */
    private synchronized void hedgeNow(Hedge race) {
        try {
            if (result.isDone() || race != hedge || race.winner() != null || race.racing() == 0) {
                return;
            }
            Resilience rules = policy();
            if (hedges >= rules.maxHedges() || attempts >= rules.maxAttempts() || engine.ticker().read() >= deadline) {
                return;
            }
            BackendImpl other = pool.pickOther(hop, tried);
            // a hedge never queues: a backend without a free place is no faster than the attempt already racing
            if (other == null || !other.tryAcquire()) {
                return;
            }
            if (!pool.tryRetry(true)) {
                other.release();
                return;
            }
            hedges++;
            attempts++;
            LOG.log(System.Logger.Level.DEBUG, () -> hop.method() + " " + hop.uri() + " hedged to " + other.address().authority());
            sendAcquired(other);
            armHedge(race, engine.ticker().read());
        } catch (Throwable t) {
            engine.failAsync(result, t);
        }
    }

    /**
     * A racing attempt's leaf future completed. The decision is made under the lock; the winner, which claimed the
     * hop and is alone in it from then on, goes on outside it, so that the caller's callbacks never run under it.
     */
    private void completedRacing(Exchange<T> attempt, HttpResponse<T> response, Throwable failure) {
        try {
            synchronized (this) {
                Hedge race = attempt.race;
                race.ended(attempt);
                Throwable cause = failure == null ? null : unwrap(failure);
                Exchange<?> winner = race.winner(); // read once: a claim may land at any time
                if (race != hedge || attempt.lost || (winner != null && winner != attempt)) {
                    // Lost the race (or its hop is over): nothing more for this request.
                    attempt.release();
                    if (cause != null && !(cause instanceof CancellationException) && !attempt.lost) {
                        // it failed on its own before it was cancelled: that is news about the backend
                        SendFailure outcome = account(attempt, explain(attempt, cause));
                        if (outcome == SendFailure.NOT_SENT_REFUSED) {
                            pool.refused(attempt.leaf.backend, cause);
                        }
                    } else if (!attempt.responded) {
                        attempt.report(TargetPool.CANCELLED); // cancelled by us: its picker hears how long it waited
                    }
                    return;
                }
                if (cause instanceof CancellationException || result.isCancelled()) {
                    // The caller gave up (its future or a stage derived from it): nothing the backend did.
                    attempt.release();
                    if (race.racing() == 0 && !result.isDone()) {
                        result.completeExceptionally(cause != null ? cause : new CancellationException());
                    }
                    return;
                }
                if (winner == null) {
                    if (race.racing() > 0 && (failure != null || attempt.retryStatus != 0)) {
                        // Other attempts still race: this one's failure is counted, and the request waits for them.
                        attempt.release();
                        if (failure != null) {
                            account(attempt, explain(attempt, cause));
                        } else if (attempt.retryPaid) {
                            paidRetries++; // the retry it paid for is kept for whichever attempt ends last
                        }
                        return;
                    }
                    complete(attempt, response, failure); // the last attempt standing, failed: retried or failed
                    return;
                }
            }
            complete(attempt, response, failure); // the winner
        } catch (Throwable t) {
            attempt.abort();
            engine.failAsync(result, t);
        }
    }

    /**
     * {@link #sendAcquired}'s ending for a blocking caller on its own thread: the leaf's {@code send} instead of
     * {@code sendAsync}, its outcome handled exactly as the future's would be.
     */
    private void sendBlocking(Exchange<T> attempt, HttpRequest leafRequest) {
        current = null;
        // Counted before the leaf has the exchange (send returns only at the end): a retirement this triggers creates
        // a successor and leaves the current leaf serving, so this exchange is not lost either way.
        attempt.leaf.counted();
        HttpResponse<T> response;
        try {
            response = attempt.leaf.client().send(leafRequest, attempt);
        } catch (Throwable e) {
            // A retry or resend goes asynchronously: the caller's stack does not grow with each attempt.
            blockingCaller = null;
            if (e instanceof InterruptedException) {
                // The JDK cancelled its exchange; account for it as a cancelled future would, then let the caller throw.
                interrupted = true;
                completed(attempt, null, new CancellationException("interrupted"));
            } else if (e instanceof RuntimeException && e.getCause() == null) {
                // Rejected before sending, as sendAsync throws (the JDK's send rethrows a failed exchange's
                // IllegalArgumentException or SecurityException as a new one with the original as cause): not the
                // backend's fault.
                attempt.release();
                result.completeExceptionally(e);
            } else {
                // IOException as the future's failure would be; anything else (an Error on the caller's stack, where
                // the JDK connects inline) is never retried, but releases the place and fails the exchange.
                completed(attempt, null, e);
            }
            return;
        }
        completed(attempt, response, null);
    }

    /** The leaf's future of the pending attempt completed. */
    @Override
    public void accept(HttpResponse<T> response, Throwable failure) {
        completed(exchange, response, failure);
    }

    private void completed(Exchange<T> attempt, HttpResponse<T> response, Throwable failure) {
        try {
            complete(attempt, response, failure);
        } catch (Throwable t) {
            // Nothing may escape: the leaf's future is not observed, so the caller would wait forever.
            attempt.abort();
            engine.failAsync(result, t);
        }
    }

    private void complete(Exchange<T> attempt, HttpResponse<T> response, Throwable failure) {
        if (failure != null) {
            Throwable cause = unwrap(failure);
            if (result.isCancelled() || interrupted || cause instanceof CancellationException) {
                // The caller gave up (cancelled the future, or was interrupted in send): nothing the backend did.
                // Neither the picker, passive outlier detection nor the failure count hears of it.
                attempt.release();
                if (!result.isDone() && !interrupted) {
                    result.completeExceptionally(cause); // cancelled by something else: the caller still learns
                }
                return;
            }
            cause = explain(attempt, cause);
            SendFailure outcome = account(attempt, cause);
            failed(attempt, cause, outcome);
            return;
        }
        if (attempt.direct) {
            attempt.bodyCompleted(); // an unwrapped subscriber: its body ended with the exchange
        }
        if (attempt.retryStatus != 0) {
            attempt.release(); // its body was discarded (Exchange.apply): the budget allowed a retry
            retryAfterStatus(attempt);
            return;
        }
        if (hedgeTimer != null) {
            hedgeTimer.cancel(false);
        }
        if (attempt.redirectTo != null) {
            previous = new FacadeResponse<>(response, hop, previous, attempt.leaf.backend.address(), false);
            hop = Redirects.next(hop, attempt.redirectTo, response.statusCode());
            redirects++;
            tried = null;
            nextHop();
            return;
        }
        FacadeResponse<T> facade = new FacadeResponse<>(response, hop, previous, attempt.leaf.backend.address(), true);
        if (!result.complete(facade)) {
            attempt.abort(); // the caller cancelled or gave up meanwhile: nobody will read the body
        }
    }

    /** The failure as the caller reads it: which leaf, and whether the headers had arrived. */
    private static Throwable explain(Exchange<?> attempt, Throwable cause) {
        if (attempt.direct) {
            return attempt.leaf.explain(cause, "this body was still streaming"); // the headers had arrived
        } else if (!attempt.responded) {
            return attempt.leaf.explain(cause, "the response headers had not arrived");
        }
        return cause; // a wrapped subscriber's body failed, explained where it failed (Exchange.onError)
    }

    /** Counts a failed attempt: the picker, outlier detection and the backend's failures hear of it; its place is freed. */
    private static SendFailure account(Exchange<?> attempt, Throwable cause) {
        SendFailure outcome = SendFailure.of(cause, attempt.leaf);
        attempt.report(outcome == SendFailure.TIMED_OUT ? TargetPool.TIMED_OUT : outcome.notSent() ? TargetPool.NOT_SENT : -1);
        attempt.release();
        if (!attempt.probe() && outcome != SendFailure.TIMED_OUT) {
            // a failed probe is the health check's business; a timeout is the caller's (or the per-try) deadline
            attempt.leaf.backend.failures.incrementAndGet();
        }
        attempt.leaf.warmed(!outcome.notSent()); // a warming successor that could not connect is dropped
        return outcome;
    }

    /**
     * One attempt failed: moves the request (queued again on the same backend, to a successor leaf, to a rebuilt pool
     * or to another backend) when {@code failure} says that is safe, else fails the caller's future.
     */
    private void failed(Exchange<T> attempt, Throwable cause, SendFailure failure) {
        failed(attempt.leaf.backend, cause, failure, !attempt.responded, attempt.perTryLimited);
    }

    private void failed(BackendImpl backend, Throwable cause, SendFailure failure, boolean beforeResponse, boolean perTryLimited) {
        if (failure == SendFailure.NOT_SENT_REFUSED && pinned == null) {
            pool.refused(backend, cause); // out of rotation; the resolver may know that this address is gone
        }
        if (engine.poolsClosed() && failure.notSent() && !(cause instanceof NoBackendException)) {
            result.completeExceptionally(Engine.closed(target)); // raced with shutdown(): say so, as for any new request
            return;
        }
        if (failure == SendFailure.STREAM_LIMIT && streamRequeues < MAX_STREAM_REQUEUES) {
            // The JDK refused to open another HTTP/2 stream before sending anything: learn the server's limit, queue.
            streamRequeues++;
            backend.lowerLimit();
            send(backend);
            return;
        }
        if (failure == SendFailure.NOT_SENT_LEAF_CLOSED && resends < MAX_RESENDS) {
            // The leaf was retired (age, request budget) between the pick and the send: its successor takes the
            // request, without spending the retry that protects against unreachable backends.
            resends++;
            send(backend);
            return;
        }
        // A stream the server did not process may have taken part of a body that cannot be produced again.
        boolean notSent = failure.notSent() && (failure != SendFailure.NOT_SENT_UNPROCESSED || Resilience.Bodies.replayable(hop));
        if (notSent && toRebuiltPool()) {
            return;
        }
        boolean sentAgain = beforeResponse && pinned == null && (failure == SendFailure.CONNECTION_LOST
                || (failure == SendFailure.TIMED_OUT && perTryLimited)) && policy().repeatable(hop);
        if (!result.isDone() && (notSent || sentAgain) && retryElsewhere(backend, cause, sentAgain)) {
            return;
        }
        result.completeExceptionally(failure == SendFailure.NOT_SENT_REFUSED ? refused(backend, cause) : cause);
    }

    /**
     * The caller's error when no backend tried accepted a connection: of the same type as the last refusal (the JDK's
     * often has no message at all), naming the target and every address tried, with the last refusal as its cause.
     */
    private IOException refused(BackendImpl last, Throwable cause) {
        Set<String> addresses = new LinkedHashSet<>(); // copies of one virtual IP: named once
        if (tried != null) {
            tried.forEach(b -> addresses.add(b.address().authority()));
        }
        addresses.add(last.address().authority());
        String message = "no backend of " + target + " accepted a connection; tried " + String.join(", ", addresses)
                + " (the last: " + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName()) + ")";
        IOException named = cause instanceof HttpConnectTimeoutException ? new HttpConnectTimeoutException(message)
                : new ConnectException(message);
        named.initCause(cause);
        return named;
    }

    /**
     * The one home of "the pool was released under this hop": released (idle, unresolvable, least recently used)
     * between the hop's look-up and its pick, send or failure, the hop goes once to the pool built anew.
     *
     * @return {@code true} when the hop went to the new pool
     */
    private boolean toRebuiltPool() {
        if (pinned != null || rebuiltPool || !pool.isEvicted() || engine.poolsClosed()) {
            return false;
        }
        rebuiltPool = true;
        tried = null;
        nextHop();
        return true;
    }

    /** Notes that this hop tried {@code backend}, so that no retry or hedge goes there again. */
    private void remember(BackendImpl backend) {
        if (tried == null) {
            tried = new ArrayList<>(4);
        }
        if (!tried.contains(backend)) {
            tried.add(backend);
        }
    }

    /**
     * Retries this hop on a backend it has not tried yet, within {@code fairway.retry.max_attempts} and the deadline:
     * at once when the request never reached a server (refused, or it found the backend's queue full or waited there
     * in vain), which adds no load and so asks no budget (as gRPC's transparent retries); after a backoff and within
     * the target's retry budget when it may have ({@code reached}).
     *
     * @return {@code true} when a retry is under way; {@code false} when the caller should fail the hop
     */
    private boolean retryElsewhere(BackendImpl backend, Throwable cause, boolean reached) {
        if (pinned != null) {
            return false;
        }
        remember(backend);
        if (attempts >= policy().maxAttempts() || engine.ticker().read() >= deadline) {
            return false;
        }
        BackendImpl other = pool.pickOther(hop, tried);
        if (other == null && reached) {
            other = pool.pick(hop); // every backend was tried: any may take the request again, within the attempts
        }
        if (other == null || (reached && !pool.tryRetry(false))) {
            return false;
        }
        attempts++;
        BackendImpl next = other;
        LOG.log(System.Logger.Level.DEBUG, () -> hop.method() + " " + hop.uri() + (reached ? " failed on " : " never reached ")
                + backend.address().authority() + " (" + cause + "); trying " + next.address().authority());
        if (reached) {
            sendAfterBackoff(next);
        } else {
            send(next);
        }
        return true;
    }

    /**
     * The response's status is one to retry and the budget allowed it ({@link Exchange#apply}): the request goes
     * to another backend after a backoff, or to the same one when there is no other.
     */
    private void retryAfterStatus(Exchange<T> attempt) {
        BackendImpl backend = attempt.leaf.backend;
        if (!attempt.retryPaid && paidRetries > 0) {
            paidRetries--;
        } else if (!attempt.retryPaid && !pool.tryRetry(false)) {
            // Discarded while other attempts raced, which have ended since, and the budget is dry now: the answer
            // is gone, so the caller learns what it was.
            result.completeExceptionally(new IOException("backend " + backend.address().authority() + " of " + target
                    + " answered " + attempt.retryStatus + " and the retry budget of the target allows no retry"));
            return;
        }
        remember(backend);
        BackendImpl other = pool.pickOther(hop, tried);
        if (other == null) {
            other = pool.pick(hop); // every backend was tried: any may take the request again, within the attempts
        }
        attempts++;
        BackendImpl next = other != null ? other : backend;
        LOG.log(System.Logger.Level.DEBUG, () -> hop.method() + " " + hop.uri() + " answered " + attempt.retryStatus
                + " on " + backend.address().authority() + "; trying " + next.address().authority());
        sendAfterBackoff(next);
    }

    /** Sends to {@code backend} after the backoff's random wait, on the executor. */
    private void sendAfterBackoff(BackendImpl backend) {
        long wait = Math.min(policy().backoffNanos(++backoffs, ThreadLocalRandom.current().nextDouble()),
                left(engine.ticker().read()) / 2); // never the whole time left
        if (wait <= 0) {
            send(backend);
            return;
        }
        try {
            engine.scheduler().schedule(() -> engine.run(() -> resend(backend)), Duration.ofNanos(wait));
        } catch (RuntimeException shuttingDown) {
            send(backend);
        }
    }

    /** A retry after its backoff. */
    private synchronized void resend(BackendImpl backend) {
        try {
            send(backend);
        } catch (Throwable t) {
            engine.failAsync(result, t);
        }
    }

    void cancelled() {
        cancelRequested = true;
        Hedge race = hedge;
        if (race != null) {
            race.cancelAll();
        }
        CompletableFuture<?> c = current;
        if (c != null) {
            c.cancel(true);
        }
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * The caller's future: cancelling it aborts the exchange in flight. The engine counts the exchange as ended just
     * before the future completes, so that a caller's callback may close the client without waiting for itself.
     */
    static final class Result<T> extends CompletableFuture<HttpResponse<T>> {
        private final MultiExchange<T> exchange;
        private final AtomicBoolean ended = new AtomicBoolean();

        Result(MultiExchange<T> exchange) {
            this.exchange = exchange;
            exchange.engine.exchangeStarted();
        }

        /**
         * Whether this call ends the exchange; then the engine counts it as completing on this thread until
         * {@link #ended()}, so that termination waits for the future to be complete, while a callback of this very
         * future may still close the client without waiting for itself.
         */
        private boolean ending() {
            if (ended.compareAndSet(false, true)) {
                exchange.engine.completingHere(1);
                return true;
            }
            return false;
        }

        private void ended() {
            exchange.engine.completingHere(-1);
            exchange.engine.exchangeEnded();
        }

        @Override
        public boolean complete(HttpResponse<T> value) {
            boolean ending = ending();
            try {
                return super.complete(value);
            } finally {
                if (ending) {
                    ended();
                }
            }
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            boolean ending = ending();
            try {
                return super.completeExceptionally(ex);
            } finally {
                if (ending) {
                    ended();
                }
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean ending = ending();
            try {
                boolean cancelled = super.cancel(mayInterruptIfRunning);
                exchange.cancelled();
                return cancelled;
            } finally {
                if (ending) {
                    ended();
                }
            }
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new Derived<>(exchange);
        }
    }

    /** A stage derived from the caller's future: as in the JDK, cancelling it cancels the exchange too. */
    static final class Derived<U> extends CompletableFuture<U> {
        private final MultiExchange<?> exchange;

        Derived(MultiExchange<?> exchange) {
            this.exchange = exchange;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                exchange.cancelled();
            }
            return cancelled;
        }

        @Override
        public <V> CompletableFuture<V> newIncompleteFuture() {
            return new Derived<>(exchange);
        }
    }
}
