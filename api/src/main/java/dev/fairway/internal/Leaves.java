package dev.fairway.internal;

import dev.fairway.FairwayEvent;
import dev.fairway.spi.LeafTerms;
import dev.fairway.spi.Scheduler;
import dev.fairway.spi.Target;
import dev.fairway.spi.Ticker;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Every leaf of one client, and the whole of their lifecycle: creation, the request budget and the age timer, a
 * warming successor, its promotion (or its abandonment when it cannot connect), retirement, draining and closing.
 * This is the only class that changes a leaf's state; {@link Leaf} and {@link Slots} keep theirs private to this file.
 *
 * <p>It is the counterpart of the JDK's {@code ConnectionPool}, one level up: its unit is a JDK {@code HttpClient}
 * bound to one backend (a leaf), which pools that backend's connections itself.
 */
final class Leaves {

    private static final System.Logger LOG = System.getLogger(Leaves.class.getName());
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final String REPLACEMENT_FAILED = "replacement failed";

    /**
     * One {@link HttpClient} bound to one backend, holding that backend's connections for one {@link Mode}. Its
     * identity and terms are final; its state is changed only by {@link Leaves}.
     */
    static final class Leaf {
        private final Leaves owner;
        final long id;
        final BackendImpl backend;
        final Mode mode;
        /** The HTTP version of requests that set none. */
        final HttpClient.Version version;
        final LeafTerms terms;
        final long createdNanos;
        /** Why this leaf was created: {@code null} for a first leaf, else the reason its predecessor was replaced. */
        final String replacedFor;
        /**
         * The JDK client, until the leaf has terminated; then {@code null}. Objects of an exchange can stay reachable
         * from a terminated JDK client (see {@link Leaves#released}), and they reach this leaf: holding the client only
         * while it runs lets the JDK free it.
         */
        private volatile HttpClient client;
        /**
         * The leaf this one replaces, while this one is a successor that has not taken over yet; cleared when it takes
         * over or is dropped, so that a successor does not keep its predecessor (and the whole line before it) reachable.
         */
        private volatile Leaf predecessor;
        private final AtomicLong requests = new AtomicLong();
        private final AtomicBoolean probeClaimed = new AtomicBoolean();
        private volatile boolean promoted;
        private volatile String retiredReason;
        private volatile boolean forced;
        /** Set when this leaf's terms ran out before it took over; it is then replaced right after taking over. */
        private volatile String expiredWhileWarming;
        private volatile Future<?> ageTimer;

        private Leaf(Leaves owner, long id, BackendImpl backend, Mode mode, HttpClient.Version version, HttpClient client,
                     LeafTerms terms, long createdNanos, Leaf predecessor, String replacedFor) {
            this.owner = owner;
            this.id = id;
            this.backend = backend;
            this.mode = mode;
            this.version = version;
            this.client = client;
            this.terms = terms;
            this.createdNanos = createdNanos;
            this.predecessor = predecessor;
            this.replacedFor = replacedFor;
        }

        /**
         * The JDK client of this leaf.
         *
         * @return the client
         * @throws IOException {@code closed}, as the JDK's own client fails once terminated, when this leaf has
         *                     terminated (only a request that raced the leaf's retirement can see this)
         */
        HttpClient client() throws IOException {
            HttpClient c = client;
            if (c == null) {
                throw new IOException(SendFailure.CLOSED);
            }
            return c;
        }

        /** Counts an exchange this leaf accepted against its request budget ({@link Leaves#counted}). */
        void counted() {
            owner.counted(this);
        }

        /** This leaf's exchange ended, having reached the server or provably not ({@link Leaves#warmed}). */
        void warmed(boolean reachedServer) {
            owner.warmed(this, reachedServer);
        }

        /** Whether this is a successor whose first exchange has not reached the server yet. */
        boolean warming() {
            return !promoted && predecessor != null;
        }

        /** Whether it was retired (it takes no new exchanges). */
        boolean retired() {
            return retiredReason != null;
        }

        /**
         * A failure of one of this leaf's exchanges, explained when this leaf was closed at the drain bound the user
         * set while the exchange was alive.
         *
         * @param failure the failure
         * @param what    what was cut: "this body was still streaming", "the response headers had not arrived"
         * @return the explained failure, or {@code failure}
         */
        Throwable explain(Throwable failure, String what) {
            if (!forced) {
                return failure;
            }
            return new IOException("the connection to " + backend.address().authority() + " of " + backend.pool.target
                    + " was retired (" + retiredReason + ") and closed at its drain bound, fairway.lifetime.drain_grace="
                    + terms.drainGrace() + ", while " + what + " (without a drain_grace, a retired connection closes"
                    + " when its last exchange ends)", failure);
        }

        @Override
        public String toString() {
            return "leaf " + id + " (" + mode + ") of " + backend.address().authority();
        }
    }

    /** The leaves of one backend: per mode, the one taking requests and its warming successor. Changed only here. */
    static final class Slots {
        private final Slot[] modes = {new Slot(), new Slot()};
        private boolean removed; // guarded by this
    }

    /** The leaves of one mode: written under the {@link Slots}' lock, read without it on the request path. */
    private static final class Slot {
        volatile Leaf current;
        volatile Leaf successor;
    }

    private final ClientConfig config;
    private final Executor executor;
    private final Scheduler scheduler;
    private final Ticker ticker;
    private final Events events;
    private final int clientNumber;
    private final Runnable onLeafClosed;
    private final AtomicLong ids = new AtomicLong();
    private final Set<Leaf> open = new HashSet<>(); // created and not yet closed (draining ones too); guarded by itself
    private boolean closed; // guarded by open
    private volatile SSLContext sslContext;

    /**
     * @param onLeafClosed run after a leaf has closed (the client checks whether it has terminated)
     */
    Leaves(ClientConfig config, Executor executor, Scheduler scheduler, Ticker ticker, Events events, int clientNumber,
           Runnable onLeafClosed) {
        this.config = config;
        this.executor = executor;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.events = events;
        this.clientNumber = clientNumber;
        this.onLeafClosed = onLeafClosed;
        this.sslContext = config.sslContext().orElse(null);
    }

    // ---- the request path

    /**
     * The leaf a request of {@code mode} to {@code backend} should use: the warming successor for the first request
     * after a recycle began (that request connects it), otherwise the current leaf, created on first use.
     *
     * @throws IOException when the backend was removed or the client's pools have closed
     */
    Leaf leaf(BackendImpl backend, Mode mode) throws IOException {
        Slots slots = backend.leaves;
        Slot slot = slots.modes[mode.ordinal()];
        Leaf successor = slot.successor;
        if (successor != null && successor.probeClaimed.compareAndSet(false, true)) {
            return successor;
        }
        Leaf leaf = slot.current;
        if (leaf != null) {
            return leaf;
        }
        synchronized (slots) {
            leaf = slot.current;
            if (leaf == null) {
                if (slots.removed) {
                    throw new IOException("backend " + backend.address().authority() + " of " + backend.pool.target + " was removed");
                }
                leaf = create(backend, mode, null, null);
                slot.current = leaf;
            }
            return leaf;
        }
    }

    /** Counts an exchange the leaf accepted; starts replacing the leaf when its request budget is spent. */
    private void counted(Leaf leaf) {
        if (leaf.requests.incrementAndGet() == leaf.terms.maxRequests()) {
            recycle(leaf, "requests");
        }
    }

    /**
     * A warming successor's first exchange ended: it takes over when the exchange reached the server; when it
     * provably did not, the successor is dropped, the current leaf keeps serving and the replacement is tried again
     * later. Does nothing for a leaf that is not warming.
     */
    private void warmed(Leaf leaf, boolean reachedServer) {
        if (!leaf.warming()) {
            return;
        }
        if (reachedServer) {
            promote(leaf);
        } else {
            abandon(leaf);
        }
    }

    // ---- replacing a leaf

    /**
     * Starts replacing {@code leaf}: a successor is created and takes the next request; once that request has
     * reached the server the successor takes over and {@code leaf} drains. Does nothing if {@code leaf} is not
     * current or a replacement is already warming.
     */
    private void recycle(Leaf leaf, String reason) {
        Slots slots = leaf.backend.leaves;
        Slot slot = slots.modes[leaf.mode.ordinal()];
        Leaf successor;
        synchronized (slots) {
            if (!slots.removed && slot.successor == leaf) {
                // its terms ran out while it was still warming up: replace it as soon as it has taken over
                leaf.expiredWhileWarming = reason;
                return;
            }
            if (slots.removed || slot.current != leaf || slot.successor != null) {
                return;
            }
            try {
                successor = create(leaf.backend, leaf.mode, leaf, reason);
            } catch (IOException e) {
                return; // shutting down
            } catch (RuntimeException | OutOfMemoryError e) {
                // No successor now (out of threads or descriptors, say): the current leaf keeps serving, and the
                // replacement is tried again later. Never the caller's failure: this runs on a request's path.
                LOG.log(System.Logger.Level.WARNING, "could not build a successor for " + leaf + " (" + reason + "): " + e
                        + "; it keeps serving, and the replacement is tried again later");
                retryLater(leaf, reason);
                return;
            }
            slot.successor = successor;
        }
        // Without traffic nobody warms the successor; it takes over anyway after a while, so that no connection of the
        // old leaf (a long stream, say) outlives its age by more than that and the drain grace.
        Duration wait = leaf.terms.drainGrace().compareTo(Duration.ofSeconds(10)) < 0 ? leaf.terms.drainGrace() : Duration.ofSeconds(10);
        try {
            scheduler.schedule(() -> {
                if (successor.probeClaimed.compareAndSet(false, true)) {
                    promote(successor);
                }
            }, wait.isZero() ? Duration.ofMillis(1) : wait);
        } catch (RuntimeException rejected) {
            // shutting down: the leaves are being drained anyway
        }
    }

    /** The successor's first exchange reached the server: it becomes current and its predecessor drains. */
    private void promote(Leaf successor) {
        Slots slots = successor.backend.leaves;
        Slot slot = slots.modes[successor.mode.ordinal()];
        Leaf old;
        synchronized (slots) {
            if (slot.successor != successor) {
                return;
            }
            old = slot.current;
            slot.current = successor;
            slot.successor = null;
            successor.promoted = true;
            successor.predecessor = null;
        }
        if (old != null) {
            retire(old, successor.replacedFor);
        }
        String expired = successor.expiredWhileWarming;
        if (expired != null) {
            recycle(successor, expired);
        }
    }

    /** The successor could not connect: drop it, keep the current leaf, and try again later. */
    private void abandon(Leaf successor) {
        Slots slots = successor.backend.leaves;
        Slot slot = slots.modes[successor.mode.ordinal()];
        Leaf predecessor;
        synchronized (slots) {
            predecessor = successor.predecessor;
            if (slot.successor != successor || predecessor == null) {
                return;
            }
            slot.successor = null;
            successor.predecessor = null;
        }
        retire(successor, REPLACEMENT_FAILED);
        retryLater(predecessor, successor.replacedFor);
    }

    /** A successor could not be built or could not connect: try replacing its predecessor again a little later. */
    private void retryLater(Leaf predecessor, String reason) {
        Duration delay = predecessor.terms.hasMaxAge()
                ? Duration.ofMillis(Math.max(100, Math.min(5_000, predecessor.terms.maxAge().toMillis() / 10)))
                : Duration.ofSeconds(5);
        try {
            scheduler.schedule(() -> recycle(predecessor, reason), delay);
        } catch (RuntimeException rejected) {
            // shutting down
        }
    }

    // ---- creating, retiring, closing

    /** Creates a leaf (a successor of {@code predecessor} when given); fails once the client's pools have closed. */
    private Leaf create(BackendImpl backend, Mode mode, Leaf predecessor, String reason) throws IOException {
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
            builder.sslParameters(sslParameters(target));
        }
        if (mode == Mode.PROXY) {
            builder.proxy(ProxySelector.of(backend.address().socketAddress()));
        }
        LeafTerms terms = backend.pool.lifetime.termsFor(backend.address());
        Leaf leaf;
        synchronized (open) {
            if (closed) {
                throw Engine.closed(target);
            }
            leaf = new Leaf(this, ids.incrementAndGet(), backend, mode, config.version(), config.leafFactory().apply(builder), terms, ticker.read(),
                    predecessor, reason);
            open.add(leaf);
        }
        events.emit(new FairwayEvent.LeafCreated(target, backend.address(), leaf.id));
        if (terms.hasMaxAge()) {
            try {
                leaf.ageTimer = scheduler.schedule(() -> recycle(leaf, "age"), terms.maxAge());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not schedule the age limit of " + leaf + "; it will not be recycled for age", e);
            }
        }
        return leaf;
    }

    /** Retires every leaf of a backend for good: no new leaf will be created for it. */
    void retireAll(BackendImpl backend, String reason) {
        Slots slots = backend.leaves;
        List<Leaf> retired = new ArrayList<>();
        synchronized (slots) {
            slots.removed = true;
            for (Slot slot : slots.modes) {
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
        retired.forEach(l -> retire(l, reason));
    }

    /**
     * Retires a leaf: no new requests; it closes when its last exchange ends, or at the lifetime policy's drain bound
     * when one is set (then the exchanges still running are aborted, and their callers told why).
     */
    private void retire(Leaf leaf, String reason) {
        leaf.retiredReason = reason;
        Future<?> timer = leaf.ageTimer;
        if (timer != null) {
            timer.cancel(false);
        }
        Target target = leaf.backend.pool.target;
        events.emit(new FairwayEvent.LeafRetired(target, leaf.backend.address(), leaf.id, reason));
        if (!reason.equals(REPLACEMENT_FAILED)) {
            leaf.backend.pool.recycles.incrementAndGet();
        }
        HttpClient client = leaf.client;
        if (client == null) {
            return; // drained and closed already
        }
        client.shutdown();
        Thread.ofVirtual().name("fairway-" + clientNumber + "-drain-" + leaf.id).start(() -> {
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
                    released(leaf);
                }
                synchronized (open) {
                    open.remove(leaf);
                }
                onLeafClosed.run();
            }
        });
    }

    /**
     * Drops a terminated leaf's reference to its JDK client.
     *
     * <p>A JDK {@code HttpClient} built with a connect timeout keeps each connection's first exchange (its handler and
     * its future's dependents: here, the leaf) reachable from the client's internals, and the client's internals
     * stay reachable from the JDK's cleaner until the client's facade is unreachable: a cycle through a GC root that
     * never ends while the leaf holds the facade (measured on JDK 25; {@code JdkRetentionTest} pins it). So a
     * terminated leaf lets go of its client.
     */
    private static void released(Leaf leaf) {
        leaf.client = null;
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

    /** No new leaf from now on: the client's pools have closed. */
    void close() {
        synchronized (open) {
            closed = true;
        }
    }

    /** Aborts every exchange on every open leaf ({@code shutdownNow}). */
    void abortAll() {
        List<Leaf> all;
        synchronized (open) {
            all = List.copyOf(open);
        }
        for (Leaf leaf : all) {
            HttpClient client = leaf.client;
            if (client != null) {
                client.shutdownNow();
            }
        }
    }

    /** Whether no leaf is open or draining. */
    boolean isEmpty() {
        synchronized (open) {
            return open.isEmpty();
        }
    }

    // ---- for snapshots

    /** A backend's leaves open now (current and warming, not draining). */
    int openCount(BackendImpl backend) {
        Slots slots = backend.leaves;
        int n = 0;
        for (Slot slot : slots.modes) {
            n += (slot.current != null ? 1 : 0) + (slot.successor != null ? 1 : 0);
        }
        return n;
    }

    /** When the oldest current leaf of a backend was created ({@link Ticker} nanoseconds), or {@link Long#MAX_VALUE}. */
    long oldestCreated(BackendImpl backend) {
        Slots slots = backend.leaves;
        long oldest = Long.MAX_VALUE;
        for (Slot slot : slots.modes) {
            Leaf l = slot.current;
            if (l != null) {
                oldest = Math.min(oldest, l.createdNanos);
            }
        }
        return oldest;
    }

    // ---- TLS for https leaves

    /**
     * The TLS context for https leaves: the user's, or the JVM default.
     *
     * @return the context
     */
    SSLContext sslContext() {
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
    SSLParameters sslParametersCopy() {
        return SslParametersCopy.of(config.sslParameters().orElseGet(() -> sslContext().getDefaultSSLParameters()));
    }

    private SSLParameters sslParameters(Target target) {
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
}
