package dev.fairway.internal;

import dev.fairway.spi.LeafTerms;

import java.io.IOException;
import java.net.http.HttpClient;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** One {@link HttpClient} bound to one backend, holding that backend's connections for one {@link Mode}. */
final class Leaf {

    /** What a successor leaf replaces, and why. */
    record Replacing(Leaf predecessor, String reason) {
    }

    final long id;
    final BackendImpl backend;
    final Mode mode;
    /**
     * The JDK client, until the leaf has terminated; then {@code null}. Objects of an exchange can stay reachable
     * from a terminated JDK client (see {@link #released()}), and they reach this leaf: holding the client only while
     * it runs lets the JDK free it.
     */
    private volatile HttpClient client;
    final LeafTerms terms;
    final long createdNanos;
    /**
     * Non-null while this leaf is a successor that has not taken over yet; cleared when it takes over or is dropped,
     * so that a successor does not keep its predecessor (and the whole line before it) reachable.
     */
    volatile Replacing replacing;
    /** Why this leaf was created: {@code null} for a first leaf, else the reason its predecessor was replaced. */
    final String replacedFor;
    final AtomicLong requests = new AtomicLong();
    private final AtomicBoolean probeClaimed = new AtomicBoolean();
    volatile boolean retired;
    volatile String retiredReason = "";
    volatile boolean forced;
    volatile boolean promoted;
    /** Set when this leaf's terms ran out before it took over; it is then replaced right after taking over. */
    volatile String expiredWhileWarming;
    volatile Future<?> ageTimer;

    Leaf(long id, BackendImpl backend, Mode mode, HttpClient client, LeafTerms terms, long createdNanos, Replacing replacing) {
        this.id = id;
        this.backend = backend;
        this.mode = mode;
        this.client = client;
        this.terms = terms;
        this.createdNanos = createdNanos;
        this.replacing = replacing;
        this.replacedFor = replacing == null ? null : replacing.reason();
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

    /** The JDK client for the leaf's own lifecycle; {@code null} once {@link #released()}. */
    HttpClient clientWhileOpen() {
        return client;
    }

    /**
     * Drops the reference to the JDK client once it has terminated.
     *
     * <p>A JDK {@code HttpClient} built with a connect timeout keeps each connection's first exchange (its handler and
     * its future's dependents: here, this leaf) reachable from the client's internals, and the client's internals
     * stay reachable from the JDK's cleaner until the client's facade is unreachable: a cycle through a GC root that
     * never ends while this leaf holds the facade (measured on JDK 25; {@code JdkRetentionTest} pins it). So a
     * terminated leaf lets go of its client.
     */
    void released() {
        client = null;
    }

    /** Whether the calling request is the one that warms this successor up. */
    boolean claimProbe() {
        return probeClaimed.compareAndSet(false, true);
    }

    /** Counts a request; starts replacing the leaf when its request budget is spent. */
    void countRequest() {
        if (requests.incrementAndGet() == terms.maxRequests()) {
            backend.recycle(this, "requests");
        }
    }

    @Override
    public String toString() {
        return "leaf " + id + " (" + mode + ") of " + backend.address().authority();
    }
}
