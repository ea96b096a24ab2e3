package dev.fairway.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthState;
import dev.fairway.spi.Scheduler;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One address of a target: its live load, its health, its concurrency limit with a short queue. Its leaves are
 * {@link Leaves}' business.
 */
final class BackendImpl implements Backend {

    private static final System.Logger LOG = System.getLogger(BackendImpl.class.getName());

    final TargetPool pool;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    /** Health probes sent (pinned exchanges), counted apart from {@link #requests}. */
    final AtomicLong probes = new AtomicLong();
    /** Its leaves; only {@link Leaves} reads or changes them. */
    final Leaves.Slots leaves = new Leaves.Slots();
    private final WaitQueue queue;
    private volatile BackendAddress address;
    private volatile HealthState health = HealthState.UNKNOWN;
    private volatile long usableSince;
    private volatile int limit;
    private int successesAtLimit; // guarded by this
    volatile long lastRequestSent;
    HealthCheck healthCheck; // guarded by pool
    // passive outlier detection: counts since the last sweep, failures in a row, ejection state (guarded by pool)
    final AtomicLong intervalSuccesses = new AtomicLong();
    final AtomicLong intervalFailures = new AtomicLong();
    final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile boolean ejected;
    long ejectedUntil;
    int ejections;
    /**
     * Out of rotation because it refused a connection (or let one time out): until the resolver lists it again, at
     * most {@link TargetPool#REFUSAL_QUARANTINE}. Guarded by pool; volatile for the snapshot.
     */
    volatile boolean refused;
    /** Tells one refusal's end-of-quarantine timer from the next's; guarded by pool. */
    long refusals;

    /**
     * A request waiting for a free place under the concurrency limit. Once admitted or expired it lets go of the
     * request's continuations, so that a timer the scheduler still holds keeps nothing of the exchange reachable.
     */
    static final class Waiter {
        private final AtomicInteger state = new AtomicInteger(); // 0 waiting, 1 admitted, 2 timed out
        private Runnable admitted;
        private Runnable onTimeout;
        private volatile Future<?> timer;
        // links of the wait queue, guarded by it
        private Waiter prev;
        private Waiter next;
        private boolean linked;

        private Waiter(Runnable admitted, Runnable onTimeout) {
            this.admitted = admitted;
            this.onTimeout = onTimeout;
        }

        /** Claims the waiter for admission; on success its timer is cancelled and its continuation handed out once. */
        private Runnable admit() {
            if (!state.compareAndSet(0, 1)) {
                return null;
            }
            cancelTimer();
            Runnable r = admitted;
            admitted = null;
            onTimeout = null;
            return r;
        }

        /** Claims the waiter for expiry; on success its timeout continuation is handed out once. */
        private Runnable expire() {
            if (!state.compareAndSet(0, 2)) {
                return null;
            }
            Runnable r = onTimeout;
            admitted = null;
            onTimeout = null;
            return r;
        }

        private void cancelTimer() {
            Future<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
        }
    }

    /**
     * The requests waiting for a place, first come first served, at most {@code capacity}: a doubly linked list under
     * its own lock, so that a waiter that times out leaves it in O(1).
     */
    private static final class WaitQueue {
        private final int capacity;
        private Waiter head; // guarded by this
        private Waiter tail; // guarded by this
        private volatile int size;

        WaitQueue(int capacity) {
            this.capacity = capacity;
        }

        synchronized boolean offer(Waiter w) {
            if (size >= capacity) {
                return false;
            }
            w.prev = tail;
            if (tail == null) {
                head = w;
            } else {
                tail.next = w;
            }
            tail = w;
            w.linked = true;
            size++;
            return true;
        }

        synchronized Waiter poll() {
            Waiter w = head;
            if (w != null) {
                unlink(w);
            }
            return w;
        }

        synchronized void remove(Waiter w) {
            if (w.linked) {
                unlink(w);
            }
        }

        private void unlink(Waiter w) {
            if (w.prev == null) {
                head = w.next;
            } else {
                w.prev.next = w.next;
            }
            if (w.next == null) {
                tail = w.prev;
            } else {
                w.next.prev = w.prev;
            }
            w.prev = null;
            w.next = null;
            w.linked = false;
            size--;
        }

        boolean isEmpty() {
            return size == 0;
        }

        int size() {
            return size;
        }
    }

    private final int maxConcurrency;
    /**
     * Runs a waiter's continuation: never on the scheduler's thread or a releasing exchange's; the engine's
     * {@code run}, which runs it in place only when the executor refuses it (shut down, or out of threads).
     */
    private final Executor executor;
    private final Scheduler scheduler;

    BackendImpl(TargetPool pool, BackendAddress address, long now, int maxConcurrency, int maxQueued, Executor executor,
                Scheduler scheduler) {
        this.pool = pool;
        this.queue = new WaitQueue(maxQueued);
        this.address = address;
        this.usableSince = now;
        this.lastRequestSent = now;
        this.maxConcurrency = maxConcurrency;
        this.limit = maxConcurrency;
        this.executor = executor;
        this.scheduler = scheduler;
    }

    @Override
    public BackendAddress address() {
        return address;
    }

    void address(BackendAddress updated) {
        this.address = updated;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public long usableSince() {
        return usableSince;
    }

    @Override
    public long lastRequestSent() {
        return lastRequestSent;
    }

    @Override
    public HealthState health() {
        return health;
    }

    void health(HealthState state, long now) {
        if (this.health == HealthState.UNHEALTHY && state != HealthState.UNHEALTHY) {
            usableSince = now;
        }
        this.health = state;
    }

    int limit() {
        return limit;
    }

    boolean ejected() {
        return ejected;
    }

    /**
     * Whether it may take requests now: not draining (its resolver says it is going away, {@link BackendAddress#DRAINING}),
     * not ejected, not refusing connections, not {@code UNHEALTHY}.
     */
    boolean usable() {
        return !draining() && !ejected && !refused && health != HealthState.UNHEALTHY;
    }

    /** Whether the resolver marks it as going away: it takes no new requests, and its exchanges finish. */
    boolean draining() {
        return address.draining();
    }

    /** Ejects until {@code until} (ticker); caller holds the pool lock. */
    void eject(long until) {
        ejected = true;
        ejectedUntil = until;
        ejections++;
    }

    /** Returns to service; caller holds the pool lock. */
    void uneject(long now) {
        ejected = false;
        usableSince = now;
        consecutiveFailures.set(0);
    }

    // ---- concurrency limit

    /** Takes a place under the concurrency limit, if one is free. */
    boolean tryAcquire() {
        while (true) {
            int n = inFlight.get();
            if (n >= limit) {
                return false;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives a place back and admits the next waiter. */
    void release() {
        inFlight.decrementAndGet();
        admitWaiters();
    }

    /**
     * Queues a request until a place is free. It runs {@code admitted} on the executor when a place is free for it, or
     * {@code onTimeout} there if none frees up within {@code wait}.
     *
     * @return {@code false}, at once, when the queue is full ({@code fairway.max_queued})
     */
    boolean enqueue(Runnable admitted, Duration wait, Runnable onTimeout) {
        Waiter waiter = new Waiter(admitted, onTimeout);
        if (!queue.offer(waiter)) {
            return false;
        }
        try {
            waiter.timer = scheduler.schedule(() -> expire(waiter), wait);
            if (waiter.state.get() != 0) {
                waiter.cancelTimer(); // admitted before its timer was known
            }
        } catch (RuntimeException rejected) {
            expire(waiter); // shutting down
            return true;
        }
        admitWaiters();
        return true;
    }

    private void expire(Waiter waiter) {
        Runnable onTimeout = waiter.expire();
        if (onTimeout != null) {
            queue.remove(waiter);
            executor.execute(onTimeout);
        }
    }

    private void admitWaiters() {
        while (!queue.isEmpty()) {
            if (!tryAcquire()) {
                return;
            }
            Waiter waiter = queue.poll();
            Runnable admitted = waiter == null ? null : waiter.admit();
            if (admitted == null) {
                inFlight.decrementAndGet();
                if (waiter == null) {
                    return;
                }
                continue;
            }
            executor.execute(admitted);
        }
    }

    /** The most requests that may wait for a place. */
    int maxQueued() {
        return queue.capacity;
    }

    /**
     * The server refused a stream because too many were open ({@code too many concurrent streams}): learn its limit
     * from the exchanges still in flight, so that further requests queue instead of failing.
     */
    void lowerLimit() {
        int learned;
        synchronized (this) {
            // At least one less each time, so that a burst of refusals converges even while doomed requests are
            // still counted in flight; successes raise it again slowly (additive increase, see succeeded()).
            learned = Math.max(1, Math.min(limit - 1, inFlight.get()));
            limit = learned;
            successesAtLimit = 0;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> address.authority() + " of " + pool.target + " refused a stream; limit now "
                + learned + ", queueing beyond that");
    }

    /** An exchange succeeded: after as many successes as the limit, allow one more concurrent request. */
    void succeeded() {
        if (limit < maxConcurrency) {
            synchronized (this) {
                if (limit < maxConcurrency && ++successesAtLimit >= limit) {
                    limit++;
                    successesAtLimit = 0;
                }
            }
            admitWaiters();
        }
    }

    /**
     * The backend is gone: the requests queued for a place each take one anyway (their release gives it back), find
     * the backend's leaves retired and move on.
     */
    void removed() {
        Waiter waiter;
        while ((waiter = queue.poll()) != null) {
            Runnable admitted = waiter.admit();
            if (admitted != null) {
                inFlight.incrementAndGet();
                executor.execute(admitted);
            }
        }
    }

    int queued() {
        return queue.size();
    }

    @Override
    public String toString() {
        return address.authority() + " (" + health + ", " + inFlight + " in flight)";
    }
}
