package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.Ticker;

import java.time.Duration;
import java.util.List;

/**
 * The slow-start ramp of one picker snapshot: a backend that became usable less than {@code slow_start_window} ago
 * has its weight multiplied by a factor that grows linearly with its age, from {@code slow_start_min_percent} % to
 * 100 % at the end of the window.
 *
 * <p>Only differences between backends matter: when every backend of a snapshot became usable at about the same
 * moment (within 0.1 % of the window of each other, as after a client's first resolution), they ramp together and
 * their shares stay as they are, so {@link #of} returns no ramp. Otherwise the factors are computed at pick time from the context's {@link Ticker}, with no allocation, until
 * the youngest backend has left its window; from then on {@link #mayBeActive()} is {@code false} and pickers no
 * longer read the ticker for it. The usable-since readings are taken when the snapshot is built (a backend that
 * becomes usable again always gets a new snapshot). Thread-safe.
 *
 * <p>A copy of the class of the same name in {@code dev.fairway.balancer.leastconn}: provider modules require only
 * the SPI, so they share no code.
 */
final class SlowStart {

    /** The ramp length; zero turns slow start off. */
    static final Option<Duration> WINDOW = Option.ofDuration("slow_start_window", Duration.ZERO, Duration.ZERO,
            Duration.ofHours(1), "how long a newly usable backend takes to reach its full weight; 0 turns slow start off");

    /** The share of its weight a backend gets when it has just become usable. */
    static final Option<Integer> MIN_PERCENT = Option.ofInt("slow_start_min_percent", 10, 1, 100,
            "the percentage of its weight a backend starts with when slow start is on");

    /** Both slow-start options. */
    static final List<Option<?>> OPTIONS = List.of(WINDOW, MIN_PERCENT);

    private final Ticker ticker;
    private final long window;
    private final double min;
    private final long[] since;
    private final long oldest;
    private final long until;
    private volatile boolean over;

    private SlowStart(Ticker ticker, long window, double min, long[] since, long oldest, long until) {
        this.ticker = ticker;
        this.window = window;
        this.min = min;
        this.since = since;
        this.oldest = oldest;
        this.until = until;
    }

    /**
     * Rejects a minimum percentage given while the window is zero: slow start would silently stay off.
     *
     * @param options the picker's validated options
     * @throws IllegalArgumentException naming both options
     */
    static void validate(OptionValues options) {
        if (options.get(WINDOW).isZero() && options.given(MIN_PERCENT).isPresent()) {
            throw new IllegalArgumentException("fairway.picker." + MIN_PERCENT.key() + " = " + options.get(MIN_PERCENT)
                    + " has no effect while fairway.picker." + WINDOW.key() + " is 0 (slow start off): set "
                    + WINDOW.key() + " to a duration such as 30s, or remove " + MIN_PERCENT.key());
        }
    }

    /**
     * The ramp over {@code backends}, or {@code null} when slow start is off, when every backend became usable within
     * 0.1 % of the window of the others, or when the youngest has already left the window.
     *
     * @param context  the picker's context, with the slow-start options declared
     * @param backends the snapshot's backends, in the picker's order
     * @return the ramp, or {@code null}
     */
    static SlowStart of(PickerContext context, Backend[] backends) {
        long window = context.options().get(WINDOW).toNanos();
        if (window <= 0) {
            return null;
        }
        long[] since = new long[backends.length];
        long oldest = backends[0].usableSince();
        long youngest = oldest;
        for (int i = 0; i < backends.length; i++) {
            long s = backends[i].usableSince();
            since[i] = s;
            if (s - oldest < 0) {
                oldest = s;
            }
            if (s - youngest > 0) {
                youngest = s;
            }
        }
        long until = youngest + window;
        if (youngest - oldest <= window / 1000 || context.ticker().read() - until >= 0) {
            return null;
        }
        return new SlowStart(context.ticker(), window, context.options().get(MIN_PERCENT) / 100.0, since, oldest, until);
    }

    /** The time source. */
    Ticker ticker() {
        return ticker;
    }

    /**
     * Whether a backend may still be ramping; {@code false} for good once {@link #activeAt} has seen the end.
     *
     * @return {@code true} until the ramp is known to be over
     */
    boolean mayBeActive() {
        return !over;
    }

    /**
     * Whether some backend is still ramping at {@code now}; latches the end of the ramp.
     *
     * @param now a reading of the ticker
     * @return {@code true} while the youngest backend is within its window
     */
    boolean activeAt(long now) {
        if (now - until >= 0) {
            over = true;
            return false;
        }
        return true;
    }

    /**
     * The factor of backend {@code i} at {@code now}.
     *
     * @param i   the backend's index in the snapshot
     * @param now a reading of the ticker
     * @return from the minimum fraction to 1
     */
    double factor(int i, long now) {
        return factorAt(now - since[i]);
    }

    /**
     * The largest factor at {@code now}: the oldest backend's, since factors grow with age.
     *
     * @param now a reading of the ticker
     * @return from the minimum fraction to 1
     */
    double oldestFactor(long now) {
        return factorAt(now - oldest);
    }

    private double factorAt(long age) {
        if (age >= window) {
            return 1.0;
        }
        if (age <= 0) {
            return min;
        }
        return min + (1.0 - min) * ((double) age / window);
    }

    @Override
    public String toString() {
        return "SlowStart[window=" + Duration.ofNanos(window) + ", min=" + Math.round(min * 100) + "%, over=" + over + "]";
    }
}
