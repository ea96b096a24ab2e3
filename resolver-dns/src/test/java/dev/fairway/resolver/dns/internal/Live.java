package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.ResolverProvider;
import dev.fairway.spi.Scheduler;
import dev.fairway.spi.Target;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A resolver running on real time, for tests against real DNS servers: a real scheduler and executor, a listener
 * that records every call, and waits for conditions on what it recorded, each with a deadline.
 */
final class Live implements AutoCloseable {

    /** The longest any condition is waited for. */
    static final Duration DEADLINE = Duration.ofSeconds(15);

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "live-resolver-timer");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Object> events = new CopyOnWriteArrayList<>();
    private final Resolver resolver;

    /**
     * Creates and starts a resolver.
     *
     * @param provider   the provider
     * @param target     the target
     * @param options    its options
     * @param files      the system configuration to read, or {@code null} for the system's
     */
    Live(ResolverProvider provider, Target target, Map<String, ?> options, DirectLookup.SystemFiles files) {
        Scheduler scheduler = (task, delay) -> timers.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        OptionValues values = OptionValues.of(DnsOptions.PREFIX, provider.options(), options);
        provider.validate(values);
        ResolverContext context = new ResolverContext(target, values, System::nanoTime, scheduler, executor, 17);
        if (files == null) {
            resolver = provider.create(context);
        } else if (provider instanceof DnsResolverProvider dns) {
            resolver = dns.create(context, files);
        } else {
            resolver = ((DnsSrvResolverProvider) provider).create(context, files);
        }
        resolver.start(new Resolver.Listener() {
            @Override
            public void onAddresses(List<BackendAddress> addresses) {
                events.add(List.copyOf(addresses));
            }

            @Override
            public void onError(IOException error) {
                events.add(error);
            }
        });
    }

    /** A resolver of {@code provider} with {@code options}. */
    Live(ResolverProvider provider, Target target, Map<String, ?> options) {
        this(provider, target, options, null);
    }

    Resolver resolver() {
        return resolver;
    }

    /** Every listener call so far: address lists and exceptions. */
    List<Object> events() {
        return List.copyOf(events);
    }

    @SuppressWarnings("unchecked")
    List<List<BackendAddress>> addressSets() {
        return events.stream().filter(e -> e instanceof List).map(e -> (List<BackendAddress>) e).toList();
    }

    List<IOException> errors() {
        return events.stream().filter(e -> e instanceof IOException).map(e -> (IOException) e).toList();
    }

    /** The last published set, if any. */
    List<BackendAddress> last() {
        List<List<BackendAddress>> sets = addressSets();
        return sets.isEmpty() ? null : sets.get(sets.size() - 1);
    }

    /** The IP addresses of the last published set, as {@code ip:port} strings. */
    Set<String> lastSockets() {
        List<BackendAddress> last = last();
        return last == null ? Set.of() : last.stream().map(a -> {
            InetSocketAddress s = a.socketAddress();
            return s.getAddress().getHostAddress() + ":" + s.getPort();
        }).collect(Collectors.toSet());
    }

    /** Waits until the last published set's sockets are {@code expected}; returns the set. */
    List<BackendAddress> awaitSockets(Set<String> expected) {
        await("published set " + expected, () -> expected.equals(lastSockets()));
        return last();
    }

    /** Waits until at least {@code count} errors were reported; returns them. */
    List<IOException> awaitErrors(int count) {
        await(count + " errors", () -> errors().size() >= count);
        return errors();
    }

    /** Waits until some event matches. */
    Object awaitEvent(String what, Predicate<Object> matches) {
        await(what, () -> events.stream().anyMatch(matches));
        return events.stream().filter(matches).findFirst().orElseThrow();
    }

    /** Waits until {@code condition} holds, failing with the events so far after {@link #DEADLINE}. */
    void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + DEADLINE.toSeconds() + " s for " + what + "; events: " + describe());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private String describe() {
        List<String> lines = new ArrayList<>();
        for (Object e : events) {
            lines.add(e instanceof IOException io ? io.getClass().getSimpleName() + ": " + io.getMessage() : e.toString());
        }
        return String.join("\n  ", lines);
    }

    @Override
    public void close() {
        resolver.close();
        timers.shutdownNow();
        executor.shutdownNow();
    }
}
