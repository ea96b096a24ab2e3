package dev.fairway.internal;

import dev.fairway.FairwayEvent;
import dev.fairway.NoBackendException;
import dev.fairway.spi.Scheduler;
import dev.fairway.spi.Target;
import dev.fairway.spi.Ticker;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The machinery behind one {@code FairwayClient}: its configuration, its target pools, the shared executor and
 * scheduler, leaf creation and draining, and the client's lifecycle.
 */
public final class Engine {

    private static final System.Logger LOG = System.getLogger(Engine.class.getName());
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final ClientConfig config;
    private final int number = CLIENTS.incrementAndGet();
    private final Events events;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final Scheduler scheduler;
    private final SystemScheduler ownedScheduler;
    private final Ticker ticker;
    private final ConcurrentHashMap<Target, TargetPool> pools = new ConcurrentHashMap<>();
    private final Object lifecycle = new Object();
    private final Leaves leaves;
    private boolean shutdown; // guarded by lifecycle
    private boolean poolsClosed; // after shutdown, once no caller's exchange was left; guarded by lifecycle
    private final java.util.concurrent.atomic.AtomicInteger exchanges = new java.util.concurrent.atomic.AtomicInteger(); // caller futures not yet completed
    private boolean finished; // guarded by lifecycle
    private boolean sweeping; // guarded by lifecycle
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
        this.leaves = new Leaves(config, executor, scheduler, ticker, events, number, this::leafClosed);
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
        return leaves.sslContext();
    }

    /**
     * A copy of the TLS parameters the leaves start from.
     *
     * @return the parameters
     */
    public SSLParameters sslParametersCopy() {
        return leaves.sslParametersCopy();
    }

    Leaves leaves() {
        return leaves;
    }

    /** A leaf has closed: the client may have terminated. */
    private void leafClosed() {
        synchronized (lifecycle) {
            lifecycle.notifyAll();
        }
        finishIfDone();
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
                pool = pools.computeIfAbsent(target, t -> new TargetPool(this, t, config.seed() ^ (t.hashCode() * 0x9E3779B97F4A7C15L), config.settingsFor(t)));
                // only once a pool exists: if building the first one threw, the next one starts the sweep
                first = !sweeping;
                sweeping = true;
            }
            if (first) {
                scheduleSweep();
            }
            if (pools.size() > config.maxTargets()) {
                evictLeastRecentlyUsed(pool);
            }
        }
        pool.startOnce();
        return pool;
    }

    /**
     * Keeps at most {@code fairway.max_targets} pools: releases the least recently used ones but {@code keep}, with
     * their resolvers, health checks and leaves; their exchanges still running finish on the draining leaves.
     */
    private void evictLeastRecentlyUsed(TargetPool keep) {
        int max = config.maxTargets();
        while (pools.size() > max) {
            TargetPool oldest = null;
            for (TargetPool p : pools.values()) {
                if (p != keep && (oldest == null || p.lastUsed() - oldest.lastUsed() < 0)) {
                    oldest = p;
                }
            }
            if (oldest == null) {
                return;
            }
            if (pools.remove(oldest.target, oldest)) {
                TargetPool evicted = oldest;
                evicted.evict("released: least recently used of more than " + max + " targets (fairway.max_targets)");
                LOG.log(System.Logger.Level.DEBUG, () -> evicted.target + " released: more than " + max + " targets");
            }
        }
    }

    static NoBackendException closed(Target target) {
        return new NoBackendException(target, NoBackendException.Reason.CLIENT_SHUT_DOWN,
                "closed: the FairwayClient has been shut down; no new requests to " + target, null);
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
            leaves.close();
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
        run(() -> future.completeExceptionally(failure));
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
            } else if (pool.evictIfUnresolvable()) {
                pools.remove(pool.target, pool);
                LOG.log(System.Logger.Level.DEBUG, () -> pool.target + " released: its last " + TargetPool.MAX_FAILED_UNUSED
                        + " resolutions failed and no request came since; the next request resolves it again");
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
            leaves.close();
            lifecycle.notifyAll();
        }
        pools.values().forEach(TargetPool::close); // idempotent: queued and waiting exchanges fail now
        leaves.abortAll();
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
}
