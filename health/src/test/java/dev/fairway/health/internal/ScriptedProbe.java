package dev.fairway.health.internal;

import dev.fairway.spi.Ticker;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A probe whose answers a test sets; records when each probe started. */
class ScriptedProbe implements Probe {

    private final Ticker ticker;
    final List<Long> starts = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<ProbeResult>> pending = new CopyOnWriteArrayList<>();
    volatile ProbeResult answer = ProbeResult.passed("GET /healthz answered 200");
    /** When set, probes do not answer until the test completes their future. */
    volatile boolean hang;

    ScriptedProbe(Ticker ticker) {
        this.ticker = ticker;
    }

    void pass() {
        answer = ProbeResult.passed("GET /healthz answered 200");
    }

    void fail() {
        answer = ProbeResult.failed("GET /healthz answered 503");
    }

    int started() {
        return starts.size();
    }

    @Override
    public String description() {
        return "GET /healthz";
    }

    @Override
    public CompletableFuture<ProbeResult> start() {
        starts.add(ticker.read());
        if (hang) {
            CompletableFuture<ProbeResult> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }
        return CompletableFuture.completedFuture(answer);
    }
}
