package dev.fairway.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Requests flowing through one client until stopped, paced to about one per millisecond with a few in flight,
 * each recorded with the time it was sent and the backend that answered (the response body names it).
 */
final class Traffic implements AutoCloseable {

    /** The longest any condition is waited for. */
    static final Duration DEADLINE = Duration.ofSeconds(20);

    /**
     * One request.
     *
     * @param sentNanos when it was sent
     * @param backend   the backend IP that answered, or {@code null}
     * @param failure   what went wrong, or {@code null}
     */
    record Sent(long sentNanos, String backend, String failure) {
    }

    private final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    /** How many requests are in flight at most. */
    static final int IN_FLIGHT = 4;

    private final Semaphore permits = new Semaphore(IN_FLIGHT);
    private final Thread sender;
    private volatile boolean stopped;

    Traffic(HttpClient client, URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
        sender = Thread.ofPlatform().daemon().name("traffic").start(() -> {
            while (!stopped) {
                try {
                    permits.acquire();
                } catch (InterruptedException e) {
                    return;
                }
                long at = System.nanoTime();
                client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    sent.add(cause != null ? new Sent(at, null, cause.toString())
                            : response.statusCode() == 200 ? new Sent(at, response.body(), null)
                            : new Sent(at, null, "HTTP " + response.statusCode()));
                    permits.release();
                });
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        });
    }

    /** Every request completed so far. */
    List<Sent> sent() {
        return List.copyOf(sent);
    }

    /** The failures so far. */
    List<Sent> failures() {
        return sent.stream().filter(s -> s.failure() != null).toList();
    }

    /** When the first request sent at or after {@code from} reached {@code ip}, or -1. */
    long firstTo(String ip, long from) {
        return sent.stream().filter(s -> ip.equals(s.backend()) && s.sentNanos() >= from)
                .mapToLong(Sent::sentNanos).min().orElse(-1);
    }

    /** When the last request to any of {@code ips} was sent, or -1. */
    long lastTo(Set<String> ips) {
        return sent.stream().filter(s -> s.backend() != null && ips.contains(s.backend()))
                .mapToLong(Sent::sentNanos).max().orElse(-1);
    }

    /** Waits until {@code condition} holds, failing after {@link #DEADLINE}. */
    static void await(String what, BooleanSupplier condition) {
        await(what, DEADLINE, condition);
    }

    /** Waits until {@code condition} holds, failing after {@code limit}. */
    static void await(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + limit.toSeconds() + " s for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Stops sending and waits for the requests in flight (each has a timeout); idempotent. */
    void stop() {
        stopped = true;
        try {
            sender.join(DEADLINE.toMillis());
            if (permits.tryAcquire(IN_FLIGHT, DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                permits.release(IN_FLIGHT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** As {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }
}
