package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.PickerProvider;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Provides {@link PeakEwmaPicker}s under the name {@value #NAME}, with the default priority. Options:
 * {@code choices} (default 2), {@code decay} (default 10 s), {@code default_rtt} (default 30 ms),
 * {@code slow_start_window} (default 0, off) and {@code slow_start_min_percent} (default 10). Stateless and
 * thread-safe.
 */
public final class PeakEwmaPickerProvider implements PickerProvider {

    /** The name users select this provider by. */
    public static final String NAME = "peak_ewma";

    /** How many distinct random candidates each pick compares. */
    static final Option<Integer> CHOICES = Option.ofInt("choices", 2, 2, 10,
            "how many distinct random backends each pick compares (power of d choices)");

    /** The time constant of the moving average. */
    static final Option<Duration> DECAY = Option.ofDuration("decay", Duration.ofSeconds(10), Duration.ofMillis(1),
            Duration.ofHours(1), "the time constant over which response times are averaged and then forgotten");

    /** The estimate a backend starts with. */
    static final Option<Duration> DEFAULT_RTT = Option.ofDuration("default_rtt", Duration.ofMillis(30),
            Duration.ofNanos(1_000), Duration.ofMinutes(1), "the response time assumed for a backend not yet measured");

    /** Called by {@link java.util.ServiceLoader}; does nothing. */
    public PeakEwmaPickerProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Option<?>> options() {
        return List.of(CHOICES, DECAY, DEFAULT_RTT, SlowStart.WINDOW, SlowStart.MIN_PERCENT);
    }

    @Override
    public void validate(OptionValues options) {
        SlowStart.validate(options);
    }

    /**
     * {@inheritDoc}
     *
     * <p>When {@link PickerContext#previous()} holds a {@link PeakEwmaPicker}, the new picker keeps its estimates of
     * the backends still present and its random state; otherwise every backend starts at {@code default_rtt} and the
     * random state is seeded from {@link PickerContext#seed()}.
     */
    @Override
    public Picker create(PickerContext context) {
        Objects.requireNonNull(context, "context");
        return PeakEwmaPicker.of(context);
    }

    @Override
    public String toString() {
        return "PeakEwmaPickerProvider[" + NAME + "]";
    }
}
