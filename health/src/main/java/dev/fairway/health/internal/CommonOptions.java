package dev.fairway.health.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The options every provider of this module accepts (timing and thresholds), and their combined checks.
 */
final class CommonOptions {

    /** The prefix of this family's option keys, for messages. */
    static final String PREFIX = "fairway.health.";

    static final Option<Duration> INTERVAL = Option.ofDuration("interval", Duration.ofSeconds(10),
            Duration.ofMillis(100), Duration.ofHours(1), "time from the start of one probe to the start of the next");

    static final Option<Double> JITTER = Option.ofDouble("jitter", 0.15, 0.0, 0.5,
            "random spread of each interval (0.15 = ±15 %), so that clients do not probe in step");

    static final Option<Duration> TIMEOUT = Option.ofDuration("timeout", Duration.ofSeconds(1),
            Duration.ofMillis(10), Duration.ofMinutes(1),
            "time a probe may take, from its start to its complete answer; a slower probe fails");

    static final Option<Integer> UNHEALTHY_THRESHOLD = Option.ofInt("unhealthy_threshold", 3, 1, 100,
            "consecutive failed probes that make a backend unhealthy");

    static final Option<Integer> HEALTHY_THRESHOLD = Option.ofInt("healthy_threshold", 2, 1, 100,
            "consecutive passed probes that make an unhealthy backend healthy again (one suffices at start)");

    static final Option<Duration> IDLE_INTERVAL = Option.ofDuration("idle_interval", Duration.ofSeconds(60),
            Duration.ofMillis(100), Duration.ofHours(24),
            "time between probes of a healthy backend that has had no request for this long; at least interval");

    /** The common options, in documentation order. */
    static final List<Option<?>> ALL = List.of(INTERVAL, JITTER, TIMEOUT, UNHEALTHY_THRESHOLD, HEALTHY_THRESHOLD,
            IDLE_INTERVAL);

    private CommonOptions() {
    }

    /**
     * The common options followed by a provider's own.
     *
     * @param specific the provider's own options
     * @return an unmodifiable list
     */
    static List<Option<?>> with(List<Option<?>> specific) {
        List<Option<?>> all = new ArrayList<>(ALL);
        all.addAll(specific);
        return List.copyOf(all);
    }

    /**
     * Checks the combinations: {@code timeout} not longer than {@code interval}, and a given
     * {@code idle_interval} not shorter than {@code interval}.
     *
     * @param options the validated values
     * @throws IllegalArgumentException naming the options, their values and what to change
     */
    static void validate(OptionValues options) {
        Duration interval = options.get(INTERVAL);
        Duration timeout = options.get(TIMEOUT);
        if (timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException(PREFIX + TIMEOUT.key() + " = " + Durations.format(timeout) + " is longer than "
                    + PREFIX + INTERVAL.key() + " = " + Durations.format(interval) + ": a probe must end before the next is due;"
                    + " shorten " + PREFIX + TIMEOUT.key() + " or lengthen " + PREFIX + INTERVAL.key());
        }
        options.given(IDLE_INTERVAL).ifPresent(idle -> {
            if (idle.compareTo(interval) < 0) {
                throw new IllegalArgumentException(PREFIX + IDLE_INTERVAL.key() + " = " + Durations.format(idle)
                        + " is shorter than " + PREFIX + INTERVAL.key() + " = " + Durations.format(interval)
                        + ": the idle interval slows probing down; set it to at least " + PREFIX + INTERVAL.key()
                        + " (equal turns slowing down off)");
            }
        });
    }

    /**
     * The timing and thresholds of a check.
     *
     * @param interval           time between probe starts
     * @param jitter             spread of each interval, 0 to 0.5
     * @param timeout            time a probe may take
     * @param unhealthyThreshold failures in a row that make a backend unhealthy
     * @param healthyThreshold   successes in a row that make an unhealthy backend healthy
     * @param idleInterval       time between probes of an idle healthy backend, at least {@code interval}
     */
    record Settings(Duration interval, double jitter, Duration timeout, int unhealthyThreshold, int healthyThreshold,
                    Duration idleInterval) {

        /**
         * Reads validated options. The default {@code idle_interval} is raised to {@code interval} when the interval
         * is longer than it.
         *
         * @param options values validated against a list that includes {@link #ALL}
         * @return the settings
         * @throws IllegalArgumentException if the combination is invalid (see {@link CommonOptions#validate})
         */
        static Settings of(OptionValues options) {
            validate(options);
            Duration interval = options.get(INTERVAL);
            Duration idle = options.get(IDLE_INTERVAL);
            if (idle.compareTo(interval) < 0) {
                idle = interval;
            }
            return new Settings(interval, options.get(JITTER), options.get(TIMEOUT), options.get(UNHEALTHY_THRESHOLD),
                    options.get(HEALTHY_THRESHOLD), idle);
        }
    }
}
