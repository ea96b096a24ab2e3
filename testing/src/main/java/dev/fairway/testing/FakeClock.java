package dev.fairway.testing;

import dev.fairway.spi.Scheduler;
import dev.fairway.spi.Ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A clock that moves only when a test advances it, and a scheduler that runs tasks when their time comes, in
 * the thread that advances the clock.
 *
 * {@snippet :
 * FakeClock clock = new FakeClock();
 * resolver = provider.create(new ResolverContext(target, options, clock, clock, Runnable::run, 42));
 * resolver.start(listener);
 * clock.advance(Duration.ofSeconds(30));   // runs the refresh that came due
 * }
 *
 * <p>Thread-safe; tasks run outside the clock's lock, in due order, and a task scheduled by a running task runs in
 * the same {@link #advance} call if it comes due within it.
 */
public final class FakeClock implements Ticker, Scheduler {

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long nanos;
    private long sequence;

    /** A clock at an arbitrary origin with no tasks. */
    public FakeClock() {
        this.nanos = 1_000_000_000L;
    }

    @Override
    public synchronized long read() {
        return nanos;
    }

    @Override
    public synchronized Future<?> schedule(Runnable task, Duration delay) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        Task t = new Task(task, nanos + delay.toNanos(), sequence++);
        queue.add(t);
        return t;
    }

    /**
     * Moves time forward by {@code duration}, running every task that comes due, each at its own time.
     *
     * @param duration how far to move, zero or positive
     */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("cannot move time backwards: " + duration);
        }
        long target;
        synchronized (this) {
            target = nanos + duration.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                Task head = queue.peek();
                while (head != null && head.cancelled) {
                    queue.poll();
                    head = queue.peek();
                }
                if (head == null || head.due > target) {
                    nanos = target;
                    return;
                }
                next = queue.poll();
                nanos = Math.max(nanos, next.due);
            }
            next.run();
        }
    }

    /** Runs the tasks that are due now, without moving time. */
    public void runDueTasks() {
        advance(Duration.ZERO);
    }

    /**
     * The tasks scheduled and neither run nor cancelled.
     *
     * @return the count
     */
    public synchronized int pendingTasks() {
        return (int) queue.stream().filter(t -> !t.cancelled).count();
    }

    /**
     * The delays from now of the pending tasks, soonest first.
     *
     * @return the delays
     */
    public synchronized List<Duration> pendingDelays() {
        List<Duration> delays = new ArrayList<>();
        queue.stream().filter(t -> !t.cancelled).sorted().forEach(t -> delays.add(Duration.ofNanos(t.due - nanos)));
        return delays;
    }

    private static final class Task implements Future<Void>, Comparable<Task> {
        private final Runnable body;
        private final long due;
        private final long order;
        private volatile boolean cancelled;
        private volatile boolean done;
        private volatile Throwable failure;

        Task(Runnable body, long due, long order) {
            this.body = body;
            this.due = due;
            this.order = order;
        }

        void run() {
            if (cancelled) {
                return;
            }
            try {
                body.run();
            } catch (Throwable t) {
                failure = t;
                throw t;
            } finally {
                done = true;
            }
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(order, o.order);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (done) {
                return false;
            }
            cancelled = true;
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Void get() throws ExecutionException {
            if (cancelled) {
                throw new CancellationException();
            }
            if (!done) {
                throw new IllegalStateException("the task has not run yet: advance the FakeClock");
            }
            if (failure != null) {
                throw new ExecutionException(failure);
            }
            return null;
        }

        @Override
        public Void get(long timeout, TimeUnit unit) throws ExecutionException, TimeoutException {
            if (!isDone()) {
                throw new TimeoutException("the task has not run yet: advance the FakeClock");
            }
            return get();
        }
    }
}
