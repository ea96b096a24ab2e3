package dev.fairway.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The resilience settings of a target, one home for their keys, defaults and checks: retries
 * ({@code fairway.retry.*}), hedging ({@code fairway.hedge.*}) and client-side adaptive throttling
 * ({@code fairway.throttle.*}). What is on by default: a retry of a request that provably never reached a server, and
 * of a repeatable request whose connection was lost before the response (within the retry budget), on another
 * backend, at most {@code max_attempts} in all. Retries on statuses, per-try timeouts, hedging and
 * throttling are off until configured. The runtime state lives in {@link RetryBudget}, {@link HedgeDelay} and
 * {@link Throttle}; {@link MultiExchange} applies the rules.
 *
 * @param maxAttempts      attempts per hop, the first included; 1 turns every retry off
 * @param statuses         response statuses retried (as a set of status codes); empty: none
 * @param methods          the methods retried after the request reached a server, upper case
 * @param perTryTimeout    how long one attempt waits for its response headers before another is tried; zero: no limit
 *                         but the request's own timeout
 * @param backoff          the first retry's longest wait, doubled for each further retry (full jitter)
 * @param maxBackoff       the longest wait before a retry
 * @param budgetRatio      retries allowed per request of the window
 * @param budgetMinPerSecond retries allowed per second of the window whatever the traffic
 * @param budgetWindow     the window the budget counts over
 * @param hedgeDelay       how long the first attempt runs alone before a hedge is sent; zero: no hedging, unless
 *                         {@code hedgePercentile} is set
 * @param hedgePercentile  the percentile of the target's recent response times used as the hedge delay, in tenths
 *                         (950 for p95), or 0 for a fixed delay
 * @param maxHedges        the most hedges per hop
 * @param throttleK        the SRE book's K: requests are rejected locally once they exceed K times the accepted ones;
 *                         0 turns throttling off
 * @param throttleWindow   the window throttling counts over
 * @param maxRejection     the highest probability of a local rejection, so that some requests always test the backends
 */
public record Resilience(int maxAttempts, BitSet statuses, Set<String> methods, Duration perTryTimeout,
                         Duration backoff, Duration maxBackoff, double budgetRatio, int budgetMinPerSecond,
                         Duration budgetWindow, Duration hedgeDelay, int hedgePercentile, int maxHedges,
                         double throttleK, Duration throttleWindow, double maxRejection) {

    /** The methods retried by default after a request reached a server: RFC 9110's idempotent ones. */
    static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    /**
     * The request header that makes any request retryable and hedgeable: the IETF's {@code Idempotency-Key}
     * (draft-ietf-httpapi-idempotency-key-header), by which the server recognises a repeated request.
     */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    static final Option<Integer> MAX_ATTEMPTS = Option.ofInt("max_attempts", 4, 1, 10,
            "attempts per request (per redirect hop), the first included, each on another backend when there is one; 1 turns retries off");
    static final Option<BitSet> STATUSES = Option.ofCustom("statuses", new BitSet(),
            "response statuses after which an idempotent request is tried again on another backend; none by default",
            "none, or a comma-separated list of statuses from 400 to 599, like 502,503,504", Resilience::statuses);
    static final Option<Set<String>> METHODS = Option.ofCustom("methods", IDEMPOTENT,
            "the methods retried after the request reached a server (any request with an Idempotency-Key header is too)",
            "a comma-separated list of HTTP methods, like GET,HEAD,PUT,DELETE,POST", Resilience::methods);
    static final Option<Duration> PER_TRY_TIMEOUT = Option.ofDuration("per_try_timeout", Duration.ZERO, Duration.ZERO,
            Duration.ofHours(1), "how long one attempt waits for its response headers before an idempotent request is tried elsewhere; 0: no limit");
    static final Option<Duration> BACKOFF = Option.ofDuration("backoff", Duration.ofMillis(25), Duration.ZERO,
            Duration.ofMinutes(1), "the first retry's longest wait after a response or lost connection, doubled for each further retry, with full jitter");
    static final Option<Duration> MAX_BACKOFF = Option.ofDuration("max_backoff", Duration.ofMillis(250), Duration.ZERO,
            Duration.ofMinutes(5), "the longest wait before a retry");
    static final Option<Double> BUDGET_RATIO = Option.ofDouble("budget_ratio", 0.2, 0, 10,
            "retries (and hedges) allowed per request over the budget window");
    static final Option<Integer> BUDGET_MIN = Option.ofInt("budget_min_per_second", 10, 0, 100_000,
            "retries allowed per second of the budget window however few the requests");
    static final Option<Duration> BUDGET_WINDOW = Option.ofDuration("budget_window", Duration.ofSeconds(10),
            Duration.ofSeconds(1), Duration.ofMinutes(10), "the window the retry budget counts requests and retries over");

    private static final Option<Duration> DELAY_DURATION = Option.ofDuration("delay", Duration.ofMillis(1),
            Duration.ofMillis(1), Duration.ofMinutes(1), "");
    static final Option<Object> HEDGE_DELAY = Option.ofCustom("delay", "none",
            "how long an idempotent request runs alone before a hedge goes to another backend: a duration, or pNN for a percentile of the target's recent response times",
            "none, a duration from 1ms to 1m like 50ms, or a percentile from p50 to p99.9 like p95", Resilience::hedgeDelay);
    static final Option<Integer> MAX_HEDGES = Option.ofInt("max_hedges", 1, 1, 4, "the most hedges per request (per redirect hop)");

    static final Option<Double> THROTTLE_K = Option.ofDouble("k", 0, 0, 10,
            "reject locally with probability (requests - k * accepted) / (requests + 1); 0 turns throttling off, 2 is the SRE book's");
    static final Option<Duration> THROTTLE_WINDOW = Option.ofDuration("window", Duration.ofMinutes(2), Duration.ofSeconds(1),
            Duration.ofHours(1), "the window throttling counts requests and accepted requests over");
    static final Option<Double> MAX_REJECTION = Option.ofDouble("max_rejection", 0.9, 0, 1,
            "the highest share of requests throttling rejects, so that some always find out whether the backends recovered");

    /** Every {@code fairway.retry.*} option. */
    static final List<Option<?>> RETRY_OPTIONS = List.of(MAX_ATTEMPTS, STATUSES, METHODS, PER_TRY_TIMEOUT, BACKOFF,
            MAX_BACKOFF, BUDGET_RATIO, BUDGET_MIN, BUDGET_WINDOW);
    /** Every {@code fairway.hedge.*} option. */
    static final List<Option<?>> HEDGE_OPTIONS = List.of(HEDGE_DELAY, MAX_HEDGES);
    /** Every {@code fairway.throttle.*} option. */
    static final List<Option<?>> THROTTLE_OPTIONS = List.of(THROTTLE_K, THROTTLE_WINDOW, MAX_REJECTION);

    /** The families and their options, by the prefix of their keys. */
    static final Map<String, List<Option<?>>> FAMILIES = Map.of("retry", RETRY_OPTIONS, "hedge", HEDGE_OPTIONS,
            "throttle", THROTTLE_OPTIONS);

    /** Copies the set of statuses, which is mutable. */
    public Resilience {
        statuses = (BitSet) statuses.clone();
        methods = Set.copyOf(methods);
    }

    /**
     * Validates the user's values.
     *
     * @param retry    {@code fairway.retry.*} values by key
     * @param hedge    {@code fairway.hedge.*} values by key
     * @param throttle {@code fairway.throttle.*} values by key
     * @param prefix   where the keys come from, e.g. {@code fairway.} or {@code fairway.target[orders].}
     * @return the settings
     * @throws IllegalArgumentException naming the key, the value and what is allowed
     */
    public static Resilience of(Map<String, ?> retry, Map<String, ?> hedge, Map<String, ?> throttle, String prefix) {
        OptionValues r = OptionValues.of(prefix + "retry.", RETRY_OPTIONS, retry);
        OptionValues h = OptionValues.of(prefix + "hedge.", HEDGE_OPTIONS, hedge);
        OptionValues t = OptionValues.of(prefix + "throttle.", THROTTLE_OPTIONS, throttle);
        if (r.get(BACKOFF).compareTo(r.get(MAX_BACKOFF)) > 0) {
            throw new IllegalArgumentException(prefix + "retry.backoff = " + r.get(BACKOFF) + " exceeds " + prefix
                    + "retry.max_backoff = " + r.get(MAX_BACKOFF) + ": raise the maximum or lower the backoff");
        }
        if (t.get(THROTTLE_K) > 0 && t.get(THROTTLE_K) < 1) {
            throw new IllegalArgumentException(prefix + "throttle.k = '" + t.get(THROTTLE_K) + "' is not allowed: use 0 (off)"
                    + " or a number from 1 to 10; 2 is the SRE book's (below 1 would reject requests the backends accept)");
        }
        Object delay = h.get(HEDGE_DELAY);
        Duration fixed = delay instanceof Duration d ? d : Duration.ZERO;
        int percentile = delay instanceof Integer p ? p : 0;
        return new Resilience(r.get(MAX_ATTEMPTS), r.get(STATUSES), r.get(METHODS), r.get(PER_TRY_TIMEOUT), r.get(BACKOFF),
                r.get(MAX_BACKOFF), r.get(BUDGET_RATIO), r.get(BUDGET_MIN), r.get(BUDGET_WINDOW), fixed, percentile,
                h.get(MAX_HEDGES), t.get(THROTTLE_K), t.get(THROTTLE_WINDOW), t.get(MAX_REJECTION));
    }

    /**
     * The defaults.
     *
     * @return every option at its default
     */
    public static Resilience defaults() {
        return of(Map.of(), Map.of(), Map.of(), "fairway.");
    }

    /** Whether hedging is configured. */
    boolean hedging() {
        return !hedgeDelay.isZero() || hedgePercentile > 0;
    }

    /** Whether {@code status} is one to retry. */
    boolean retryStatus(int status) {
        return status >= 0 && statuses.get(status);
    }

    /**
     * Whether {@code request} may be sent again after it reached a server (retried or hedged): its method is one of
     * {@link #methods}, or it carries an {@code Idempotency-Key}; and its body, if any, can be sent again.
     */
    boolean repeatable(HttpRequest request) {
        return (methods.contains(request.method()) || request.headers().firstValue(IDEMPOTENCY_KEY).isPresent())
                && Bodies.replayable(request);
    }

    /**
     * The wait before the {@code retry}-th retry (1 for the first): a uniformly random time up to
     * {@code backoff × 2^(retry−1)}, capped at {@code max_backoff} (full jitter).
     *
     * @param retry  the retry's number, from 1
     * @param random a uniformly random number in [0, 1)
     * @return the wait in nanoseconds
     */
    long backoffNanos(int retry, double random) {
        long ceiling = Math.min(maxBackoff.toNanos(), backoff.toNanos() << Math.min(retry - 1, 20));
        return (long) (ceiling * random);
    }

    /** The knobs as the snapshot shows them: only those set away from off. */
    String describe() {
        StringBuilder s = new StringBuilder("max_attempts=").append(maxAttempts);
        if (!statuses.isEmpty()) {
            s.append(", statuses=").append(statuses.stream().mapToObj(Integer::toString).toList());
        }
        if (!perTryTimeout.isZero()) {
            s.append(", per_try_timeout=").append(perTryTimeout.toMillis()).append("ms");
        }
        if (hedging()) {
            s.append(", hedge=").append(hedgePercentile > 0 ? "p" + (hedgePercentile % 10 == 0 ? Integer.toString(hedgePercentile / 10)
                    : hedgePercentile / 10.0) : hedgeDelay.toMillis() + "ms");
        }
        if (throttleK > 0) {
            s.append(", throttle k=").append(throttleK);
        }
        return s.toString();
    }

    private static BitSet statuses(Object raw) {
        if (raw instanceof BitSet set) {
            if (set.nextSetBit(0) >= 0 && (set.nextSetBit(0) < 400 || set.length() > 600)) {
                throw new IllegalArgumentException();
            }
            return (BitSet) set.clone();
        }
        if (!(raw instanceof String text)) {
            throw new IllegalArgumentException();
        }
        BitSet set = new BitSet(600);
        if (text.trim().equals("none")) {
            return set;
        }
        for (String item : text.split(",", -1)) {
            String s = item.trim();
            if (s.length() != 3 || !s.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException();
            }
            int status = Integer.parseInt(s);
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException();
            }
            set.set(status);
        }
        return set;
    }

    private static Set<String> methods(Object raw) {
        if (raw instanceof Set<?> set) {
            return methods(String.join(",", set.stream().map(String::valueOf).toList()));
        }
        if (!(raw instanceof String text)) {
            throw new IllegalArgumentException();
        }
        Set<String> methods = new TreeSet<>();
        for (String item : text.split(",", -1)) {
            String m = item.trim().toUpperCase(Locale.ROOT);
            // a token (RFC 9110 §5.6.2), in practice letters
            if (m.isEmpty() || m.length() > 32 || !m.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || c == '-' || c == '_')) {
                throw new IllegalArgumentException();
            }
            methods.add(m);
        }
        return Set.copyOf(methods);
    }

    /** {@code none}, a {@link Duration}, or a percentile in tenths: p95 is 950, p99.9 is 999. */
    private static Object hedgeDelay(Object raw) {
        if (raw instanceof Duration) {
            return DELAY_DURATION.convert("delay", raw);
        }
        if (!(raw instanceof String text)) {
            throw new IllegalArgumentException();
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("none")) {
            return "none";
        }
        if (s.startsWith("p")) {
            double p;
            try {
                p = Double.parseDouble(s.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException();
            }
            if (!(p >= 50 && p <= 99.9) || Math.rint(p * 10) != p * 10) {
                throw new IllegalArgumentException();
            }
            return (int) Math.round(p * 10);
        }
        return DELAY_DURATION.convert("delay", s);
    }

    /** Which request bodies Fairway can send again. */
    static final class Bodies {

        /**
         * The JDK's publishers that produce the same bytes at every subscription: {@code noBody}, {@code ofString},
         * {@code ofByteArray} (all forms) and {@code ofFile} (which reopens the file). {@code ofInputStream} (its
         * supplier may hand out the same stream), {@code ofByteArrays} (its iterable may be single-use),
         * {@code fromPublisher} and {@code concat} are not.
         */
        private static final Set<String> REPLAYABLE = Set.of(
                "jdk.internal.net.http.RequestPublishers$EmptyPublisher",
                "jdk.internal.net.http.RequestPublishers$ByteArrayPublisher",
                "jdk.internal.net.http.RequestPublishers$StringPublisher",
                "jdk.internal.net.http.RequestPublishers$FilePublisher");

        static boolean replayable(HttpRequest request) {
            return request.bodyPublisher().map(p -> p.contentLength() == 0 || REPLAYABLE.contains(p.getClass().getName()))
                    .orElse(true);
        }

        private Bodies() {
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
