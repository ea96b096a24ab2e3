package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.spi.OptionValues;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.Scheduler;
import dev.fairway.spi.Target;
import dev.fairway.spi.Ticker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A real executor and scheduler for tests against servers, with a ticker that a test can move forward (for the token's
 * age) on top of the system's.
 */
final class Env implements AutoCloseable {

    final ExecutorService executor = Executors.newCachedThreadPool();
    final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    final AtomicLong offset = new AtomicLong();
    final Ticker ticker = () -> System.nanoTime() + offset.get();
    final Scheduler scheduler = (task, delay) -> timers.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    final Map<String, String> variables = new HashMap<>();
    final UnaryOperator<String> env = variables::get;

    void jump(Duration d) {
        offset.addAndGet(d.toNanos());
    }

    ResolverContext context(String host, int port, Map<String, ?> options) {
        OptionValues values = OptionValues.of("fairway.resolver.", KubernetesOptions.ALL, options);
        return new ResolverContext(new Target("http", host, port), values, ticker, scheduler, executor, 7);
    }

    static Path write(Path dir, String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    @Override
    public void close() {
        timers.shutdownNow();
        executor.shutdownNow();
    }
}
