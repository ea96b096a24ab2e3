package dev.fairway.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthState;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One address of a target: its live load, its health, its concurrency limit with a short queue, and its leaves
 * (one current leaf per {@link Mode}, plus a successor while a recycle is warming up).
 */
final class BackendImpl implements Backend {

    private static final System.Logger LOG = System.getLogger(BackendImpl.class.getName());

    final TargetPool pool;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    /** Health probes sent (pinned exchanges), counted apart from {@link #requests}. */
    final AtomicLong probes = new AtomicLong();
    private final Slot[] slots = {new Slot(), new Slot()};
    private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
    private volatile BackendAddress address;
    private volatile HealthState health = HealthState.UNKNOWN;
    private volatile long usableSince;
    private volatile int limit;
    private int successesAtLimit; // guarded by this
    volatile long lastRequestSent;
    private boolean removed; // guarded by this
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

    /** The leaves of one mode: the one taking requests, and its warming successor. */
    private static final class Slot {
        volatile Leaf current;
        volatile Leaf successor;
    }

    /** A request waiting for a free place under the concurrency limit. */
    static final class Waiter {
        private final AtomicInteger state = new AtomicInteger(); // 0 waiting, 1 admitted, 2 timed out
        final Runnable admitted;

        Waiter(Runnable admitted) {
            this.admitted = admitted;
        }

        boolean admit() {
            return state.compareAndSet(0, 1);
        }

        boolean expire() {
            return state.compareAndSet(0, 2);
        }
    }

    BackendImpl(TargetPool pool, BackendAddress address, long now) {
        this.pool = pool;
        this.address = address;
        this.usableSince = now;
        this.lastRequestSent = now;
        this.limit = pool.engine.config().maxConcurrency();
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

    /** Whether it may take requests now: not ejected, not refusing connections, not {@code UNHEALTHY}. */
    boolean usable() {
        return !ejected && !refused && health != HealthState.UNHEALTHY;
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

    /** Queues a request until a place is free; it fails with {@code onTimeout} if none frees up in time. */
    void enqueue(Runnable admitted, Duration wait, Runnable onTimeout) {
        Waiter waiter = new Waiter(admitted);
        queue.add(waiter);
        try {
            pool.engine.scheduler().schedule(() -> {
                if (waiter.expire()) {
                    queue.remove(waiter);
                    onTimeout.run();
                }
            }, wait);
        } catch (RuntimeException rejected) {
            if (waiter.expire()) {
                queue.remove(waiter);
                onTimeout.run();
            }
            return;
        }
        admitWaiters();
    }

    private void admitWaiters() {
        while (!queue.isEmpty()) {
            if (!tryAcquire()) {
                return;
            }
            Waiter waiter = queue.poll();
            if (waiter == null || !waiter.admit()) {
                inFlight.decrementAndGet();
                if (waiter == null) {
                    return;
                }
                continue;
            }
            pool.engine.run(waiter.admitted);
        }
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
        int configured = pool.engine.config().maxConcurrency();
        if (limit < configured) {
            synchronized (this) {
                if (limit < configured && ++successesAtLimit >= limit) {
                    limit++;
                    successesAtLimit = 0;
                }
            }
            admitWaiters();
        }
    }

    // ---- leaves

    /**
     * The leaf a request of {@code mode} should use: the warming successor for the first request after a recycle
     * began (that request connects it), otherwise the current leaf, created on first use.
     */
    Leaf leaf(Mode mode) throws IOException {
        Slot slot = slots[mode.ordinal()];
        Leaf successor = slot.successor;
        if (successor != null && successor.claimProbe()) {
            return successor;
        }
        Leaf leaf = slot.current;
        if (leaf != null) {
            return leaf;
        }
        synchronized (this) {
            leaf = slot.current;
            if (leaf == null) {
                if (removed) {
                    throw new IOException("backend " + address.authority() + " of " + pool.target + " was removed");
                }
                leaf = pool.engine.createLeaf(this, mode, null);
                slot.current = leaf;
            }
            return leaf;
        }
    }

    /**
     * Starts replacing {@code leaf}: a successor is created and takes the next request; once that request has
     * reached the server the successor takes over and {@code leaf} drains. Does nothing if {@code leaf} is not
     * current or a replacement is already warming.
     */
    void recycle(Leaf leaf, String reason) {
        Slot slot = slots[leaf.mode.ordinal()];
        Leaf successor;
        synchronized (this) {
            if (!removed && slot.successor == leaf) {
                // its terms ran out while it was still warming up: replace it as soon as it has taken over
                leaf.expiredWhileWarming = reason;
                return;
            }
            if (removed || slot.current != leaf || slot.successor != null) {
                return;
            }
            try {
                successor = pool.engine.createLeaf(this, leaf.mode, new Leaf.Replacing(leaf, reason));
            } catch (IOException e) {
                return; // shutting down
            } catch (RuntimeException | OutOfMemoryError e) {
                // No successor now (out of threads or descriptors, say): the current leaf keeps serving, and the
                // replacement is tried again later. Never the caller's failure: this runs on a request's path.
                LOG.log(System.Logger.Level.WARNING, "could not build a successor for " + leaf + " (" + reason + "): " + e
                        + "; it keeps serving, and the replacement is tried again later");
                pool.engine.retryRecycleLater(this, new Leaf.Replacing(leaf, reason));
                return;
            }
            slot.successor = successor;
        }
        // Without traffic nobody warms the successor; it takes over anyway after a while, so that no connection of the
        // old leaf (a long stream, say) outlives its age by more than that and the drain grace.
        Duration wait = leaf.terms.drainGrace().compareTo(Duration.ofSeconds(10)) < 0 ? leaf.terms.drainGrace() : Duration.ofSeconds(10);
        try {
            pool.engine.scheduler().schedule(() -> {
                if (successor.claimProbe()) {
                    promote(successor);
                }
            }, wait.isZero() ? Duration.ofMillis(1) : wait);
        } catch (RuntimeException rejected) {
            // shutting down: the leaves are being drained anyway
        }
    }

    /** The successor's first exchange reached the server: it becomes current and its predecessor drains. */
    void promote(Leaf successor) {
        Slot slot = slots[successor.mode.ordinal()];
        Leaf old;
        synchronized (this) {
            if (slot.successor != successor) {
                return;
            }
            old = slot.current;
            slot.current = successor;
            slot.successor = null;
            successor.promoted = true;
            successor.replacing = null;
        }
        if (old != null) {
            pool.engine.drain(old, successor.replacedFor);
        }
        String expired = successor.expiredWhileWarming;
        if (expired != null) {
            recycle(successor, expired);
        }
    }

    /** The successor could not connect: drop it, keep the current leaf, and try again later. */
    void abandon(Leaf successor) {
        Slot slot = slots[successor.mode.ordinal()];
        Leaf.Replacing replacing;
        synchronized (this) {
            replacing = successor.replacing;
            if (slot.successor != successor || replacing == null) {
                return;
            }
            slot.successor = null;
            successor.replacing = null;
        }
        pool.engine.drain(successor, "replacement failed");
        pool.engine.retryRecycleLater(this, replacing);
    }

    /** Retires every leaf for good: no new leaf will be created. */
    void remove(String reason) {
        List<Leaf> retired = new ArrayList<>();
        synchronized (this) {
            removed = true;
            for (Slot slot : slots) {
                if (slot.current != null) {
                    retired.add(slot.current);
                    slot.current = null;
                }
                if (slot.successor != null) {
                    retired.add(slot.successor);
                    slot.successor = null;
                }
            }
        }
        retired.forEach(l -> pool.engine.drain(l, reason));
        Waiter waiter;
        while ((waiter = queue.poll()) != null) {
            if (waiter.admit()) {
                // it holds a place like any admitted waiter (its release gives it back), finds the backend removed and
                // moves on
                inFlight.incrementAndGet();
                pool.engine.run(waiter.admitted);
            }
        }
    }

    /** Leaves open (current and warming), for the snapshot. */
    int leavesOpen() {
        int n = 0;
        for (Slot slot : slots) {
            n += (slot.current != null ? 1 : 0) + (slot.successor != null ? 1 : 0);
        }
        return n;
    }

    /** The current leaves, for the snapshot. */
    List<Leaf> currentLeaves() {
        List<Leaf> list = new ArrayList<>(2);
        for (Slot slot : slots) {
            Leaf l = slot.current;
            if (l != null) {
                list.add(l);
            }
        }
        return list;
    }

    int queued() {
        return queue.size();
    }

    @Override
    public String toString() {
        return address.authority() + " (" + health + ", " + inFlight + " in flight)";
    }
}
