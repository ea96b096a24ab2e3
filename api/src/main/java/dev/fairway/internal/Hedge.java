package dev.fairway.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The attempts of one hedged hop, racing: the first whose response headers arrive {@linkplain #claim claims} the
 * hop, and the others are cancelled there and then (their bodies never read, their backends not blamed). One per
 * hedged hop, made by {@link MultiExchange}; its attempts ({@link Exchange}) claim through it at their headers.
 */
final class Hedge {

    private Exchange<?> winner;
    private final List<Exchange<?>> attempts = new ArrayList<>(3);
    private final List<CompletableFuture<?>> futures = new ArrayList<>(3);
    private boolean cancelled;

    /**
     * Claims the hop for {@code attempt}, whose headers arrived, and cancels the other attempts.
     *
     * @return {@code true} if {@code attempt} won (or had won already); {@code false} if another did
     */
    boolean claim(Exchange<?> attempt) {
        List<CompletableFuture<?>> losers = new ArrayList<>(2);
        synchronized (this) {
            if (winner != null) {
                return winner == attempt;
            }
            winner = attempt;
            for (int i = 0; i < attempts.size(); i++) {
                if (attempts.get(i) != attempt) {
                    losers.add(futures.get(i));
                }
            }
        }
        losers.forEach(f -> f.cancel(true)); // outside the lock: cancelling completes the loser's future here
        return true;
    }

    /** Records an attempt and its leaf's future; cancels the future at once if the hop was claimed or cancelled. */
    void sent(Exchange<?> attempt, CompletableFuture<?> future) {
        boolean cancel;
        synchronized (this) {
            cancel = cancelled || (winner != null && winner != attempt);
            if (!cancel) {
                attempts.add(attempt);
                futures.add(future);
            }
        }
        if (cancel) {
            future.cancel(true);
        }
    }

    /** Whether another attempt won: {@code attempt} lost the race. */
    synchronized boolean lost(Exchange<?> attempt) {
        return winner != null && winner != attempt;
    }

    /** The attempt that claimed the hop, or {@code null}: one read, where two would race a claim. */
    synchronized Exchange<?> winner() {
        return winner;
    }

    /** Forgets an attempt that ended. */
    synchronized void ended(Exchange<?> attempt) {
        int i = attempts.indexOf(attempt);
        if (i >= 0) {
            attempts.remove(i);
            futures.remove(i);
        }
    }

    /** Attempts still racing. */
    synchronized int racing() {
        return attempts.size();
    }

    /** The caller gave up: cancels every attempt, and any sent later. */
    void cancelAll() {
        List<CompletableFuture<?>> all;
        synchronized (this) {
            cancelled = true;
            all = List.copyOf(futures);
        }
        all.forEach(f -> f.cancel(true));
    }
}
