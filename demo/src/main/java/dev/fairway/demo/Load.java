package dev.fairway.demo;

import dev.fairway.FairwayClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends a fixed number of {@code GET} requests through one client with a bounded number in flight, and tallies
 * what came back: successes, failures by kind, which backend each response says it came from (its body) and, for a
 * {@link FairwayClient}, which backend {@link FairwayClient#servedBy(HttpResponse)} names.
 *
 * <p>Every request has a timeout, and the whole run a deadline, so a run always ends.
 */
final class Load {

    /** Per-request timeout. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** The longest a whole run may take before the requests still open count as failed. */
    static final Duration RUN_DEADLINE = Duration.ofSeconds(120);

    private Load() {
    }

    /**
     * What one run produced.
     *
     * @param sent      requests sent
     * @param succeeded responses with status 200
     * @param failures  failure description to count (non-200 statuses and exceptions)
     * @param bodies    backend IP in the response body to count
     * @param servedBy  backend IP named by {@link FairwayClient#servedBy(HttpResponse)} to count; empty for other clients
     * @param elapsed   wall-clock time of the run
     */
    record Result(long sent, long succeeded, Map<String, Long> failures, Map<String, Long> bodies,
                  Map<String, Long> servedBy, Duration elapsed) {

        /** @return how many requests failed */
        long failed() {
            return sent - succeeded;
        }
    }

    /**
     * Sends {@code requests} requests to {@code uri} through {@code client}, at most {@code concurrency} at a time.
     *
     * @param client      the client
     * @param uri         the target
     * @param requests    how many, at least 0
     * @param concurrency how many in flight at most, at least 1
     * @return the tally
     * @throws InterruptedException if interrupted while waiting
     */
    static Result run(HttpClient client, URI uri, int requests, int concurrency) throws InterruptedException {
        return run(client, uri, requests, RUN_DEADLINE, concurrency);
    }

    /**
     * Sends requests to {@code uri} through {@code client}, at most {@code concurrency} at a time, for
     * {@code window}: the last one is sent before the window ends, and the run ends when it completes.
     *
     * @param client      the client
     * @param uri         the target
     * @param window      how long to send, shorter than {@link #RUN_DEADLINE}
     * @param concurrency how many in flight at most, at least 1
     * @return the tally; its {@code sent} is how many were sent in the window
     * @throws InterruptedException if interrupted while waiting
     */
    static Result runFor(HttpClient client, URI uri, Duration window, int concurrency) throws InterruptedException {
        if (window.compareTo(RUN_DEADLINE) >= 0) {
            throw new IllegalArgumentException("a window of " + window + " does not fit in the run deadline of " + RUN_DEADLINE);
        }
        return run(client, uri, Long.MAX_VALUE, window, concurrency);
    }

    private static Result run(HttpClient client, URI uri, long requests, Duration window, int concurrency)
            throws InterruptedException {
        Objects.requireNonNull(client, "client");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build();
        Semaphore permits = new Semaphore(concurrency);
        LongAdder succeeded = new LongAdder();
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        Map<String, LongAdder> bodies = new ConcurrentHashMap<>();
        Map<String, LongAdder> servedBy = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long deadline = start + RUN_DEADLINE.toNanos();
        long windowEnd = start + window.toNanos();
        long sent = 0;
        for (; sent < requests && System.nanoTime() - windowEnd < 0; sent++) {
            if (!permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            try {
                client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
                    try {
                        if (failure != null) {
                            count(failures, describe(failure));
                        } else if (response.statusCode() != 200) {
                            count(failures, "HTTP status " + response.statusCode());
                        } else {
                            succeeded.increment();
                            count(bodies, response.body());
                            FairwayClient.servedBy(response).ifPresent(b -> count(servedBy, b.getAddress().getHostAddress()));
                        }
                    } finally {
                        permits.release();
                    }
                });
            } catch (RuntimeException e) {
                permits.release();
                count(failures, describe(e));
            }
        }
        boolean finished = permits.tryAcquire(concurrency, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        long ok = succeeded.sum();
        Map<String, Long> failed = freeze(failures);
        long done = ok + failed.values().stream().mapToLong(Long::longValue).sum();
        long wanted = requests == Long.MAX_VALUE ? sent : requests;     // a window wants what it sent
        if (!finished || done < wanted) {
            failed.merge("not finished within " + RUN_DEADLINE.toSeconds() + "s (" + (wanted - sent) + " never sent)",
                    wanted - done, Long::sum);
        }
        return new Result(wanted, ok, failed, freeze(bodies), freeze(servedBy), elapsed);
    }

    /**
     * One request of a {@link Continuous} run.
     *
     * @param sentNanos when it was sent, on {@link System#nanoTime()}
     * @param backend   the backend IP its response body named, or {@code null} when it failed
     * @param failure   what went wrong, or {@code null} when it succeeded
     */
    record Sent(long sentNanos, String backend, String failure) {
    }

    /**
     * Sends {@code GET} requests through one client without pause, at most {@code concurrency} at a time, from
     * {@link #start} until a window, opened with {@link #countFrom}, holds the wanted number of requests (or, after
     * {@link #keepSending()}, until {@link #stop()}), or the run deadline passes. Records every request.
     */
    static final class Continuous {
        private final HttpClient client;
        private final HttpRequest request;
        private final int concurrency;
        private final Semaphore permits;
        private final java.util.Queue<Sent> sent = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.atomic.AtomicLong completed = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong inWindow = new java.util.concurrent.atomic.AtomicLong();
        private volatile long windowStart = Long.MAX_VALUE;
        private volatile long windowSize;
        private volatile boolean stopAtWindowEnd = true;
        private volatile boolean stopped;
        private Thread sender;

        Continuous(HttpClient client, URI uri, int concurrency) {
            this.client = Objects.requireNonNull(client, "client");
            this.request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build();
            this.concurrency = concurrency;
            this.permits = new Semaphore(concurrency);
        }

        /** Starts sending. */
        void start() {
            long deadline = System.nanoTime() + RUN_DEADLINE.toNanos();
            sender = Thread.ofPlatform().name("demo-load").daemon().start(() -> send(deadline));
        }

        private boolean windowFull() {
            return windowStart != Long.MAX_VALUE && inWindow.get() >= windowSize;
        }

        private void send(long deadline) {
            try {
                while (!stopped && System.nanoTime() < deadline && !(stopAtWindowEnd && windowFull())) {
                    if (!permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        return;
                    }
                    long at = System.nanoTime();
                    if (at >= windowStart) {
                        inWindow.incrementAndGet();
                    }
                    try {
                        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
                            try {
                                if (failure != null) {
                                    sent.add(new Sent(at, null, describe(failure)));
                                } else if (response.statusCode() != 200) {
                                    sent.add(new Sent(at, null, "HTTP status " + response.statusCode()));
                                } else {
                                    sent.add(new Sent(at, response.body(), null));
                                }
                            } finally {
                                completed.incrementAndGet();
                                permits.release();
                            }
                        });
                    } catch (RuntimeException e) {
                        sent.add(new Sent(at, null, describe(e)));
                        completed.incrementAndGet();
                        permits.release();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * Waits until {@code n} requests have completed, or the run deadline passed.
         *
         * @param n how many
         * @throws InterruptedException if interrupted
         */
        void awaitCompleted(long n) throws InterruptedException {
            awaitCondition(() -> completed.get() >= n);
        }

        /**
         * Waits until the window holds its requests, or the run deadline passed.
         *
         * @throws InterruptedException if interrupted
         */
        void awaitWindow() throws InterruptedException {
            awaitCondition(this::windowFull);
        }

        private void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + RUN_DEADLINE.toNanos();
            while (!condition.getAsBoolean() && System.nanoTime() < deadline && sender.isAlive()) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        }

        /**
         * Opens the window: the run stops once {@code size} requests were sent at or after {@code startNanos}
         * (unless {@link #keepSending()} was called).
         *
         * @param startNanos the window's start, on {@link System#nanoTime()}
         * @param size       how many requests the window holds
         */
        void countFrom(long startNanos, long size) {
            windowSize = size;
            windowStart = startNanos;
        }

        /** Keeps sending after the window is full, until {@link #stop()}. */
        void keepSending() {
            stopAtWindowEnd = false;
        }

        /** Stops sending; the requests in flight complete ({@link #finish()} waits for them). */
        void stop() {
            stopped = true;
        }

        /**
         * The requests completed so far.
         *
         * @return them, in no particular order
         */
        List<Sent> completed() {
            return List.copyOf(sent);
        }

        /**
         * Waits until the window is full (or {@link #stop()} was called) and every request sent has completed (each
         * has a timeout).
         *
         * @return every request sent, in no particular order
         * @throws InterruptedException if interrupted
         */
        List<Sent> finish() throws InterruptedException {
            sender.join(RUN_DEADLINE.toMillis());
            if (permits.tryAcquire(concurrency, REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
                permits.release(concurrency);
            }
            return List.copyOf(sent);
        }
    }

    private static void count(Map<String, LongAdder> counts, String key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static Map<String, Long> freeze(Map<String, LongAdder> counts) {
        Map<String, Long> frozen = new TreeMap<>();
        counts.forEach((k, v) -> frozen.put(k, v.sum()));
        return frozen;
    }

    /** The exception's type and message, unwrapped from the future's wrappers. */
    private static String describe(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getClass().getName() + ": " + cause.getMessage();
    }
}
