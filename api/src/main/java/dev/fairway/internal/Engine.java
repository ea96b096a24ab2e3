package dev.fairway.internal;

import dev.fairway.FairwayEvent;
import dev.fairway.NoBackendException;
import dev.fairway.spi.LeafTerms;
import dev.fairway.spi.Scheduler;
import dev.fairway.spi.Target;
import dev.fairway.spi.Ticker;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The machinery behind one {@code FairwayClient}: its configuration, its target pools, the shared executor and
 * scheduler, leaf creation and draining, and the client's lifecycle.
 */
public final class Engine {

    private static final System.Logger LOG = System.getLogger(Engine.class.getName());
    private static final AtomicInteger CLIENTS = new AtomicInteger();
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final ClientConfig config;
    private final int number = CLIENTS.incrementAndGet();
    private final Events events;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final Scheduler scheduler;
    private final SystemScheduler ownedScheduler;
    private final Ticker ticker;
    private final ConcurrentHashMap<Target, TargetPool> pools = new ConcurrentHashMap<>();
    private final AtomicLong leafIds = new AtomicLong();
    private final Object lifecycle = new Object();
    private final Set<Leaf> leaves = new HashSet<>(); // open or draining; guarded by lifecycle
    private boolean shutdown; // guarded by lifecycle
    private boolean poolsClosed; // after shutdown, once no caller's exchange was left; guarded by lifecycle
    private final java.util.concurrent.atomic.AtomicInteger exchanges = new java.util.concurrent.atomic.AtomicInteger(); // caller futures not yet completed
    private boolean finished; // guarded by lifecycle
    private boolean sweeping; // guarded by lifecycle
    private volatile SSLContext sslContext;
    private final Runnable unregisterJmx;

    /**
     * Creates the engine; threads and leaves are created lazily.
     *
     * @param config the validated configuration
     */
    public Engine(ClientConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        List<dev.fairway.FairwayListener> listeners = new java.util.ArrayList<>(config.listeners());
        if (OptionalModules.available("jdk.jfr", "jdk.jfr.Event")) {
            listeners.add(new dev.fairway.internal.jfr.JfrListener());
        }
        this.events = new Events(List.copyOf(listeners));
        if (config.executor().isPresent()) {
            this.executor = config.executor().get();
            this.ownedExecutor = null;
        } else {
            // As the JDK's own default: a cached pool of daemon platform threads, here shared by every leaf. Measured
            // faster than a virtual thread per task when many leaves (each with its own selector thread) hand work
            // to one pool (docs/benchmarks.md, throughput); idle threads exit after 60 s.
            this.ownedExecutor = new java.util.concurrent.ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, java.util.concurrent.TimeUnit.SECONDS,
                    new java.util.concurrent.SynchronousQueue<>(),
                    Thread.ofPlatform().daemon().name("fairway-" + number + "-worker-", 0).factory());
            this.executor = ownedExecutor;
        }
        if (config.scheduler().isPresent()) {
            this.scheduler = config.scheduler().get();
            this.ownedScheduler = null;
        } else {
            this.ownedScheduler = new SystemScheduler();
            this.scheduler = ownedScheduler;
        }
        this.ticker = config.ticker().orElse(System::nanoTime);
        config.sslContext().ifPresent(c -> this.sslContext = c);
        this.unregisterJmx = config.jmx() && OptionalModules.available("java.management", "javax.management.MBeanServer")
                ? Jmx.register(this, number) : () -> { };
    }

    public ClientConfig config() {
        return config;
    }

    Events events() {
        return events;
    }

    Executor executor() {
        return executor;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    Ticker ticker() {
        return ticker;
    }

    /**
     * The TLS context for https leaves: the user's, or the JVM default.
     *
     * @return the context
     */
    public SSLContext sslContext() {
        SSLContext c = sslContext;
        if (c == null) {
            try {
                c = SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JVM has no default SSLContext: configure one with FairwayClient.Builder.sslContext", e);
            }
            sslContext = c;
        }
        return c;
    }

    /**
     * A copy of the TLS parameters the leaves start from.
     *
     * @return the parameters
     */
    public SSLParameters sslParametersCopy() {
        return SslParametersCopy.of(config.sslParameters().orElseGet(() -> sslContext().getDefaultSSLParameters()));
    }

    /**
     * Sends a request through the balancer.
     *
     * @param request the caller's request
     * @param handler the caller's body handler
     * @param <T>     the body type
     * @return the caller's future
     * @throws IllegalArgumentException if the request URI is not an absolute http or https URI with a host
     */
    public <T> CompletableFuture<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        checkArguments(request, handler);
        return new Exchange<>(this, request, handler, null).start();
    }

    /** Checks a caller's arguments before anything is sent, as HttpClient does. */
    private static void checkArguments(HttpRequest request, HttpResponse.BodyHandler<?> handler) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "responseBodyHandler");
        Target.of(request.uri());
    }

    /**
     * Sends a request and waits for the response on the calling thread, as {@code HttpClient.send} does: the leaf
     * is called through its own blocking {@code send} where the exchange starts on this thread (see
     * {@link Exchange#startBlocking()}).
     *
     * @param request the caller's request
     * @param handler the caller's body handler
     * @param <T>     the body type
     * @return the response
     * @throws IOException          the exchange's failure, mapped as {@code HttpClient.send} maps it
     * @throws InterruptedException if interrupted; the exchange is cancelled
     */
    public <T> HttpResponse<T> sendBlocking(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        checkArguments(request, handler);
        if (Thread.interrupted()) {
            throw new InterruptedException(); // before the exchange exists (and is counted)
        }
        CompletableFuture<HttpResponse<T>> future = new Exchange<>(this, request, handler, null).startBlocking();
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

    /** Sends a request to one given backend, without redirects or retries (for health checks). */
    <T> CompletableFuture<HttpResponse<T>> sendPinned(BackendImpl backend, HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "responseBodyHandler");
        return new Exchange<>(this, request, handler, backend).start();
    }

    /** The pool of {@code target}, created and started on first use. */
    TargetPool pool(Target target) throws IOException {
        TargetPool pool = pools.get(target);
        if (pool == null || pool.isEvicted()) {
            boolean first;
            synchronized (lifecycle) {
                if (shutdown) {
                    throw closed(target);
                }
                if (pool != null) {
                    pools.remove(target, pool);
                }
                pool = pools.computeIfAbsent(target, t -> new TargetPool(this, t, config.seed() ^ (t.hashCode() * 0x9E3779B97F4A7C15L)));
                // only once a pool exists: if building the first one threw, the next one starts the sweep
                first = !sweeping;
                sweeping = true;
            }
            if (first) {
                scheduleSweep();
            }
        }
        pool.startOnce();
        return pool;
    }

    static NoBackendException closed(Target target) {
        return new NoBackendException(target, NoBackendException.Reason.CLIENT_SHUT_DOWN,
                "closed: the FairwayClient has been shut down; no new requests to " + target, null);
    }

    Mode modeFor(Target target, HttpRequest request) {
        HttpClient.Version version = request.version().orElse(config.version());
        return !target.secure() && version == HttpClient.Version.HTTP_1_1 ? Mode.PROXY : Mode.DIRECT;
    }

    /** The request a leaf sends: the caller's, re-addressed to the backend in direct mode, with cookies added. */
    HttpRequest leafRequest(HttpRequest hop, Target target, BackendImpl backend, Mode mode) throws IOException {
        Map<String, List<String>> cookies = Map.of();
        if (config.cookieHandler().isPresent()) {
            cookies = config.cookieHandler().get().get(hop.uri(), hop.headers().map());
        }
        boolean addCookies = Exchange.hasCookies(cookies);
        if (mode == Mode.PROXY && !addCookies) {
            return hop; // the URI stays logical: the leaf's proxy is the backend
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(hop, (name, value) -> true);
        if (mode == Mode.DIRECT) {
            URI uri = hop.uri();
            String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
            String rawQuery = uri.getRawQuery();
            builder.uri(URI.create(target.scheme() + "://" + backend.address().authority() + rawPath + (rawQuery == null ? "" : "?" + rawQuery)));
            if (target.secure() && request11(hop) && HostHeader.ALLOWED) {
                builder.setHeader("Host", uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
            }
        }
        if (addCookies) {
            Exchange.addCookies(builder, cookies);
        }
        return builder.build();
    }

    private boolean request11(HttpRequest request) {
        return request.version().orElse(config.version()) == HttpClient.Version.HTTP_1_1;
    }

    /** Creates a leaf for a backend (a successor when {@code replacing} is given); fails once the client is shut down. */
    Leaf createLeaf(BackendImpl backend, Mode mode, Leaf.Replacing replacing) throws IOException {
        Target target = backend.pool.target;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(config.version());
        config.connectTimeout().ifPresent(builder::connectTimeout);
        config.authenticator().ifPresent(builder::authenticator);
        config.localAddress().ifPresent(builder::localAddress);
        if (config.priority() > 0) {
            builder.priority(config.priority());
        }
        if (target.secure()) {
            builder.sslContext(new LogicalSslContext(sslContext(), target.host()));
            builder.sslParameters(leafSslParameters(target));
        }
        if (mode == Mode.PROXY) {
            builder.proxy(ProxySelector.of(backend.address().socketAddress()));
        }
        LeafTerms terms = backend.pool.lifetime.termsFor(backend.address());
        Leaf leaf;
        synchronized (lifecycle) {
            if (poolsClosed) {
                throw closed(target);
            }
            leaf = new Leaf(leafIds.incrementAndGet(), backend, mode, config.leafFactory().apply(builder), terms, ticker.read(), replacing);
            leaves.add(leaf);
        }
        events.emit(new FairwayEvent.LeafCreated(target, backend.address(), leaf.id));
        if (terms.hasMaxAge()) {
            try {
                leaf.ageTimer = scheduler.schedule(() -> backend.recycle(leaf, "age"), terms.maxAge());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not schedule the age limit of " + leaf + "; it will not be recycled for age", e);
            }
        }
        return leaf;
    }

    private SSLParameters leafSslParameters(Target target) {
        SSLParameters parameters = sslParametersCopy();
        String host = target.host();
        if (!IPV4.matcher(host).matches() && host.indexOf(':') < 0) {
            try {
                parameters.setServerNames(List.of(new SNIHostName(host)));
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "no SNI for " + host + ": " + e.getMessage());
            }
        }
        return parameters;
    }

    /**
     * Retires a leaf: no new requests; it closes when its last exchange ends, or at the lifetime policy's drain bound
     * when one is set (then the exchanges still running are aborted, and their callers told why).
     */
    void drain(Leaf leaf, String reason) {
        leaf.retiredReason = reason;
        leaf.retired = true;
        var timer = leaf.ageTimer;
        if (timer != null) {
            timer.cancel(false);
        }
        Target target = leaf.backend.pool.target;
        events.emit(new FairwayEvent.LeafRetired(target, leaf.backend.address(), leaf.id, reason));
        if (!reason.equals("replacement failed")) {
            leaf.backend.pool.recycles.incrementAndGet();
        }
        HttpClient client = leaf.clientWhileOpen();
        if (client == null) {
            return; // drained and closed already
        }
        client.shutdown();
        Thread.ofVirtual().name("fairway-" + number + "-drain-" + leaf.id).start(() -> {
            boolean forced = false;
            try {
                if (!awaitDrained(client, leaf.terms)) {
                    forced = true;
                    leaf.forced = true;
                    LOG.log(System.Logger.Level.DEBUG, () -> leaf + " still busy after its drain bound of " + leaf.terms.drainGrace() + "; closing it");
                    client.shutdownNow();
                    if (!client.awaitTermination(Duration.ofSeconds(30))) {
                        LOG.log(System.Logger.Level.WARNING, leaf + " did not terminate within 30 s of shutdownNow");
                    }
                }
                events.emit(new FairwayEvent.LeafClosed(target, leaf.backend.address(), leaf.id, forced));
            } catch (InterruptedException e) {
                client.shutdownNow();
                Thread.currentThread().interrupt();
            } finally {
                if (client.isTerminated()) {
                    leaf.released();
                }
                synchronized (lifecycle) {
                    leaves.remove(leaf);
                    lifecycle.notifyAll();
                }
                finishIfDone();
            }
        });
    }

    /**
     * Waits for a retired leaf's exchanges to end: within its drain grace when it has one, else for as long as they
     * last (in steps, since {@code awaitTermination} takes nanoseconds).
     *
     * @return whether the leaf terminated; {@code false} when the drain grace ran out first
     */
    private static boolean awaitDrained(HttpClient client, LeafTerms terms) throws InterruptedException {
        if (terms.hasDrainLimit()) {
            return client.awaitTermination(terms.drainGrace());
        }
        while (!client.awaitTermination(Duration.ofHours(1))) {
            // exchanges still alive: a stream, a long poll, a slow upload, or a body its caller has not read
        }
        return true;
    }

    void exchangeStarted() {
        exchanges.incrementAndGet();
    }

    /**
     * Exchanges whose caller's future is being completed on this thread: its callbacks may call {@code close()}, which
     * must not wait for the very exchange that runs them.
     */
    private final ThreadLocal<int[]> completing = ThreadLocal.withInitial(() -> new int[1]);

    void completingHere(int delta) {
        completing.get()[0] += delta;
    }

    /** Callers' exchanges not yet completed, apart from those completing on this thread. */
    private int pendingExchanges() {
        return exchanges.get() - completing.get()[0];
    }

    void exchangeEnded() {
        if (exchanges.decrementAndGet() == 0) {
            synchronized (lifecycle) {
                if (shutdown) {
                    lifecycle.notifyAll();
                }
            }
            closePoolsIfDone();
            finishIfDone();
        }
    }

    /**
     * After {@link #shutdown()}, once every exchange submitted before it has completed, closes the pools: resolvers
     * and health checks stop, leaves retire and drain. Until then they serve those exchanges (queued ones, ones waiting
     * for a first resolution, retries and redirects), as the JDK's client lets requests sent before shutdown finish.
     */
    private void closePoolsIfDone() {
        synchronized (lifecycle) {
            if (!shutdown || poolsClosed || pendingExchanges() > 0) {
                return;
            }
            poolsClosed = true;
            lifecycle.notifyAll();
        }
        pools.values().forEach(TargetPool::close);
    }

    /**
     * After {@link #shutdown()}, once no leaf is open and no caller's exchange is pending, stops the client's own
     * threads and unregisters its MXBean: a client that is shut down terminates by itself, as the JDK's does.
     */
    private void finishIfDone() {
        synchronized (lifecycle) {
            if (!poolsClosed || !leaves.isEmpty() || pendingExchanges() > 0 || finished) {
                return;
            }
        }
        finish();
    }

    /**
     * Called by the JDK's cleaner once the client's facade is unreachable: nobody can send through it any more, so it
     * shuts down; exchanges still running (their futures held elsewhere) finish, and then the client terminates.
     */
    public void abandoned() {
        LOG.log(System.Logger.Level.DEBUG, () -> "client " + number + " became unreachable without shutdown(): shutting it down");
        shutdown();
    }

    /** Whether {@link #shutdown()} was called: requests sent from then on fail. */
    boolean isShutdown() {
        synchronized (lifecycle) {
            return shutdown;
        }
    }

    /** Whether the pools have closed: after shutdown, once the exchanges sent before it ended, or at shutdownNow. */
    boolean poolsClosed() {
        synchronized (lifecycle) {
            return poolsClosed;
        }
    }

    /**
     * Completes a caller's future exceptionally on the executor rather than on the calling thread, which may be the
     * scheduler's or a resolver's: a caller's callback must never run (and block) there.
     */
    <T> void failAsync(CompletableFuture<T> future, Throwable failure) {
        try {
            executor.execute(() -> future.completeExceptionally(failure));
        } catch (RuntimeException | OutOfMemoryError rejected) { // shutting down, or no thread could be created
            future.completeExceptionally(failure);
        }
    }

    /** A successor could not be built or could not connect: try replacing its predecessor again a little later. */
    void retryRecycleLater(BackendImpl backend, Leaf.Replacing replacing) {
        Duration delay = replacing.predecessor().terms.hasMaxAge()
                ? Duration.ofMillis(Math.max(100, Math.min(5_000, replacing.predecessor().terms.maxAge().toMillis() / 10)))
                : Duration.ofSeconds(5);
        try {
            scheduler.schedule(() -> backend.recycle(replacing.predecessor(), replacing.reason()), delay);
        } catch (RuntimeException rejected) {
            // shutting down
        }
    }

    /** Runs a task on the executor, or here if the executor refuses it (shutting down, or no thread could be created). */
    void run(Runnable task) {
        try {
            executor.execute(task);
        } catch (RuntimeException | OutOfMemoryError rejected) {
            task.run();
        }
    }

    /** Releases targets unused for the idle timeout; runs periodically once a target exists. */
    private void sweepIdle() {
        long now = ticker.read();
        long idle = config.idleTimeout().toNanos();
        for (TargetPool pool : pools.values()) {
            if (now - pool.lastUsed() >= idle && pool.evictIfIdle()) {
                pools.remove(pool.target, pool);
                LOG.log(System.Logger.Level.DEBUG, () -> pool.target + " unused for " + config.idleTimeout() + ": released");
            }
        }
        scheduleSweep();
    }

    private void scheduleSweep() {
        synchronized (lifecycle) {
            if (shutdown) {
                return;
            }
        }
        Duration period = config.idleTimeout().dividedBy(4);
        if (period.compareTo(Duration.ofSeconds(1)) < 0) {
            period = Duration.ofSeconds(1).compareTo(config.idleTimeout()) > 0 ? config.idleTimeout() : Duration.ofSeconds(1);
        } else if (period.compareTo(Duration.ofMinutes(1)) > 0) {
            period = Duration.ofMinutes(1);
        }
        try {
            scheduler.schedule(this::sweepIdle, period);
        } catch (RuntimeException rejected) {
            // shutting down
        }
    }

    void noBackend(NoBackendException e) {
        events.emit(new FairwayEvent.NoBackend(e.target(), e.reason(), e.getMessage()));
    }

    /** Starts an orderly shutdown: no new requests; leaves drain. */
    public void shutdown() {
        synchronized (lifecycle) {
            if (shutdown) {
                return;
            }
            shutdown = true;
            lifecycle.notifyAll();
        }
        closePoolsIfDone();
        finishIfDone();
    }

    /** Shuts down and aborts every exchange in flight. */
    public void shutdownNow() {
        shutdown();
        synchronized (lifecycle) {
            poolsClosed = true;
            lifecycle.notifyAll();
        }
        pools.values().forEach(TargetPool::close); // idempotent: queued and waiting exchanges fail now
        List<Leaf> open;
        synchronized (lifecycle) {
            open = List.copyOf(leaves);
        }
        for (Leaf leaf : open) {
            HttpClient client = leaf.clientWhileOpen();
            if (client != null) {
                client.shutdownNow();
            }
        }
    }

    /**
     * Waits until every leaf has terminated, then stops the client's own threads.
     *
     * @param duration the longest wait
     * @return whether the client has terminated
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitTermination(Duration duration) throws InterruptedException {
        Objects.requireNonNull(duration, "duration");
        long deadline = System.nanoTime() + Math.max(0, duration.toNanos());
        synchronized (lifecycle) {
            while (!poolsClosed || !leaves.isEmpty() || pendingExchanges() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lifecycle, left);
            }
        }
        finish();
        return ownedScheduler == null || ownedScheduler.awaitTermination(Math.max(0, deadline - System.nanoTime()));
    }

    /**
     * Whether the client has shut down and every leaf and owned thread has ended.
     *
     * @return {@code true} when terminated
     */
    public boolean isTerminated() {
        synchronized (lifecycle) {
            if (!poolsClosed || !leaves.isEmpty() || pendingExchanges() > 0) {
                return false;
            }
        }
        finish();
        return ownedScheduler == null || ownedScheduler.isTerminated();
    }

    private void finish() {
        synchronized (lifecycle) {
            if (finished) {
                return;
            }
            finished = true;
        }
        unregisterJmx.run();
        if (ownedScheduler != null) {
            ownedScheduler.shutdown();
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
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
        } catch (java.util.concurrent.ExecutionException e) {
            throw rethrowable(e.getCause());
        }
    }

    /**
     * The exception {@code send} throws for a failed exchange: a new exception of the same kind with the caller's
     * stack and the original as its cause, mapped exactly as the JDK's {@code HttpClient.send} does.
     *
     * @param failure the exchange's failure
     * @return the exception to throw (runtime exceptions are thrown directly)
     */
    public static IOException rethrowable(Throwable failure) {
        Throwable cause = Exchange.unwrap(failure);
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

    /**
     * Requests in flight over every backend of every target.
     *
     * @return the count
     */
    public int inFlight() {
        int n = 0;
        for (TargetPool pool : pools.values()) {
            for (BackendImpl b : pool.backends()) {
                n += b.inFlight();
            }
        }
        return n;
    }

    /**
     * Snapshots of every target.
     *
     * @return the snapshots
     */
    public List<dev.fairway.TargetSnapshot> snapshot() {
        List<dev.fairway.TargetSnapshot> list = new java.util.ArrayList<>();
        for (TargetPool pool : pools.values()) {
            if (!pool.isEvicted()) {
                list.add(pool.snapshot());
            }
        }
        return list;
    }

    @Override
    public String toString() {
        return "client " + number + ", targets " + pools.keySet();
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
