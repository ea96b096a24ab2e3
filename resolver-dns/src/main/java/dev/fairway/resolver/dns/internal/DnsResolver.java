package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.Scheduler;
import dev.fairway.spi.Target;
import dev.fairway.spi.Ticker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;

import static dev.fairway.resolver.dns.internal.DnsOptions.BACKOFF_INITIAL;
import static dev.fairway.resolver.dns.internal.DnsOptions.BACKOFF_MAX;
import static dev.fairway.resolver.dns.internal.DnsOptions.EMPTY_ANSWER;
import static dev.fairway.resolver.dns.internal.DnsOptions.MIN_ADDRESSES;
import static dev.fairway.resolver.dns.internal.DnsOptions.MIN_REFRESH_INTERVAL;
import static dev.fairway.resolver.dns.internal.DnsOptions.REFRESH_INTERVAL;
import static dev.fairway.resolver.dns.internal.DnsOptions.REFRESH_JITTER;

/**
 * Resolves one target with a {@link Lookup} and keeps its address set fresh: the runtime object of both the
 * {@code dns} and the {@code dns_srv} provider.
 *
 * <p>At most one look-up runs at a time, always on the context's executor; at most one timer is pending, on the
 * context's scheduler; time comes from the context's ticker. After a success the next look-up is due when the
 * answer's TTL runs out (clamped to {@code ttl_min} and {@code ttl_max}, {@code ttl_max} for answers without one),
 * shortened by up to {@code refresh_jitter}, or after a fixed {@code refresh_interval} ± {@code refresh_jitter}. After a failure the listener hears {@code onError}, nothing is
 * published (Fairway keeps the last good set), and the look-up is retried after an exponential backoff. An answer
 * without addresses (NXDOMAIN, NODATA) is treated as a failure until the {@code empty_answer} rule believes it; then
 * the empty set is published (see {@link EmptyAnswerRule}).
 *
 * <p>{@link #refresh()} asks for a look-up now, but never sooner than {@code min_refresh_interval} after the
 * start of the previous one; it does nothing while a look-up is running (that look-up answers it) or while a
 * retry after a failure is pending (the backoff protects a struggling DNS server).
 *
 * <p>Published addresses are distinct (the first of equal {@code ip:port} pairs wins, with the highest weight of
 * them), ordered per client (see {@link #order}), and replicated to {@code min_addresses} entries when the answer is
 * shorter: every address then appears {@code ceil(min_addresses / n)} times, the copies after the first carrying the
 * attribute {@value #REPLICA}{@code =1, 2, ...}.
 *
 * <p>Thread-safe. Listener calls never overlap; {@link #close()} waits for a listener call in progress, so a
 * listener must not wait for a thread that is calling {@code close()}.
 */
public final class DnsResolver implements Resolver {

    /** The attribute that tells the copies of one address apart when {@code min_addresses} replicates it. */
    public static final String REPLICA = "replica";

    private static final System.Logger LOG = System.getLogger(DnsResolver.class.getName());

    private final Target target;
    private final Lookup lookup;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final Executor executor;
    private final long seed;
    /** The fixed refresh interval, or −1 to follow the TTLs. */
    private final long refreshNanos;
    private final TtlBounds ttl;
    private final double jitter;
    private final long backoffInitialNanos;
    private final long backoffCapNanos;
    private final long minRefreshNanos;
    private final EmptyAnswerRule emptyRule;
    private final int minAddresses;

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
    private int emptyInARow;
    private Future<?> timer;
    private long timerDueNanos;
    private long timerGeneration;
    /** What was last published: the set Fairway uses. Empty before the first publication. */
    private List<BackendAddress> lastPublished = List.of();

    /**
     * A resolver for the context's target that looks names up with {@code lookup}.
     *
     * @param context the context, with options validated against the provider's options (at least
     *                {@link DnsOptions#COMMON})
     * @param lookup  the blocking look-up; tests script it
     * @throws IllegalArgumentException if {@code backoff_initial} is longer than {@code backoff_max}
     */
    DnsResolver(ResolverContext context, Lookup lookup) {
        Objects.requireNonNull(context, "context");
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        OptionValues options = context.options();
        DnsOptions.validateCommon(options);
        RefreshInterval refresh = options.get(REFRESH_INTERVAL);
        Duration max = options.get(BACKOFF_MAX);
        this.target = context.target();
        this.ticker = context.ticker();
        this.scheduler = context.scheduler();
        this.executor = context.executor();
        this.seed = context.seed();
        this.random = new SplittableRandom(context.seed());
        this.ttl = TtlBounds.of(options);
        this.refreshNanos = refresh.fixed().map(Duration::toNanos).orElse(-1L);
        this.jitter = options.get(REFRESH_JITTER);
        this.backoffInitialNanos = options.get(BACKOFF_INITIAL).toNanos();
        this.backoffCapNanos = Math.min(max.toNanos(), refreshNanos >= 0 ? refreshNanos : ttl.maxNanos());
        this.minRefreshNanos = options.get(MIN_REFRESH_INTERVAL).toNanos();
        this.emptyRule = options.get(EMPTY_ANSWER);
        this.minAddresses = options.get(MIN_ADDRESSES);
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
        return "DnsResolver[" + target + ", " + lookup + "]";
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
        Lookup.Answer found = null;
        Throwable failure = null;
        try {
            found = lookup.lookup(target);
            if (found == null || found.endpoints().isEmpty()) {
                failure = new NoAddressesException("the look-up (" + lookup + ") returned no addresses", true);
            }
        } catch (Throwable t) {
            failure = t;
        }
        complete(failure == null ? found : null, failure);
        if (failure instanceof Error e) {
            throw e;
        }
    }

    /** What one completed look-up leads to: a set to publish, an error to report, or both in that order. */
    private record Outcome(List<BackendAddress> publish, IOException error) {
    }

    private void complete(Lookup.Answer found, Throwable failure) {
        Listener to;
        Outcome outcome;
        long next;
        long retryIn;
        int failuresInARow;
        boolean changed;
        synchronized (lock) {
            if (closed) {
                inFlight = false;
                return;
            }
            to = listener;
            List<BackendAddress> before = lastPublished;
            if (failure == null) {
                failures = 0;
                emptyInARow = 0;
                next = nextRefresh(found.ttlSeconds());
                outcome = new Outcome(order(found.endpoints()), null);
            } else {
                failures++;
                next = backoff(failures);
                outcome = failure instanceof NoAddressesException empty ? emptyAnswer(empty) : new Outcome(null,
                        describe(failure, lastPublished.size(), ""));
            }
            if (outcome.publish() != null) {
                lastPublished = outcome.publish();
            }
            changed = outcome.publish() != null && !outcome.publish().equals(before);
            failuresInARow = failures;
            retryIn = next;
        }
        if (changed) {
            LOG.log(outcome.publish().isEmpty() && failure != null ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                    () -> "resolved " + target.host() + " to " + (outcome.publish().isEmpty() ? "no addresses"
                            + (failure != null ? " (" + failure.getMessage() + "; believed under empty_answer=" + emptyRule + ")" : "")
                            : outcome.publish()));
        }
        if (outcome.error() != null) {
            LOG.log(failuresInARow == 1 ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                    outcome.error().getMessage() + " (failure " + failuresInARow + " in a row; retrying in " + format(retryIn) + ")");
        }
        delivery.lock();
        try {
            if (!closed) {
                if (outcome.publish() != null) {
                    to.onAddresses(outcome.publish());
                } else {
                    to.onError(outcome.error());
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
     * An answer without addresses. With nothing published yet, NODATA is the truth (publish the empty set) and
     * NXDOMAIN an error; with a published set, the empty-answer rule decides. Caller holds the lock.
     */
    private Outcome emptyAnswer(NoAddressesException empty) {
        emptyInARow++;
        if (lastPublished.isEmpty()) {
            return empty.nameExists() ? new Outcome(List.of(), null) : new Outcome(null, describe(empty, 0, ""));
        }
        if (emptyRule.believes(emptyInARow)) {
            return new Outcome(List.of(), null);
        }
        String rule = emptyRule.confirmations() == 0
                ? " (empty_answer=keep: an empty answer never replaces them)"
                : " (empty answer " + emptyInARow + " in a row; empty_answer=" + emptyRule + " believes the "
                + ordinal(emptyRule.confirmations()) + ")";
        return new Outcome(null, describe(empty, lastPublished.size(), rule));
    }

    private static String ordinal(int n) {
        return switch (n % 100 >= 11 && n % 100 <= 13 ? 0 : n % 10) {
            case 1 -> n + "st";
            case 2 -> n + "nd";
            case 3 -> n + "rd";
            default -> n + "th";
        };
    }

    /**
     * The addresses to publish: distinct {@code ip:port} pairs (the target's port unless the record gave one), in an
     * order that depends only on this client's seed and the addresses themselves, replicated up to
     * {@code min_addresses}. Different clients get different orders, while one client keeps the relative order of
     * its addresses across refreshes, even as others come and go.
     */
    private List<BackendAddress> order(List<Endpoint> found) {
        Map<InetSocketAddress, BackendAddress> distinct = new LinkedHashMap<>();
        for (Endpoint e : found) {
            InetSocketAddress socket = new InetSocketAddress(e.address(), e.port() == 0 ? target.port() : e.port());
            BackendAddress candidate = new BackendAddress(socket, e.weight(), e.attributes());
            distinct.merge(socket, candidate, (a, b) -> b.weight() > a.weight() ? b : a);
        }
        Map<BackendAddress, Long> ranks = new HashMap<>();
        int copies = distinct.size() >= minAddresses ? 1 : (minAddresses + distinct.size() - 1) / distinct.size();
        List<BackendAddress> addresses = new ArrayList<>(distinct.size() * copies);
        for (BackendAddress a : distinct.values()) {
            long rank = rank(a.socketAddress());
            addresses.add(a);
            ranks.put(a, rank);
            for (int replica = 1; replica < copies; replica++) {
                Map<String, String> attributes = new HashMap<>(a.attributes());
                attributes.put(REPLICA, Integer.toString(replica));
                BackendAddress copy = new BackendAddress(a.socketAddress(), a.weight(), attributes);
                addresses.add(copy);
                ranks.put(copy, mix(rank ^ replica));
            }
        }
        addresses.sort(Comparator.comparingLong((BackendAddress a) -> ranks.get(a))
                .thenComparing(a -> a.socketAddress().getAddress().getAddress(), Arrays::compareUnsigned)
                .thenComparingInt(a -> a.socketAddress().getPort())
                .thenComparing(a -> a.attributes().getOrDefault(REPLICA, "")));
        return List.copyOf(addresses);
    }

    private long rank(InetSocketAddress address) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (byte b : address.getAddress().getAddress()) {
            h = mix(h ^ (b & 0xFF));
        }
        return mix(h ^ address.getPort());
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * When the next look-up is due after a success: the fixed interval ± jitter; else the answer's TTL (clamped; the
     * ceiling without one) shortened by up to the jitter fraction, so that a refresh never comes after the TTL.
     */
    private long nextRefresh(long ttlSeconds) {
        if (refreshNanos >= 0) {
            return jittered(refreshNanos);
        }
        long base = ttlSeconds < 0 ? ttl.maxNanos() : ttl.clamp(ttlSeconds);
        return Math.max(0, Math.round(base * (1 - jitter * random.nextDouble())));
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

    /**
     * The error to report: {@code cannot resolve <host>: <Type>: <message>[; keeping the last N addresses<rule>]}, of
     * the failure's kind (an {@link UnknownHostException} stays one). When the resolver tries again is its own
     * business, in its log line, not in the error that reaches a caller.
     */
    private IOException describe(Throwable failure, int kept, String rule) {
        String type = failure.getClass().getSimpleName().isEmpty() ? failure.getClass().getName()
                : failure.getClass().getSimpleName();
        if (failure instanceof NoAddressesException) {
            type = UnknownHostException.class.getSimpleName();
        }
        String message = "cannot resolve " + target.host() + ": " + type
                + (failure.getMessage() != null ? ": " + failure.getMessage() : "")
                + (kept > 0 ? "; keeping the last " + kept + (kept == 1 ? " address" : " addresses") + rule : "");
        IOException e;
        if (failure instanceof UnknownHostException) {
            e = new UnknownHostException(message);
        } else if (failure instanceof java.net.SocketTimeoutException) {
            e = new java.net.SocketTimeoutException(message);
        } else if (failure instanceof java.net.PortUnreachableException) {
            e = new java.net.PortUnreachableException(message);
        } else {
            return new IOException(message, failure);
        }
        e.initCause(failure);
        return e;
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
