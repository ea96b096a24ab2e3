package dev.fairway.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;

import java.time.Duration;
import java.util.List;

/**
 * Passive outlier detection settings, after gRFC A50 and Envoy, read from {@code fairway.outlier.*}. Consecutive
 * failures are counted per backend on every exchange; success-rate and failure-percentage ejection run on each
 * sweep over the counts of the last interval.
 *
 * @param consecutiveFailures         failures in a row that eject a backend; 0 turns it off
 * @param count5xx                    whether 5xx responses count as failures (connection failures always do)
 * @param interval                    time between two sweeps
 * @param baseEjectionTime            ejection time, multiplied by the number of times the backend was ejected
 * @param maxEjectionTime             the longest ejection
 * @param maxEjectionPercent          the most backends ejected at once, in percent (at least one may always be)
 * @param successRateStdevFactor      ejects backends whose success rate is below mean − factor × stdev
 * @param successRateEnforcement      the chance, in percent, that a success-rate outlier is ejected; 0 turns it off
 * @param successRateMinimumHosts     backends with enough requests needed to run success-rate detection
 * @param successRateRequestVolume    requests in the interval a backend needs to take part
 * @param failurePercentageThreshold  ejects backends failing more than this percentage of requests
 * @param failurePercentageEnforcement the chance, in percent, of ejecting such a backend; 0 (default) turns it off
 * @param failurePercentageMinimumHosts backends with enough requests needed to run failure-percentage detection
 * @param failurePercentageRequestVolume requests in the interval a backend needs to take part
 */
public record OutlierDetection(int consecutiveFailures, boolean count5xx, Duration interval, Duration baseEjectionTime,
                        Duration maxEjectionTime, int maxEjectionPercent, double successRateStdevFactor,
                        int successRateEnforcement, int successRateMinimumHosts, int successRateRequestVolume,
                        int failurePercentageThreshold, int failurePercentageEnforcement,
                        int failurePercentageMinimumHosts, int failurePercentageRequestVolume) {

    static final Option<Integer> CONSECUTIVE = Option.ofInt("consecutive_failures", 5, 0, 1_000,
            "failures in a row that eject a backend; 0 turns consecutive-failure ejection off");
    static final Option<Boolean> COUNT_5XX = Option.ofBoolean("count_5xx", false,
            "whether 5xx responses count as failures; connection failures always do");
    static final Option<Duration> INTERVAL = Option.ofDuration("interval", Duration.ofSeconds(10), Duration.ofMillis(10),
            Duration.ofHours(1), "time between two sweeps");
    static final Option<Duration> BASE_EJECTION = Option.ofDuration("base_ejection_time", Duration.ofSeconds(30),
            Duration.ofMillis(1), Duration.ofHours(1), "ejection time, times the number of ejections of that backend");
    static final Option<Duration> MAX_EJECTION = Option.ofDuration("max_ejection_time", Duration.ofSeconds(300),
            Duration.ofMillis(1), Duration.ofDays(1), "the longest ejection");
    static final Option<Integer> MAX_PERCENT = Option.ofInt("max_ejection_percent", 10, 0, 100,
            "the most backends ejected at once, in percent; at least one may always be ejected unless 0");
    static final Option<Double> SR_STDEV = Option.ofDouble("success_rate_stdev_factor", 1.9, 0, 100,
            "ejects backends whose success rate is below mean minus this many standard deviations");
    static final Option<Integer> SR_ENFORCEMENT = Option.ofInt("success_rate_enforcement", 100, 0, 100,
            "chance in percent that a success-rate outlier is ejected; 0 turns success-rate ejection off");
    static final Option<Integer> SR_MIN_HOSTS = Option.ofInt("success_rate_minimum_hosts", 5, 1, 100_000,
            "backends with enough requests needed for success-rate ejection");
    static final Option<Integer> SR_VOLUME = Option.ofInt("success_rate_request_volume", 100, 1, 100_000_000,
            "requests in one interval a backend needs to take part in success-rate ejection");
    static final Option<Integer> FP_THRESHOLD = Option.ofInt("failure_percentage_threshold", 85, 0, 100,
            "ejects backends failing more than this percentage of their requests");
    static final Option<Integer> FP_ENFORCEMENT = Option.ofInt("failure_percentage_enforcement", 0, 0, 100,
            "chance in percent that a failure-percentage outlier is ejected; 0 (default) turns it off");
    static final Option<Integer> FP_MIN_HOSTS = Option.ofInt("failure_percentage_minimum_hosts", 5, 1, 100_000,
            "backends with enough requests needed for failure-percentage ejection");
    static final Option<Integer> FP_VOLUME = Option.ofInt("failure_percentage_request_volume", 50, 1, 100_000_000,
            "requests in one interval a backend needs to take part in failure-percentage ejection");

    /** Every {@code fairway.outlier.*} option. */
    static final List<Option<?>> OPTIONS = List.of(CONSECUTIVE, COUNT_5XX, INTERVAL, BASE_EJECTION, MAX_EJECTION, MAX_PERCENT,
            SR_STDEV, SR_ENFORCEMENT, SR_MIN_HOSTS, SR_VOLUME, FP_THRESHOLD, FP_ENFORCEMENT, FP_MIN_HOSTS, FP_VOLUME);

    /**
     * Validates the user's values.
     *
     * @param raw the values by key (without the {@code fairway.outlier.} prefix)
     * @return the settings
     * @throws IllegalArgumentException naming the key, the value and what is allowed
     */
    public static OutlierDetection of(java.util.Map<String, ?> raw) {
        OptionValues v = OptionValues.of("fairway.outlier.", OPTIONS, raw);
        if (v.get(BASE_EJECTION).compareTo(v.get(MAX_EJECTION)) > 0) {
            throw new IllegalArgumentException("fairway.outlier.base_ejection_time = " + v.get(BASE_EJECTION)
                    + " exceeds fairway.outlier.max_ejection_time = " + v.get(MAX_EJECTION) + ": raise the maximum or lower the base");
        }
        return new OutlierDetection(v.get(CONSECUTIVE), v.get(COUNT_5XX), v.get(INTERVAL), v.get(BASE_EJECTION),
                v.get(MAX_EJECTION), v.get(MAX_PERCENT), v.get(SR_STDEV), v.get(SR_ENFORCEMENT), v.get(SR_MIN_HOSTS),
                v.get(SR_VOLUME), v.get(FP_THRESHOLD), v.get(FP_ENFORCEMENT), v.get(FP_MIN_HOSTS), v.get(FP_VOLUME));
    }

    /** Whether any ejection is possible. */
    boolean enabled() {
        return maxEjectionPercent > 0 && (consecutiveFailures > 0 || successRateEnforcement > 0 || failurePercentageEnforcement > 0);
    }

    /** Ejection time for a backend ejected for the {@code times}-th time. */
    Duration ejectionTime(int times) {
        Duration d = baseEjectionTime.multipliedBy(Math.max(1, times));
        return d.compareTo(maxEjectionTime) > 0 ? maxEjectionTime : d;
    }
}
