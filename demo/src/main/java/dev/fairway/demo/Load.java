package dev.fairway.demo;

import dev.fairway.FairwayClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
        Objects.requireNonNull(client, "client");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build();
        Semaphore permits = new Semaphore(concurrency);
        LongAdder succeeded = new LongAdder();
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        Map<String, LongAdder> bodies = new ConcurrentHashMap<>();
        Map<String, LongAdder> servedBy = new ConcurrentHashMap<>();
        long deadline = System.nanoTime() + RUN_DEADLINE.toNanos();
        long start = System.nanoTime();
        long sent = 0;
        for (; sent < requests; sent++) {
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
        if (!finished || done < requests) {
            failed.merge("not finished within " + RUN_DEADLINE.toSeconds() + "s (" + (requests - sent) + " never sent)",
                    requests - done, Long::sum);
        }
        return new Result(requests, ok, failed, freeze(bodies), freeze(servedBy), elapsed);
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
