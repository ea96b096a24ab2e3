package dev.fairway.internal;

import dev.fairway.spi.Scheduler;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The default {@link Scheduler}: one daemon thread per client, on {@link System#nanoTime()}. */
final class SystemScheduler implements Scheduler {

    private static final System.Logger LOG = System.getLogger(SystemScheduler.class.getName());
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final ScheduledThreadPoolExecutor executor;
    private final String name;

    SystemScheduler() {
        name = "fairway-scheduler-" + COUNT.incrementAndGet();
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Future<?> schedule(Runnable task, Duration delay) {
        return executor.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.WARNING, "scheduled task " + task + " failed", e);
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    void shutdown() {
        executor.shutdownNow();
    }

    boolean isTerminated() {
        return executor.isTerminated() || Thread.currentThread().getName().equals(name);
    }

    /** Waits for the scheduler's thread to end, unless called on that thread (then it is ending after this task). */
    boolean awaitTermination(long nanos) throws InterruptedException {
        return Thread.currentThread().getName().equals(name) || executor.awaitTermination(nanos, TimeUnit.NANOSECONDS);
    }
}
