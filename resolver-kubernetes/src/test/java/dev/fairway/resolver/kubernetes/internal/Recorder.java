package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.Resolver;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** A resolver listener that records what it gets, and lets a test wait for it with a deadline (no sleeps). */
final class Recorder implements Resolver.Listener {

    private final List<List<BackendAddress>> sets = new ArrayList<>();
    private final List<IOException> errors = new ArrayList<>();
    private final AtomicBoolean inCall = new AtomicBoolean();
    private volatile boolean overlapped;

    @Override
    public void onAddresses(List<BackendAddress> addresses) {
        enter();
        synchronized (this) {
            sets.add(List.copyOf(addresses));
            notifyAll();
        }
        inCall.set(false);
    }

    @Override
    public void onError(IOException error) {
        enter();
        synchronized (this) {
            errors.add(error);
            notifyAll();
        }
        inCall.set(false);
    }

    private void enter() {
        if (!inCall.compareAndSet(false, true)) {
            overlapped = true;
        }
    }

    boolean overlapped() {
        return overlapped;
    }

    synchronized List<List<BackendAddress>> sets() {
        return List.copyOf(sets);
    }

    synchronized List<IOException> errors() {
        return List.copyOf(errors);
    }

    /** Waits until the latest published set satisfies {@code condition}. */
    synchronized List<BackendAddress> awaitLatest(Predicate<List<BackendAddress>> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (sets.isEmpty() || !condition.test(sets.get(sets.size() - 1))) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no published set matched within " + timeout + "; sets: " + sets + "; errors: " + errors);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return sets.get(sets.size() - 1);
    }

    /** Waits until the latest set is exactly these {@code ip:port} authorities (in any order). */
    List<BackendAddress> awaitAuthorities(Duration timeout, String... authorities) throws InterruptedException {
        Set<String> expected = Set.of(authorities);
        return awaitLatest(set -> authorities(set).equals(expected) && set.size() == expected.size(), timeout);
    }

    /** Waits until an error matches {@code condition}, and returns it. */
    synchronized IOException awaitError(Predicate<IOException> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (IOException e : errors) {
                if (condition.test(e)) {
                    return e;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no error matched within " + timeout + "; errors: " + errors + "; sets: " + sets);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    static Set<String> authorities(List<BackendAddress> set) {
        return set.stream().map(BackendAddress::authority).collect(Collectors.toSet());
    }
}
