package dev.fairway.internal;

import dev.fairway.FairwayEvent;
import dev.fairway.NoBackendException;
import dev.fairway.spi.Backend;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthCheckContext;
import dev.fairway.spi.HealthState;
import dev.fairway.spi.LifetimePolicy;
import dev.fairway.spi.LifetimePolicyContext;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.Target;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Everything Fairway keeps for one target: its resolver, its backends (one per address, in the resolver's order,
 * new ones appended) with their health checks, and the picker over the usable ones, swapped atomically on change.
 */
final class TargetPool implements Resolver.Listener {

    private static final System.Logger LOG = System.getLogger(TargetPool.class.getName());

    final Engine engine;
    final Target target;
    final LifetimePolicy lifetime;
    private final long seed;
    private final Resolver resolver;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private final Map<Key, BackendImpl> backends = new LinkedHashMap<>(); // guarded by this
    private volatile View view;
    private Picker lastPicker; // guarded by this
    private IOException lastError; // guarded by this
    private boolean resolved; // guarded by this
    private long lastResolved; // guarded by this
    private boolean lastErrorNewer; // guarded by this
    private boolean closed; // guarded by this
    private boolean warnedForeignBackend;
    private volatile long lastUsed;
    private volatile boolean evicted;
    final java.util.concurrent.atomic.AtomicLong recycles = new java.util.concurrent.atomic.AtomicLong();
    private boolean warnedCompletedThrew;

    /** Identifies a backend: its socket address and, for copies of one address, its replica attribute. */
    private record Key(InetSocketAddress socketAddress, String replica) {
        static Key of(BackendAddress a) {
            return new Key(a.socketAddress(), a.attributes().getOrDefault(BackendAddress.REPLICA, ""));
        }
    }

    /** What requests see: the picker, or why there is none. */
    private record View(Picker picker, NoBackendException.Reason reason, String detail, IOException cause) {
    }

    TargetPool(Engine engine, Target target, long seed) {
        this.engine = engine;
        this.target = target;
        this.seed = seed;
        this.view = new View(null, NoBackendException.Reason.NOT_RESOLVED_YET, "no resolution yet", null);
        this.lastUsed = engine.ticker().read();
        ClientConfig config = engine.config();
        this.lifetime = config.lifetime().provider().create(new LifetimePolicyContext(target, config.lifetime().options(), seed));
        this.resolver = config.resolver().provider().create(new ResolverContext(target, config.resolver().options(),
                engine.ticker(), engine.scheduler(), engine.executor(), seed));
    }

    /** Marks the target as used now (for idle release). Runs on every request. */
    void touch() {
        lastUsed = engine.ticker().read();
    }

    long lastUsed() {
        return lastUsed;
    }

    boolean isEvicted() {
        return evicted;
    }

    /** Releases the pool if no request is in flight on it; the next request builds a new one. */
    boolean evictIfIdle() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            for (BackendImpl b : backends.values()) {
                if (b.inFlight() > 0 || b.queued() > 0) {
                    return false;
                }
            }
            evicted = true;
        }
        close("idle");
        return true;
    }

    void startOnce() {
        if (started.compareAndSet(false, true)) {
            resolver.start(this);
        }
    }

    /** Completes at the first resolution result, success or failure, or when the pool closes. */
    CompletableFuture<Void> settled() {
        return settled;
    }

    /** The picked backend, or {@code null} when none can be used. Runs on every request. */
    BackendImpl pick(HttpRequest request) {
        Picker picker = view.picker();
        if (picker == null) {
            return null;
        }
        Backend backend;
        try {
            backend = picker.pick(request);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "picker " + picker + " of " + target + " threw; using the first usable backend", e);
            backend = null;
        }
        if (backend instanceof BackendImpl impl && impl.pool == this) {
            return impl;
        }
        return firstUsable(backend);
    }

    private BackendImpl firstUsable(Backend returned) {
        if (!warnedForeignBackend) {
            warnedForeignBackend = true;
            LOG.log(System.Logger.Level.WARNING, "picker of " + target + " returned " + returned
                    + ", which is not one of the backends it was given; using the first usable backend");
        }
        synchronized (this) {
            for (BackendImpl b : backends.values()) {
                if (b.health() != HealthState.UNHEALTHY) {
                    return b;
                }
            }
        }
        return null;
    }

    /** Passes an exchange's outcome to the current picker. */
    void completed(BackendImpl backend, long elapsedNanos, boolean success) {
        Picker picker = view.picker();
        if (picker != null) {
            try {
                picker.completed(backend, elapsedNanos, success);
            } catch (RuntimeException e) {
                if (!warnedCompletedThrew) {
                    warnedCompletedThrew = true;
                    LOG.log(System.Logger.Level.WARNING, "picker of " + target + " threw from completed(); ignoring", e);
                }
            }
        }
    }

    /** A backend other than {@code excluded}, for a retry, or {@code null} when there is none. */
    BackendImpl pickOther(HttpRequest request, BackendImpl excluded) {
        for (int i = 0; i < 3; i++) {
            BackendImpl b = pick(request);
            if (b == null) {
                return null;
            }
            if (b != excluded) {
                return b;
            }
        }
        synchronized (this) {
            for (BackendImpl b : backends.values()) {
                if (b != excluded && b.health() != HealthState.UNHEALTHY) {
                    return b;
                }
            }
        }
        return null;
    }

    /** The error for a request that found no backend. */
    NoBackendException noBackend() {
        View v = view;
        if (v.reason() == NoBackendException.Reason.CLIENT_SHUT_DOWN) {
            return Engine.closed(target);
        }
        return new NoBackendException(target, v.reason(), "no backend for " + target + ": " + v.detail(), v.cause());
    }

    @Override
    public void onAddresses(List<BackendAddress> addresses) {
        List<FairwayEvent> events = new ArrayList<>();
        List<BackendImpl> added = new ArrayList<>();
        List<BackendImpl> removed = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            resolved = true;
            lastResolved = engine.ticker().read();
            lastErrorNewer = false;
            Map<Key, BackendAddress> next = new LinkedHashMap<>();
            for (BackendAddress a : addresses) {
                next.putIfAbsent(Key.of(a), a);
            }
            List<BackendAddress> addedAddresses = new ArrayList<>();
            List<BackendAddress> removedAddresses = new ArrayList<>();
            List<BackendAddress> keptAddresses = new ArrayList<>();
            for (var it = backends.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                BackendAddress update = next.get(e.getKey());
                if (update == null) {
                    removed.add(e.getValue());
                    removedAddresses.add(e.getValue().address());
                    it.remove();
                } else {
                    e.getValue().address(update);
                    keptAddresses.add(update);
                }
            }
            for (BackendAddress a : next.values()) {
                if (!backends.containsKey(Key.of(a))) {
                    BackendImpl b = new BackendImpl(this, a, engine.ticker().read());
                    backends.put(Key.of(a), b);
                    added.add(b);
                    addedAddresses.add(a);
                }
            }
            events.add(new FairwayEvent.ResolutionSucceeded(target, List.copyOf(next.values()), addedAddresses, removedAddresses,
                    keptAddresses));
            removedAddresses.forEach(a -> events.add(new FairwayEvent.BackendRemoved(target, a)));
            addedAddresses.forEach(a -> events.add(new FairwayEvent.BackendAdded(target, a)));
            rebuild();
        }
        events.forEach(engine.events()::emit);
        for (BackendImpl b : removed) {
            closeHealthCheck(b);
            b.remove("backend removed");
        }
        added.forEach(this::startHealthCheck);
        settled.complete(null);
    }

    @Override
    public void onError(IOException error) {
        int kept;
        synchronized (this) {
            if (closed) {
                return;
            }
            lastError = error;
            lastErrorNewer = true;
            kept = backends.size();
            if (!resolved) {
                rebuild();
            }
        }
        LOG.log(System.Logger.Level.WARNING, "resolving " + target + " failed" + (kept > 0 ? "; keeping " + kept + " addresses" : "")
                + ": " + error.getMessage());
        engine.events().emit(new FairwayEvent.ResolutionFailed(target, error, kept));
        settled.complete(null);
    }

    /** Asks the resolver for a fresh answer. */
    void refresh() {
        resolver.refresh();
    }

    private void startHealthCheck(BackendImpl backend) {
        engine.config().health().ifPresent(health -> {
            HealthCheck check;
            try {
                check = health.provider().create(new HealthCheckContext(target, backend, health.options(),
                        engine.ticker(), engine.scheduler(), engine.executor(), new PinnedClient(engine, backend),
                        seed ^ backend.address().socketAddress().hashCode()));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "health check '" + health.provider().name() + "' could not be created for "
                        + backend.address().authority() + " of " + target + "; the backend stays " + backend.health(), e);
                return;
            }
            synchronized (this) {
                if (closed || backends.get(Key.of(backend.address())) != backend) {
                    check.close();
                    return;
                }
                backend.healthCheck = check;
            }
            check.start((state, reason) -> healthChanged(backend, state, reason));
        });
    }

    private void closeHealthCheck(BackendImpl backend) {
        HealthCheck check;
        synchronized (this) {
            check = backend.healthCheck;
            backend.healthCheck = null;
        }
        if (check != null) {
            check.close();
        }
    }

    void healthChanged(BackendImpl backend, HealthState state, String reason) {
        HealthState before;
        synchronized (this) {
            if (closed || backends.get(Key.of(backend.address())) != backend) {
                return;
            }
            before = backend.health();
            if (before == state) {
                return;
            }
            backend.health(state, engine.ticker().read());
            rebuild();
        }
        engine.events().emit(new FairwayEvent.HealthChanged(target, backend.address(), before, state, reason));
    }

    /** Rebuilds the view from the backends. Caller holds the lock. */
    private void rebuild() {
        if (closed) {
            view = new View(null, NoBackendException.Reason.CLIENT_SHUT_DOWN, "the client has been shut down", null);
            return;
        }
        if (backends.isEmpty()) {
            if (resolved) {
                view = new View(null, NoBackendException.Reason.NO_ADDRESSES, "resolver '" + engine.config().resolver().provider().name()
                        + "' returned no addresses for " + target.host(), null);
            } else if (lastError != null) {
                view = new View(null, NoBackendException.Reason.RESOLUTION_FAILED, lastError.getMessage(), lastError);
            }
            return;
        }
        List<Backend> usable = new ArrayList<>(backends.size());
        for (BackendImpl b : backends.values()) {
            if (b.health() != HealthState.UNHEALTHY) {
                usable.add(b);
            }
        }
        if (usable.isEmpty()) {
            view = new View(null, NoBackendException.Reason.NONE_USABLE, "all " + backends.size() + " backends are unhealthy", null);
            return;
        }
        try {
            Picker picker = engine.config().picker().provider().create(new PickerContext(target, usable,
                    engine.config().picker().options(), engine.ticker(), seed, Optional.ofNullable(lastPicker)));
            lastPicker = picker;
            view = new View(picker, null, null, null);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "picker '" + engine.config().picker().provider().name() + "' failed to build for "
                    + target, e);
            view = new View(null, NoBackendException.Reason.NONE_USABLE, "picker '" + engine.config().picker().provider().name()
                    + "' failed: " + e, null);
        }
    }

    /** Stops resolving and health checking and retires every leaf, because the client shuts down. */
    void close() {
        close("client shut down");
    }

    /** Stops resolving and health checking and retires every leaf. */
    void close(String reason) {
        List<BackendImpl> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            started.set(true); // a resolver not yet started never will be
            all = new ArrayList<>(backends.values());
            rebuild();
        }
        // Outside the lock: closing may wait for a resolver or health-check callback that needs it.
        resolver.close();
        for (BackendImpl b : all) {
            closeHealthCheck(b);
            b.remove(reason);
        }
        settled.complete(null);
    }

    dev.fairway.TargetSnapshot snapshot() {
        long now = engine.ticker().read();
        List<dev.fairway.BackendSnapshot> list = new ArrayList<>();
        int leaves = 0;
        long resolvedAt;
        String error;
        synchronized (this) {
            for (BackendImpl b : backends.values()) {
                long oldest = Long.MAX_VALUE;
                for (Leaf l : b.currentLeaves()) {
                    oldest = Math.min(oldest, l.createdNanos);
                }
                int open = b.leavesOpen();
                leaves += open;
                list.add(new dev.fairway.BackendSnapshot(b.address(), b.health(), b.inFlight(), b.queued(), b.limit(),
                        b.requests.get(), b.failures.get(), open,
                        oldest == Long.MAX_VALUE ? Optional.empty() : Optional.of(java.time.Duration.ofNanos(now - oldest))));
            }
            resolvedAt = lastResolved;
            error = lastErrorNewer ? lastError.getMessage() : null;
        }
        return new dev.fairway.TargetSnapshot(target, list, leaves, recycles.get(),
                resolved ? Optional.of(java.time.Duration.ofNanos(now - resolvedAt)) : Optional.empty(), Optional.ofNullable(error));
    }

    synchronized List<BackendImpl> backends() {
        return List.copyOf(backends.values());
    }

    @Override
    public String toString() {
        return target + " " + backends();
    }
}
