package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.Scheduler;
import dev.fairway.spi.Target;
import dev.fairway.spi.Ticker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;

import static dev.fairway.resolver.dns.internal.DnsResolverProvider.BACKOFF_INITIAL;
import static dev.fairway.resolver.dns.internal.DnsResolverProvider.BACKOFF_MAX;
import static dev.fairway.resolver.dns.internal.DnsResolverProvider.MIN_REFRESH_INTERVAL;
import static dev.fairway.resolver.dns.internal.DnsResolverProvider.REFRESH_INTERVAL;
import static dev.fairway.resolver.dns.internal.DnsResolverProvider.REFRESH_JITTER;

/**
 * Resolves one target's host name and keeps its address set fresh.
 *
 * <p>At most one look-up runs at a time, always on the context's executor; at most one timer is pending, on the
 * context's scheduler; time comes from the context's ticker. After a success the next look-up is due after
 * {@code refresh_interval} ± {@code refresh_jitter}; after a failure the listener hears {@code onError}, nothing is
 * published (Fairway keeps the last good set), and the look-up is retried after an exponential backoff.
 *
 * <p>{@link #refresh()} asks for a look-up now, but never sooner than {@code min_refresh_interval} after the
 * start of the previous one; it does nothing while a look-up is running (that look-up answers it) or while a
 * retry after a failure is pending (the backoff protects a struggling DNS server).
 *
 * <p>Thread-safe. Listener calls never overlap; {@link #close()} waits for a listener call in progress, so a
 * listener must not wait for a thread that is calling {@code close()}.
 */
public final class DnsResolver implements Resolver {

    private static final System.Logger LOG = System.getLogger(DnsResolver.class.getName());

    /** Resolves a host name to its addresses; blocking. Mirrors {@link InetAddress#getAllByName(String)}. */
    @FunctionalInterface
    interface Lookup {
        /**
         * Looks up {@code host}.
         *
         * @param host a host name or IP literal
         * @return at least one address
         * @throws IOException for a failed look-up; runtime exceptions count as failures too
         */
        InetAddress[] lookup(String host) throws IOException;
    }

    /** The JVM's system resolver, with its cache. */
    static final Lookup SYSTEM_LOOKUP = InetAddress::getAllByName;

    private final Target target;
    private final Lookup lookup;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final Executor executor;
    private final long seed;
    private final long refreshNanos;
    private final double jitter;
    private final long backoffInitialNanos;
    private final long backoffCapNanos;
    private final long minRefreshNanos;

    /** Guards the state below. Never held while calling the listener, the executor or the lookup. */
    private final Object lock = new Object();
    /** Held while calling the listener, so that calls never overlap and close() can wait for one in progress. */
    private final ReentrantLock delivery = new ReentrantLock();

    private final SplittableRandom random;
    private Listener listener;
    private volatile boolean closed;
    private boolean inFlight;
    private boolean everLookedUp;
    private long lastStartNanos;
    private int failures;
    private Future<?> timer;
    private long timerDueNanos;
    private long timerGeneration;
    private List<BackendAddress> lastPublished = List.of();

    /**
     * A resolver for the context's target that looks names up with {@code lookup}.
     *
     * @param context the context, with options validated against {@link DnsResolverProvider#options()}
     * @param lookup  the blocking look-up; tests script it
     * @throws IllegalArgumentException if {@code backoff_initial} is longer than {@code backoff_max}
     */
    DnsResolver(ResolverContext context, Lookup lookup) {
        Objects.requireNonNull(context, "context");
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        OptionValues options = context.options();
        new DnsResolverProvider().validate(options);
        Duration refresh = options.get(REFRESH_INTERVAL);
        Duration max = options.get(BACKOFF_MAX);
        this.target = context.target();
        this.ticker = context.ticker();
        this.scheduler = context.scheduler();
        this.executor = context.executor();
        this.seed = context.seed();
        this.random = new SplittableRandom(context.seed());
        this.refreshNanos = refresh.toNanos();
        this.jitter = options.get(REFRESH_JITTER);
        this.backoffInitialNanos = options.get(BACKOFF_INITIAL).toNanos();
        this.backoffCapNanos = Math.min(max.toNanos(), refreshNanos);
        this.minRefreshNanos = options.get(MIN_REFRESH_INTERVAL).toNanos();
    }

    @Override
    public void start(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (this.listener != null) {
                LOG.log(System.Logger.Level.WARNING, "resolver for {0} was started twice; the second start is ignored", target);
                return;
            }
            this.listener = listener;
            scheduleLocked(0);
        }
    }

    @Override
    public void refresh() {
        synchronized (lock) {
            if (closed || listener == null || inFlight || (failures > 0 && timer != null)) {
                return;
            }
            long now = ticker.read();
            long delay = everLookedUp ? Math.max(0, minRefreshNanos - (now - lastStartNanos)) : 0;
            if (timer != null && timerDueNanos - now <= delay) {
                return;
            }
            scheduleLocked(delay);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (!closed) {
                closed = true;
                if (timer != null) {
                    timer.cancel(false);
                    timer = null;
                }
                timerGeneration++;
            }
        }
        // Wait for a listener call in progress: none may follow close().
        delivery.lock();
        delivery.unlock();
    }

    @Override
    public String toString() {
        return "DnsResolver[" + target + "]";
    }

    /** Replaces the pending timer, if any, with one that starts a look-up after {@code delayNanos}. */
    private void scheduleLocked(long delayNanos) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        long generation = ++timerGeneration;
        long now = ticker.read();
        Future<?> scheduled;
        try {
            scheduled = scheduler.schedule(() -> onTimer(generation), Duration.ofNanos(delayNanos));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot schedule the next resolution of " + target.host()
                    + "; its addresses will no longer be refreshed", e);
            return;
        }
        if (generation == timerGeneration) {  // not yet run by a scheduler that runs tasks at once
            timer = scheduled;
            timerDueNanos = now + delayNanos;
        }
    }

    private void onTimer(long generation) {
        synchronized (lock) {
            if (closed || generation != timerGeneration || inFlight) {
                return;
            }
            timer = null;
            timerGeneration++;
            inFlight = true;
            everLookedUp = true;
            lastStartNanos = ticker.read();
        }
        try {
            executor.execute(this::lookUp);
        } catch (RuntimeException e) {
            complete(null, e);
        }
    }

    private void lookUp() {
        List<InetAddress> found = null;
        Throwable failure = null;
        try {
            found = List.of(lookup.lookup(target.host()));
        } catch (Throwable t) {
            failure = t;
        }
        complete(found, failure);
        if (failure instanceof Error e) {
            throw e;
        }
    }

    private void complete(List<InetAddress> found, Throwable failure) {
        Listener to;
        List<BackendAddress> addresses = null;
        IOException error = null;
        boolean changed = false;
        int failuresInARow;
        long next;
        synchronized (lock) {
            if (closed) {
                inFlight = false;
                return;
            }
            to = listener;
            if (failure == null) {
                failures = 0;
                addresses = order(found);
                changed = !addresses.equals(lastPublished);
                lastPublished = addresses;
                next = jittered(refreshNanos);
            } else {
                failures++;
                next = backoff(failures);
                error = describe(failure, next);
            }
            failuresInARow = failures;
        }
        if (addresses != null && changed) {
            List<BackendAddress> logged = addresses;
            LOG.log(System.Logger.Level.DEBUG, () -> "resolved " + target.host() + " to " + logged);
        } else if (error != null) {
            LOG.log(failuresInARow == 1 ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                    error.getMessage() + " (failure " + failuresInARow + " in a row)");
        }
        delivery.lock();
        try {
            if (!closed) {
                if (addresses != null) {
                    to.onAddresses(addresses);
                } else {
                    to.onError(error);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "resolver listener for " + target + " failed", e);
        } finally {
            delivery.unlock();
        }
        synchronized (lock) {
            inFlight = false;
            if (!closed) {
                scheduleLocked(next);
            }
        }
    }

    /**
     * The distinct addresses with the target's port, in an order that depends only on this client's seed and the
     * addresses themselves: different clients get different orders, while one client keeps the relative order of
     * its addresses across refreshes, even as others come and go.
     */
    private List<BackendAddress> order(List<InetAddress> found) {
        List<InetAddress> distinct = new ArrayList<>(new LinkedHashSet<>(found));
        distinct.sort(Comparator.comparingLong(this::rank)
                .thenComparing((a, b) -> Arrays.compareUnsigned(a.getAddress(), b.getAddress())));
        List<BackendAddress> addresses = new ArrayList<>(distinct.size());
        for (InetAddress address : distinct) {
            addresses.add(BackendAddress.of(address, target.port()));
        }
        return List.copyOf(addresses);
    }

    private long rank(InetAddress address) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (byte b : address.getAddress()) {
            h = mix(h ^ (b & 0xFF));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** {@code nanos} × (1 ± jitter). */
    private long jittered(long nanos) {
        return Math.max(0, Math.round(nanos * (1 + jitter * (2 * random.nextDouble() - 1))));
    }

    /** backoff_initial × 2^(failures − 1), at most the cap, shortened by up to the jitter fraction. */
    private long backoff(int failuresInARow) {
        long base = backoffInitialNanos;
        for (int i = 1; i < failuresInARow && base < backoffCapNanos; i++) {
            base *= 2;
        }
        base = Math.min(base, backoffCapNanos);
        return Math.max(0, Math.round(base * (1 - jitter * random.nextDouble())));
    }

    private IOException describe(Throwable failure, long retryNanos) {
        String type = failure.getClass().getSimpleName().isEmpty() ? failure.getClass().getName()
                : failure.getClass().getSimpleName();
        String message = "cannot resolve " + target.host() + ": " + type
                + (failure.getMessage() != null ? ": " + failure.getMessage() : "")
                + "; retrying in " + format(retryNanos);
        if (failure instanceof UnknownHostException) {
            UnknownHostException e = new UnknownHostException(message);
            e.initCause(failure);
            return e;
        }
        return new IOException(message, failure);
    }

    /** A short human form of a duration: {@code 250ms}, {@code 2s}, {@code 1.5s}. */
    static String format(long nanos) {
        long millis = Duration.ofNanos(nanos).toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
}
