package dev.fairway.internal;

import dev.fairway.spi.LeafTerms;

import java.net.http.HttpClient;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/** One {@link HttpClient} bound to one backend, holding that backend's connections for one {@link Mode}. */
final class Leaf {

    final long id;
    final BackendImpl backend;
    final Mode mode;
    final HttpClient client;
    final LeafTerms terms;
    final AtomicLong requests = new AtomicLong();
    volatile boolean retired;
    volatile Future<?> ageTimer;

    Leaf(long id, BackendImpl backend, Mode mode, HttpClient client, LeafTerms terms) {
        this.id = id;
        this.backend = backend;
        this.mode = mode;
        this.client = client;
        this.terms = terms;
    }

    /** Counts a request; retires the leaf (for later requests) when its request budget is spent. */
    void countRequest() {
        if (requests.incrementAndGet() >= terms.maxRequests()) {
            backend.retire(this, "requests");
        }
    }

    @Override
    public String toString() {
        return "leaf " + id + " (" + mode + ") of " + backend.address().authority();
    }
}
