package dev.fairway.internal;

import dev.fairway.AddressClass;
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
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything Fairway keeps for one target: its resolver, its backends (one per address, in the resolver's order,
 * new ones appended) with their health checks, and the picker over the usable ones, swapped atomically on change.
 */
final class TargetPool implements Resolver.Listener {

    private static final System.Logger LOG = System.getLogger(TargetPool.class.getName());

    /**
     * How long a backend that refused a connection stays out of rotation when the resolver does not list it again
     * sooner (a resolver that never publishes again, such as {@code static}, must not lose it for good).
     */
    static final java.time.Duration REFUSAL_QUARANTINE = java.time.Duration.ofSeconds(10);

    final Engine engine;
    final Target target;
    final LifetimePolicy lifetime;
    private final long seed;
    private final ClientConfig.TargetSettings settings; // this target's providers: the client's, or a per-target rule's
    private final Resolver resolver;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private final Map<Key, BackendImpl> backends = new LinkedHashMap<>(); // guarded by this
    private volatile View view;
    private Picker lastPicker; // guarded by this
    private final Set<BackendImpl> probed = new HashSet<>(); // guarded by this; those that have (or get) a health check
    private Set<BackendImpl> slice = Set.of(); // guarded by this; this client's deterministic subset, with subset_index
    private Map<String, Picker> lastZonePickers = Map.of(); // guarded by this; per zone, when zone routing spills
    private volatile Map<String, Double> zoneShares = Map.of(); // where zone routing sends this target's requests
    private final AtomicLong zoneDraws; // carried across rebuilds: a new picker goes on
    private final Locality.Demand demand = new Locality.Demand(); // guarded by this
    private List<Key> sliceMembers = List.of(); // guarded by this; the canonical members slice was computed over
    private IOException lastError; // guarded by this
    private boolean resolved; // guarded by this
    private long lastResolved; // guarded by this
    private boolean lastErrorNewer; // guarded by this
    private boolean closed; // guarded by this
    private Set<BackendAddress> refusedAddresses = Set.of(); // in the last answer; guarded by this
    private volatile boolean warnedForeignBackend;
    private volatile boolean warnedPickThrew;
    private volatile long lastUsed;
    private int failedSinceUse; // guarded by this: resolutions failed in a row with no request since
    private long lastErrorAt; // guarded by this
    private volatile boolean evicted;
    final AtomicLong recycles = new AtomicLong();
    private volatile boolean warnedCompletedThrew;
    private final OutlierDetector outliers;
    private volatile boolean refreshWanted;
    /** This target's retry budget. */
    final RetryBudget budget;
    /** This target's client-side throttle, or {@code null} when throttling is off. */
    final Throttle throttle;
    /** When to hedge this target's requests, or {@code null} when hedging is off. */
    final HedgeDelay hedgeDelay;
    private boolean panicking; // guarded by this

    /** Identifies a backend: its socket address and, for copies of one address, its replica attribute. */
    private record Key(InetSocketAddress socketAddress, String replica) {
        static Key of(BackendAddress a) {
            return new Key(a.socketAddress(), a.attributes().getOrDefault(BackendAddress.REPLICA, ""));
        }
    }

    /**
     * What requests see: the picker, or why there is none; and the picker a retry uses to find another backend, over
     * every usable backend (the same as {@code picker} unless zone routing narrows it).
     */
    private record View(Picker picker, Picker others, NoBackendException.Reason reason, String detail, IOException cause) {
        View(Picker picker, NoBackendException.Reason reason, String detail, IOException cause) {
            this(picker, picker, reason, detail, cause);
        }
    }

    TargetPool(Engine engine, Target target, long seed, ClientConfig.TargetSettings settings) {
        this.settings = settings;
        this.engine = engine;
        this.target = target;
        this.seed = seed;
        this.view = new View(null, NoBackendException.Reason.NOT_RESOLVED_YET, "no resolution yet", null);
        this.lastUsed = engine.ticker().read();
        this.outliers = new OutlierDetector(engine.config().outliers(), seed);
        Resilience resilience = settings.resilience();
        this.budget = new RetryBudget(resilience);
        this.throttle = resilience.throttleK() > 0 ? new Throttle(resilience) : null;
        this.hedgeDelay = resilience.hedging() ? new HedgeDelay(resilience) : null;
        this.zoneDraws = new AtomicLong(seed);
        this.lifetime = settings.lifetime().provider().create(new LifetimePolicyContext(target, settings.lifetime().options(), seed));
        this.resolver = settings.resolver().provider().create(new ResolverContext(target, settings.resolver().options(),
                engine.ticker(), engine.scheduler(), engine.executor(), seed));
    }

    /** Marks the target as used now (for idle release). Runs on every request. */
    void touch() {
        lastUsed = engine.ticker().read();
    }

    /**
     * Takes a retry (or a hedge) from this target's budget; announces a budget that just ran dry with a
     * {@link dev.fairway.FairwayEvent.RetryBudgetExhausted}, once per dry spell.
     *
     * @param hedge whether it is for a hedge
     * @return whether the retry may go
     */
    boolean tryRetry(boolean hedge) {
        long now = engine.ticker().read();
        if (budget.tryAcquire(now, hedge)) {
            return true;
        }
        if (budget.justRanDry()) {
            engine.events().emit(new dev.fairway.FairwayEvent.RetryBudgetExhausted(target, budget.spent(now), budget.requests(now)));
        }
        return false;
    }

    /** Now, on the client's ticker. */
    long now() {
        return engine.ticker().read();
    }

    long lastUsed() {
        return lastUsed;
    }

    boolean isEvicted() {
        return evicted;
    }

    /**
     * Resolutions that fail, in a row and with no request in between, before a target that has no address is
     * released (a mistyped host name would otherwise be resolved again and again until the idle timeout).
     */
    static final int MAX_FAILED_UNUSED = 3;

    /**
     * Whether the target has no address, and its last {@link #MAX_FAILED_UNUSED} resolutions failed with no request
     * since: the engine's sweep releases it; the next request builds it again. Caller holds the lock.
     */
    private boolean unresolvableLocked() {
        return !closed && backends.isEmpty() && failedSinceUse >= MAX_FAILED_UNUSED && lastUsed - lastErrorAt < 0;
    }

    /**
     * Releases the pool if it is unresolvable ({@link #unresolvableLocked()}), checked and released in one step; a request that finds it
     * released goes to the pool built anew.
     *
     * @return whether it was released
     */
    boolean evictIfUnresolvable() {
        synchronized (this) {
            if (!unresolvableLocked()) {
                return false;
            }
            evicted = true;
        }
        close("unresolvable");
        return true;
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

    /** Releases the pool now, busy or not: its exchanges finish on their draining leaves; the next request builds a new one. */
    void evict(String reason) {
        synchronized (this) {
            if (closed) {
                return;
            }
            evicted = true;
        }
        close(reason);
    }

    void startOnce() {
        if (started.compareAndSet(false, true)) {
            resolver.start(this);
            scheduleSweep();
        }
    }

    /** Completes at the first resolution result, success or failure, or when the pool closes. */
    CompletableFuture<Void> settled() {
        return settled;
    }

    /** The picked backend, or {@code null} when none can be used. Runs on every request. */
    BackendImpl pick(HttpRequest request) {
        return pick(request, view.picker());
    }

    private BackendImpl pick(HttpRequest request, Picker picker) {
        if (picker == null) {
            return null;
        }
        Backend backend;
        try {
            backend = picker.pick(request);
        } catch (RuntimeException e) {
            // Once at WARNING, with the stack; then at DEBUG: a broken picker must not flood the log on every request.
            boolean first = !warnedPickThrew;
            warnedPickThrew = true;
            LOG.log(first ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG, "picker " + picker + " of " + target
                    + " threw; using the first usable backend" + (first ? " (logged once at WARNING; later ones at DEBUG)" : ""), e);
            return firstUsable();
        }
        if (backend instanceof BackendImpl impl && impl.pool == this) {
            return impl;
        }
        if (!warnedForeignBackend) {
            warnedForeignBackend = true;
            LOG.log(System.Logger.Level.WARNING, "picker of " + target + " returned " + backend
                    + ", which is not one of the backends it was given; using the first usable backend");
        }
        return firstUsable();
    }

    private BackendImpl firstUsable() {
        synchronized (this) {
            for (BackendImpl b : backends.values()) {
                if (b.usable()) {
                    return b;
                }
            }
        }
        return null;
    }

    /**
     * The status {@link #completed} takes for an exchange whose request's own {@code timeout()} ran out: the picker
     * hears it as a success that took that long (the backend was slow, as far as anyone knows, not failing), outlier
     * detection not at all.
     */
    static final int TIMED_OUT = -2;

    /**
     * The status {@link #completed} gets for an attempt the client cancelled itself (a hedge that lost its race): the
     * picker hears it as a success that took that long, as for {@link #TIMED_OUT}; neither outlier detection nor
     * client-side throttling hears of it, since the backend refused nothing.
     */
    static final int CANCELLED = -3;

    /**
     * The status {@link #completed} gets for an attempt that provably never reached a server: a failure for the
     * picker and outlier detection as any other; but no request the retry budget counts, since moving it elsewhere
     * is not paid from the budget either.
     */
    static final int NOT_SENT = -4;

    /**
     * An exchange's outcome: to the current picker, and to passive outlier detection. Runs on every exchange.
     *
     * @param status the response status, -1 when the exchange failed with an exception, {@link #NOT_SENT} when it failed
     *               before reaching a server, {@link #TIMED_OUT}, or {@link #CANCELLED}
     */
    void completed(BackendImpl backend, long startNanos, int outcome) {
        int status = outcome == NOT_SENT ? -1 : outcome;
        long now = engine.ticker().read();
        long elapsedNanos = now - startNanos;
        boolean success = status == TIMED_OUT || status == CANCELLED || (status >= 0 && status < 500);
        if (outcome != NOT_SENT) {
            budget.attempted(now);
        }
        if (throttle != null && status != CANCELLED) {
            throttle.completed(now, status);
        }
        if (hedgeDelay != null && status >= 0 && status < 500) {
            hedgeDelay.answered(now, elapsedNanos);
        }
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
        if (status == TIMED_OUT || status == CANCELLED) {
            return; // the caller's deadline: the picker learns how long the backend took, outlier detection nothing
        }
        String ejectFor = outliers.countOutcome(backend, status);
        if (ejectFor != null) {
            eject(backend, ejectFor);
        }
    }

    /** Ejects a backend for its ejection time, unless that would eject too many. */
    private void eject(BackendImpl backend, String reason) {
        FairwayEvent event;
        synchronized (this) {
            event = ejectLocked(backend, reason, engine.ticker().read());
        }
        if (event != null) {
            engine.events().emit(event);
            afterChange();
        }
    }

    private FairwayEvent ejectLocked(BackendImpl backend, String reason, long now) {
        if (closed || backends.get(Key.of(backend.address())) != backend) {
            return null;
        }
        java.time.Duration time = outliers.eject(backends.values(), backend, now);
        if (time == null) {
            return null;
        }
        rebuild();
        return new FairwayEvent.Ejected(target, backend.address(), reason, time);
    }

    private FairwayEvent unejectLocked(BackendImpl backend, String reason, long now) {
        backend.uneject(now);
        rebuild();
        return new FairwayEvent.Unejected(target, backend.address(), reason);
    }

    /** One outlier-detection sweep: ends ejections whose time is over, then ejects what the detectors find. */
    void sweep() {
        List<FairwayEvent> events = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            long now = engine.ticker().read();
            for (BackendImpl b : outliers.ejectionsOver(backends.values(), now)) {
                events.add(unejectLocked(b, "ejection time over", now));
            }
            for (OutlierDetector.Ejection e : outliers.sweep(backends.values())) {
                FairwayEvent event = ejectLocked(e.backend(), e.reason(), now);
                if (event != null) {
                    events.add(event);
                }
            }
        }
        events.forEach(engine.events()::emit);
        if (!events.isEmpty()) {
            afterChange();
        }
        scheduleSweep();
    }

    private void scheduleSweep() {
        if (!outliers.enabled()) {
            return;
        }
        try {
            engine.scheduler().schedule(this::sweep, outliers.interval());
        } catch (RuntimeException rejected) {
            // shutting down
        }
    }

    /** Asks the resolver for a fresh answer soon (it rate-limits), off the caller's thread and outside any lock. */
    void requestRefresh() {
        engine.run(() -> {
            if (!isEvicted()) {
                resolver.refresh();
            }
        });
    }

    /** After the usable set changed: when fewer than half the backends are usable, the resolver may know better. */
    private void afterChange() {
        if (refreshWanted) {
            refreshWanted = false;
            requestRefresh();
        }
    }

    /**
     * A backend not in {@code excluded}, for a retry: the picker's choice when it makes one, else the first usable
     * backend in order; {@code null} when there is none.
     */
    BackendImpl pickOther(HttpRequest request, List<BackendImpl> excluded) {
        for (int i = 0; i < 3; i++) {
            BackendImpl b = pick(request, view.others());
            if (b == null) {
                return null;
            }
            if (!excluded.contains(b)) {
                return b;
            }
        }
        synchronized (this) {
            for (BackendImpl b : backends.values()) {
                if (!excluded.contains(b) && b.usable()) {
                    return b;
                }
            }
        }
        return null;
    }

    /**
     * {@code backend} refused a connection, or let one time out: out of rotation at once, until the resolver lists it
     * again (the refusal asks it for a fresh answer) or {@link #REFUSAL_QUARANTINE} passes. Pods that stop take their
     * address out of DNS first, so a refusal is news the resolver will soon confirm.
     *
     * @param backend the backend
     * @param cause   what it did, for the event
     */
    void refused(BackendImpl backend, Throwable cause) {
        FairwayEvent event = null;
        long generation;
        synchronized (this) {
            if (closed || backend.refused || backends.get(Key.of(backend.address())) != backend) {
                generation = -1;
            } else {
                backend.refused = true;
                generation = ++backend.refusals;
                rebuild();
                event = new FairwayEvent.Ejected(target, backend.address(), "refused a connection (" + cause
                        + "): out of rotation until the resolver lists it again", REFUSAL_QUARANTINE);
            }
        }
        requestRefresh();
        if (event == null) {
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> backend.address().authority() + " of " + target + " refused a connection ("
                + cause + "); out of rotation until the resolver lists it again");
        engine.events().emit(event);
        try {
            engine.scheduler().schedule(() -> endRefusal(backend, generation), REFUSAL_QUARANTINE);
        } catch (RuntimeException shuttingDown) {
            // the pool closes with the client
        }
    }

    /**
     * Puts a refusing backend back in rotation when its quarantine is over, unless the resolver did so first or a
     * later refusal (another generation) took it out since.
     */
    private void endRefusal(BackendImpl backend, long generation) {
        synchronized (this) {
            if (closed || !backend.refused || backend.refusals != generation
                    || backends.get(Key.of(backend.address())) != backend) {
                return;
            }
            backend.refused = false;
            rebuild();
        }
        engine.events().emit(new FairwayEvent.Unejected(target, backend.address(), "refusal quarantine of "
                + REFUSAL_QUARANTINE.toSeconds() + "s over"));
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
        List<FairwayEvent> refusalsEnded = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            resolved = true;
            failedSinceUse = 0;
            lastResolved = engine.ticker().read();
            lastErrorNewer = false;
            Map<Key, BackendAddress> next = new LinkedHashMap<>();
            Set<BackendAddress> refusedNow = new HashSet<>();
            for (BackendAddress a : addresses) {
                AddressClass kind = AddressClass.of(a.socketAddress().getAddress());
                if (kind != null && engine.config().refusedAddresses().contains(kind)) {
                    refusedNow.add(a);
                    if (!refusedAddresses.contains(a)) {
                        LOG.log(System.Logger.Level.WARNING, "resolver '" + settings.resolver().provider().name() + "' answered "
                                + a.authority() + " for " + target + ": a " + kind.key() + " address, never dialed"
                                + " (fairway.refuse_addresses); left out");
                        events.add(new FairwayEvent.AddressRefused(target, a, kind));
                    }
                    continue;
                }
                next.putIfAbsent(Key.of(a), a);
            }
            refusedAddresses = refusedNow;
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
                    if (e.getValue().refused) {
                        e.getValue().refused = false;                 // the view is rebuilt once, below
                        refusalsEnded.add(new FairwayEvent.Unejected(target, update, "listed again by the resolver"));
                    }
                }
            }
            for (BackendAddress a : next.values()) {
                if (!backends.containsKey(Key.of(a))) {
                    BackendImpl b = new BackendImpl(this, a, engine.ticker().read(), engine.config().maxConcurrency(),
                            engine.config().maxQueued(), engine::run, engine.scheduler());
                    backends.put(Key.of(a), b);
                    added.add(b);
                    addedAddresses.add(a);
                }
            }
            events.add(new FairwayEvent.ResolutionSucceeded(target, List.copyOf(next.values()), addedAddresses, removedAddresses,
                    keptAddresses));
            removedAddresses.forEach(a -> events.add(new FairwayEvent.BackendRemoved(target, a)));
            addedAddresses.forEach(a -> events.add(new FairwayEvent.BackendAdded(target, a)));
            events.addAll(refusalsEnded);
            slice = slice();
            rebuild();
        }
        events.forEach(engine.events()::emit);
        for (BackendImpl b : removed) {
            closeHealthCheck(b);
            engine.leaves().retireAll(b, "backend removed");
            b.removed();
        }
        reconcileHealthChecks();
        settled.complete(null);
    }

    @Override
    public void onError(IOException error) {
        int kept;
        boolean firstInARow;
        synchronized (this) {
            if (closed) {
                return;
            }
            firstInARow = !lastErrorNewer;
            lastError = error;
            lastErrorNewer = true;
            kept = backends.size();
            long now = engine.ticker().read();
            if (lastUsed - lastErrorAt >= 0) {
                failedSinceUse = 0; // a request came since the last failure (or in its tick: keep the target)
            }
            failedSinceUse++;
            lastErrorAt = now;
            if (!resolved) {
                rebuild();
            }
        }
        LOG.log(firstInARow ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG, "resolving " + target + " failed"
                + (kept > 0 ? "; keeping " + kept + " addresses" : "") + ": " + error.getMessage());
        engine.events().emit(new FairwayEvent.ResolutionFailed(target, error, kept));
        settled.complete(null);
    }

    /**
     * The backends to probe: one per socket address (the copies of one virtual IP that {@code min_addresses} makes
     * share its probes), and with subsetting only the best-ranked twice the subset size: the subset and the backends
     * it would fail over to. Caller holds the lock.
     */
    private Set<BackendImpl> toProbe() {
        List<BackendImpl> candidates = new ArrayList<>(backends.size());
        for (BackendImpl b : backends.values()) {
            if (!b.draining()) {
                candidates.add(b); // a draining backend takes no request: nothing to learn by probing it
            }
        }
        int k = engine.config().subsetSize();
        if (k > 0 && candidates.size() > 2 * k) {
            candidates = subsetOrder(candidates).subList(0, 2 * k);
        }
        Map<InetSocketAddress, BackendImpl> one = new LinkedHashMap<>();
        for (BackendImpl b : candidates) {
            if (probed.contains(b)) {
                one.putIfAbsent(b.address().socketAddress(), b); // keep the prober a socket address has
            }
        }
        for (BackendImpl b : candidates) {
            one.putIfAbsent(b.address().socketAddress(), b);
        }
        return new HashSet<>(one.values());
    }

    /**
     * Starts and stops health checks so that exactly the backends of {@link #toProbe} are probed. A backend that is
     * not probed itself takes the state of the probed backend at its socket address, or {@code UNKNOWN} when there is
     * none (it left the subset's reach).
     */
    private void reconcileHealthChecks() {
        if (settings.health().isEmpty()) {
            return;
        }
        List<BackendImpl> start = new ArrayList<>();
        List<HealthCheck> stop = new ArrayList<>();
        List<FairwayEvent> events = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            Set<BackendImpl> wanted = toProbe();
            for (BackendImpl b : backends.values()) {
                if (probed.contains(b) && !wanted.contains(b)) {
                    probed.remove(b);
                    if (b.healthCheck != null) {
                        stop.add(b.healthCheck);
                        b.healthCheck = null;
                    }
                } else if (!probed.contains(b) && wanted.contains(b)) {
                    probed.add(b);
                    start.add(b);
                }
            }
            Map<InetSocketAddress, BackendImpl> probers = new HashMap<>();
            for (BackendImpl b : backends.values()) {
                if (probed.contains(b)) {
                    probers.put(b.address().socketAddress(), b);
                }
            }
            boolean changed = false;
            for (BackendImpl b : backends.values()) {
                if (!probed.contains(b)) {
                    BackendImpl prober = probers.get(b.address().socketAddress());
                    HealthState state = prober != null ? prober.health() : HealthState.UNKNOWN;
                    if (b.health() != state) {
                        events.add(new FairwayEvent.HealthChanged(target, b.address(), b.health(), state, prober != null
                                ? "as " + prober.address() + ", which is probed for it"
                                : "no longer probed: outside this client's subset and the backends it fails over to"));
                        b.health(state, engine.ticker().read());
                        changed = true;
                    }
                }
            }
            if (changed) {
                rebuild();
            }
        }
        events.forEach(engine.events()::emit);
        stop.forEach(HealthCheck::close);
        start.forEach(this::startHealthCheck);
    }

    private void startHealthCheck(BackendImpl backend) {
        settings.health().ifPresent(health -> {
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
                if (closed || backends.get(Key.of(backend.address())) != backend || !probed.contains(backend)
                        || backend.healthCheck != null) {
                    check.close(); // superseded while it was created: removed, out of reach, or started twice
                    return;
                }
                backend.healthCheck = check;
            }
            // Reports count only while this check is the backend's own: one stopped meanwhile may still be delivering.
            check.start((state, reason) -> healthChanged(backend, check, state, reason));
        });
    }

    private void closeHealthCheck(BackendImpl backend) {
        HealthCheck check;
        synchronized (this) {
            check = backend.healthCheck;
            backend.healthCheck = null;
            probed.remove(backend);
        }
        if (check != null) {
            check.close();
        }
    }

    void healthChanged(BackendImpl backend, HealthCheck check, HealthState state, String reason) {
        HealthState before;
        FairwayEvent unejected = null;
        List<FairwayEvent> copies = new ArrayList<>();
        synchronized (this) {
            if (closed || backends.get(Key.of(backend.address())) != backend || backend.healthCheck != check) {
                return;
            }
            before = backend.health();
            if (state == HealthState.HEALTHY && backend.ejected()) {
                unejected = unejectLocked(backend, "active health check passed", engine.ticker().read());
            }
            for (BackendImpl copy : backends.values()) {
                // the other copies of this socket address share its probes
                if (copy != backend && !probed.contains(copy)
                        && copy.address().socketAddress().equals(backend.address().socketAddress())) {
                    if (state == HealthState.HEALTHY && copy.ejected()) {
                        FairwayEvent e = unejectLocked(copy, "active health check passed", engine.ticker().read());
                        if (e != null) {
                            copies.add(e);
                        }
                    }
                    if (copy.health() != state) {
                        copies.add(new FairwayEvent.HealthChanged(target, copy.address(), copy.health(), state, reason));
                        copy.health(state, engine.ticker().read());
                    }
                }
            }
            if (before == state && unejected == null && copies.isEmpty()) {
                return;
            }
            backend.health(state, engine.ticker().read());
            rebuild();
        }
        if (before != state) {
            engine.events().emit(new FairwayEvent.HealthChanged(target, backend.address(), before, state, reason));
        }
        copies.forEach(engine.events()::emit);
        if (unejected != null) {
            engine.events().emit(unejected);
        }
        afterChange();
    }

    /**
     * The backends the picker gets. All {@code HEALTHY} ones; while fewer than max(3, 25 %) of all are chosen, the
     * {@code UNKNOWN} ones, then the {@code DEGRADED} ones, too. Ejected and {@code UNHEALTHY} backends are left out,
     * unless fewer than the panic threshold of all backends are usable: then all of them are used (panic mode),
     * rather than overload the few. Caller holds the lock.
     */
    private List<Backend> select(List<BackendImpl> live) {
        int n = live.size();
        List<Backend> chosen = new ArrayList<>(n);
        if (n == 0) {
            return chosen;
        }
        int usable = 0;
        int refused = 0;
        for (BackendImpl b : live) {
            refused += b.refused ? 1 : 0;
            usable += b.usable() ? 1 : 0;
        }
        refreshWanted = usable * 2 < n;
        if (refused == n) {
            // Every backend refused: none is better than another, and one may be back already. Use them all, so that
            // a request tries them (and moves on) rather than fail without trying until the quarantine ends.
            chosen.addAll(live);
            panicking = true; // all zones alike, as in panic
            return chosen;
        }
        double panic = engine.config().panicThreshold();
        if (panic > 0 && usable < panic * n) {
            // Panic: every backend, but those that refuse connections (they would only bounce requests to the others).
            for (BackendImpl b : live) {
                if (!b.refused) {
                    chosen.add(b);
                }
            }
            if (!panicking) {
                panicking = true;
                LOG.log(System.Logger.Level.WARNING, "only " + usable + " of " + n + " backends of " + target
                        + " are usable: panic mode, balancing over all of them");
            }
            return chosen;
        }
        panicking = false;
        int wanted = Math.min(n, Math.max(3, (n + 3) / 4));
        for (HealthState state : new HealthState[] {HealthState.HEALTHY, HealthState.UNKNOWN, HealthState.DEGRADED}) {
            if (state != HealthState.HEALTHY && chosen.size() >= wanted) {
                break;
            }
            for (BackendImpl b : live) {
                if (!b.ejected() && !b.refused && b.health() == state) {
                    chosen.add(b);
                }
            }
        }
        return chosen;
    }

    /**
     * Subsetting: keeps the {@code subset_size} backends that rank highest for this client's key by rendezvous
     * (highest random weight) hashing, so that each client uses a stable few of a large fleet, different clients
     * use different few, and a backend that becomes unusable is replaced by the next in rank without moving others.
     */
    private List<Backend> subset(List<Backend> chosen, int k) {
        if (k <= 0 || chosen.size() <= k) {
            return chosen;
        }
        List<Backend> kept = subsetOrder(chosen).subList(0, k);
        List<Backend> inOrder = new ArrayList<>(k);
        for (Backend b : chosen) {
            if (kept.contains(b)) {
                inOrder.add(b);
            }
        }
        return inOrder;
    }

    /**
     * {@code backends} in this client's subset order: the members of its deterministic subset first (with
     * {@code subset_index}), then the rest best first by rendezvous hashing of its key and each address. The first
     * {@code subset_size} usable ones are the subset; those after them are what it fails over to. Caller holds the lock.
     */
    private <B extends Backend> List<B> subsetOrder(List<B> backends) {
        long key = engine.config().subsetKey();
        List<B> ranked = new ArrayList<>(backends);
        ranked.sort(Comparator.comparing((B b) -> !slice.contains(b))
                .thenComparing(Comparator.comparingLong((B b) -> rendezvous(key, b.address())).reversed()));
        return ranked;
    }

    /**
     * This client's deterministic subset, from {@code subset_index}: {@link DeterministicSubset} over the backends that
     * are not draining, in an order every client agrees on (address, port, replica); empty without an index. Caller
     * holds the lock.
     */
    private Set<BackendImpl> slice() {
        int index = engine.config().subsetIndex();
        int k = engine.config().subsetSize();
        if (index < 0 || k <= 0) {
            return Set.of();
        }
        List<BackendImpl> members = new ArrayList<>();
        for (BackendImpl b : backends.values()) {
            if (!b.draining()) {
                members.add(b);
            }
        }
        members.sort(CANONICAL);
        List<Key> keys = members.stream().map(b -> Key.of(b.address())).toList();
        if (keys.equals(sliceMembers)) {
            return slice; // the same members: the same subset (the computation grows with the square of the fleet)
        }
        sliceMembers = keys;
        return new HashSet<>(DeterministicSubset.subset(members, b -> rendezvous(0, b.address()), index, engine.config().subsetClients(), k));
    }

    /** The order of backends every client agrees on: address bytes (IPv4 first), port, replica. */
    private static final Comparator<BackendImpl> CANONICAL = (x, y) -> {
        byte[] a = x.address().socketAddress().getAddress().getAddress();
        byte[] b = y.address().socketAddress().getAddress().getAddress();
        int c = Integer.compare(a.length, b.length);
        if (c == 0) {
            c = Arrays.compareUnsigned(a, b);
        }
        if (c == 0) {
            c = Integer.compare(x.address().socketAddress().getPort(), y.address().socketAddress().getPort());
        }
        return c != 0 ? c : x.address().attributes().getOrDefault(BackendAddress.REPLICA, "")
                .compareTo(y.address().attributes().getOrDefault(BackendAddress.REPLICA, ""));
    };

    static long rendezvous(long key, BackendAddress address) {
        long h = key;
        for (byte b : address.socketAddress().getAddress().getAddress()) {
            h = (h ^ (b & 0xff)) * 0x100000001B3L;
        }
        h = (h ^ address.socketAddress().getPort()) * 0x100000001B3L;
        h ^= address.attributes().getOrDefault(BackendAddress.REPLICA, "").hashCode();
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    /** Rebuilds the view from the backends. Caller holds the lock. */
    private void rebuild() {
        zoneShares = Map.of(); // until a zone plan says otherwise
        if (closed) {
            view = new View(null, NoBackendException.Reason.CLIENT_SHUT_DOWN, "the client has been shut down", null);
            return;
        }
        if (backends.isEmpty()) {
            if (resolved) {
                view = new View(null, NoBackendException.Reason.NO_ADDRESSES, "resolver '" + settings.resolver().provider().name()
                        + "' returned no addresses for " + target.host() + (refusedAddresses.isEmpty() ? "" : " but "
                        + refusedAddresses.stream().map(BackendAddress::authority).toList() + ", which fairway.refuse_addresses refuses"), null);
            } else if (lastError != null) {
                view = new View(null, NoBackendException.Reason.RESOLUTION_FAILED, lastError.getMessage(), lastError);
            }
            return;
        }
        // A draining backend (its resolver says it is going away) takes no new request in any mode, panic included;
        // its leaves stay, so that its exchanges finish.
        List<BackendImpl> live = new ArrayList<>(backends.size());
        for (BackendImpl b : backends.values()) {
            if (!b.draining()) {
                live.add(b);
            }
        }
        List<Backend> usable = select(live);
        if (usable.isEmpty()) {
            boolean allDraining = backends.values().stream().allMatch(BackendImpl::draining);
            view = new View(null, NoBackendException.Reason.NONE_USABLE, "all " + backends.size() + (allDraining
                    ? " backends are draining: their resolver says they are going away, and they take no new requests"
                    : " backends are unhealthy, ejected or refusing connections (panic mode is off)"), null);
            return;
        }
        int k = engine.config().subsetSize();
        try {
            Locality locality = engine.config().locality();
            Locality.Plan plan = locality.enabled() ? locality.plan(live, usable, panicking,
                    demand.update(Locality.weightsByZone(live, locality), engine.ticker().read())) : null;
            if (plan != null) {
                try {
                    view = zoneView(plan, usable, k);
                    return;
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "picker '" + settings.picker().provider().name()
                            + "' failed to build for a zone of " + target + "; balancing over every zone", e);
                }
            }
            Picker picker = newPicker(subset(usable, k), lastPicker);
            lastPicker = picker;
            lastZonePickers = Map.of();
            view = new View(picker, null, null, null);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "picker '" + settings.picker().provider().name() + "' failed to build for "
                    + target, e);
            view = new View(null, NoBackendException.Reason.NONE_USABLE, "picker '" + settings.picker().provider().name()
                    + "' failed: " + e, null);
        }
    }

    /**
     * The view of a zone plan: a picker per zone over that zone's backends (each zone's share of the subset, when
     * subsetting), drawn from by the plan's shares; retries go to a picker over every usable backend. Caller holds the
     * lock.
     */
    private View zoneView(Locality.Plan plan, List<Backend> usable, int k) {
        Picker[] pickers = new Picker[plan.zones().size()];
        List<List<Backend>> groups = new ArrayList<>(pickers.length);
        Map<String, Picker> byZone = new HashMap<>();
        for (int i = 0; i < pickers.length; i++) {
            String zone = plan.zones().get(i);
            List<Backend> group = k > 0 ? subset(plan.groups().get(i), (int) Math.ceil(k * plan.shares()[i])) : plan.groups().get(i);
            groups.add(group);
            pickers[i] = newPicker(group, lastZonePickers.getOrDefault(zone, lastPicker));
            byZone.put(zone, pickers[i]);
        }
        Picker picker = pickers.length == 1 ? pickers[0] : new Locality.ZonePicker(plan.shares(), pickers, groups, zoneDraws);
        Picker others = newPicker(subset(usable, k), lastPicker);
        lastPicker = pickers[0];
        lastZonePickers = byZone;
        zoneShares = plan.byZone();
        return new View(picker, others, null, null, null);
    }

    /** A picker of the configured kind over {@code backends}, handed the state of {@code previous}. */
    private Picker newPicker(List<Backend> backends, Picker previous) {
        return settings.picker().provider().create(new PickerContext(target, backends,
                settings.picker().options(), engine.ticker(), seed, Optional.ofNullable(previous)));
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
            engine.leaves().retireAll(b, reason);
            b.removed();
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
                long oldest = engine.leaves().oldestCreated(b);
                int open = engine.leaves().openCount(b);
                leaves += open;
                list.add(new dev.fairway.BackendSnapshot(b.address(), b.health(), b.ejected() || b.refused, b.inFlight(), b.queued(), b.limit(),
                        b.requests.get(), b.failures.get(), b.probes.get(), open,
                        oldest == Long.MAX_VALUE ? Optional.empty() : Optional.of(java.time.Duration.ofNanos(now - oldest))));
            }
            resolvedAt = lastResolved;
            error = lastErrorNewer ? lastError.getMessage() : null;
        }
        return new dev.fairway.TargetSnapshot(target, list, leaves, recycles.get(),
                resolved ? Optional.of(java.time.Duration.ofNanos(now - resolvedAt)) : Optional.empty(), Optional.ofNullable(error),
                zoneShares, settings.rule(), settings.names(), new dev.fairway.TargetSnapshot.Retries(
                        settings.resilience().describe(), budget.retries(), budget.hedges(), budget.denied(),
                        Math.max(0, budget.available(now)), throttle == null ? 0 : throttle.rejected(),
                        throttle == null ? 0 : throttle.probability(now)));
    }

    /** This target's providers. */
    ClientConfig.TargetSettings settings() {
        return settings;
    }

    synchronized List<BackendImpl> backends() {
        return List.copyOf(backends.values());
    }

    @Override
    public String toString() {
        return target + " " + backends();
    }
}
