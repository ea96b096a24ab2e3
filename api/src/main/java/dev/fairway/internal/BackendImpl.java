package dev.fairway.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthState;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** One address of a target, with its live load, its health and its leaves. */
final class BackendImpl implements Backend {

    final TargetPool pool;
    final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicReferenceArray<Leaf> leaves = new AtomicReferenceArray<>(Mode.values().length);
    private volatile BackendAddress address;
    private volatile HealthState health = HealthState.UNKNOWN;
    private volatile long usableSince;
    volatile long lastRequestSent;
    private boolean removed; // guarded by this
    HealthCheck healthCheck; // guarded by pool

    BackendImpl(TargetPool pool, BackendAddress address, long now) {
        this.pool = pool;
        this.address = address;
        this.usableSince = now;
        this.lastRequestSent = now;
    }

    @Override
    public long lastRequestSent() {
        return lastRequestSent;
    }

    @Override
    public long usableSince() {
        return usableSince;
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
    public HealthState health() {
        return health;
    }

    void health(HealthState state, long now) {
        if (this.health == HealthState.UNHEALTHY && state != HealthState.UNHEALTHY) {
            usableSince = now;
        }
        this.health = state;
    }

    /** The current leaf for {@code mode}, created on first use. */
    Leaf leaf(Mode mode) throws IOException {
        Leaf leaf = leaves.get(mode.ordinal());
        if (leaf != null) {
            return leaf;
        }
        synchronized (this) {
            leaf = leaves.get(mode.ordinal());
            if (leaf == null) {
                if (removed) {
                    throw new IOException("backend " + address.authority() + " of " + pool.target + " was removed");
                }
                leaf = pool.engine.createLeaf(this, mode);
                leaves.set(mode.ordinal(), leaf);
            }
            return leaf;
        }
    }

    /** Stops sending new requests to {@code leaf} and lets it drain; later requests get a new leaf. */
    void retire(Leaf leaf, String reason) {
        if (leaves.compareAndSet(leaf.mode.ordinal(), leaf, null)) {
            pool.engine.drain(leaf, reason);
        }
    }

    /** Retires every leaf for good: no new leaf will be created. */
    void remove(String reason) {
        synchronized (this) {
            removed = true;
        }
        for (int i = 0; i < leaves.length(); i++) {
            Leaf leaf = leaves.get(i);
            if (leaf != null) {
                retire(leaf, reason);
            }
        }
    }

    @Override
    public String toString() {
        return address.authority() + " (" + health + ", " + inFlight + " in flight)";
    }
}
