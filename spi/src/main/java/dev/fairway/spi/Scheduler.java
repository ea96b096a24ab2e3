package dev.fairway.spi;

import java.time.Duration;
import java.util.concurrent.Future;

/**
 * Runs short tasks after a delay, on the time of the context's {@link Ticker}. Injected so that tests can run
 * due tasks by advancing a fake clock.
 *
 * <p>Tasks run on a shared thread and must not block: hand blocking work (DNS look-ups, I/O) to the context's
 * executor. A task that throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface Scheduler {

    /**
     * Runs {@code task} once after {@code delay}.
     *
     * @param task  the task
     * @param delay the delay, zero or positive
     * @return a future whose {@link Future#cancel(boolean) cancel} prevents the task if it has not started
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler has been shut down
     */
    Future<?> schedule(Runnable task, Duration delay);
}
