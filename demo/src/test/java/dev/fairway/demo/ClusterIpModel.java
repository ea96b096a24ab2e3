package dev.fairway.demo;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The physics of Fairway behind a ClusterIP, as a seeded Monte-Carlo model: how evenly {@code k} replicas of one
 * virtual IP (the {@code dns} resolver's {@code min_addresses}), each recycled every {@code max_age} (±10 % jitter),
 * spread one-at-a-time traffic over {@code n} pods when kube-proxy places every new connection at random.
 *
 * <p>The model: all {@code k} leaves start at the window's start and each connects to a pod chosen uniformly at
 * random; a leaf lives {@code max_age × (1 + jitter × u)}, {@code u} uniform in [-1, 1), and its successor connects to
 * a pod chosen afresh. The picker rotates over the {@code k} replicas and the client sends one request at a time, so
 * each replica carries {@code 1/k} of the requests at a steady rate, and a pod's load over the window is the time the
 * connections placed on it overlap the window. The window holds about {@code m = k × (W / max_age + 1)} placements:
 * a multinomial over {@code n} pods, each getting {@code m / n} on average with a standard deviation of
 * {@code sqrt(m (1/n)(1 - 1/n))}. Only {@code m} matters, not how it is split between {@code k} and {@code max_age}.
 *
 * <p>Run {@code java -cp demo/target/test-classes dev.fairway.demo.ClusterIpModel [windows]} (after
 * {@code mvn -pl demo -am package -DskipTests}) for the table in docs/kubernetes.md; {@link ClusterIpModelTest} checks
 * the model against exact multinomial probabilities and pins the recommendation.
 */
public final class ClusterIpModel {

    /** The criterion: the busiest pod serves at most this many times what the idlest serves. */
    static final double CRITERION = 2.0;
    /** Fairway's {@code max_age_jitter} default. */
    static final double JITTER = 0.1;

    private ClusterIpModel() {
    }

    /**
     * Max/min of the per-pod loads over many windows.
     *
     * @param ratios max/min per window, ascending; {@link Double#POSITIVE_INFINITY} where a pod got nothing
     */
    record Spread(double[] ratios) {

        /** @return the fraction of windows with max/min at most {@code bound} */
        double within(double bound) {
            int at = 0;
            for (double r : ratios) {
                at += r <= bound ? 1 : 0;
            }
            return (double) at / ratios.length;
        }

        /** @return the fraction of windows where a pod got nothing */
        double empty() {
            return 1 - within(Double.MAX_VALUE);
        }

        /**
         * @param q from 0 to 1
         * @return the {@code q} quantile of max/min
         */
        double quantile(double q) {
            return ratios[Math.min(ratios.length - 1, (int) Math.floor(q * ratios.length))];
        }
    }

    /**
     * Simulates {@code windows} windows.
     *
     * @param pods     n, the pods behind the virtual IP
     * @param replicas k, {@code min_addresses}
     * @param maxAge   A, {@code max_age}
     * @param jitter   {@code max_age_jitter}, from 0 to 1
     * @param window   W
     * @param windows  how many windows
     * @param seed     the random sequence's seed: one seed, one result
     * @return max/min per window
     */
    static Spread simulate(int pods, int replicas, Duration maxAge, double jitter, Duration window, int windows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long w = window.toNanos();
        long age = maxAge.toNanos();
        double[] ratios = new double[windows];
        long[] load = new long[pods];
        for (int t = 0; t < windows; t++) {
            Arrays.fill(load, 0);
            for (int r = 0; r < replicas; r++) {
                for (long start = 0; start < w; ) {
                    long life = Math.max(1, Math.round(age * (1 + jitter * (2 * random.nextDouble() - 1))));
                    load[random.nextInt(pods)] += Math.min(start + life, w) - start;
                    start += life;
                }
            }
            long max = Arrays.stream(load).max().orElseThrow();
            long min = Arrays.stream(load).min().orElseThrow();
            ratios[t] = min == 0 ? Double.POSITIVE_INFINITY : (double) max / min;
        }
        Arrays.sort(ratios);
        return new Spread(ratios);
    }

    /**
     * The exact probability that {@code m} connections of equal weight, each placed uniformly at random on one of
     * {@code pods} pods, give every pod at least one and the busiest at most {@code bound} times the idlest.
     *
     * @param m      connections
     * @param pods   pods, 1 to 6 (the enumeration is over every way to split {@code m})
     * @param bound  the max/min bound
     * @return the probability
     */
    static double exactWithin(int m, int pods, double bound) {
        double[] logFactorial = new double[m + 1];
        for (int i = 2; i <= m; i++) {
            logFactorial[i] = logFactorial[i - 1] + Math.log(i);
        }
        return splits(new int[pods], 0, m, bound, logFactorial, m * Math.log(pods));
    }

    private static double splits(int[] counts, int at, int left, double bound, double[] logFactorial, double logTotal) {
        if (at == counts.length - 1) {
            counts[at] = left;
            int max = Arrays.stream(counts).max().orElseThrow();
            int min = Arrays.stream(counts).min().orElseThrow();
            if (min == 0 || max > bound * min) {
                return 0;
            }
            double log = logFactorial[logFactorial.length - 1] - logTotal;
            for (int c : counts) {
                log -= logFactorial[c];
            }
            return Math.exp(log);
        }
        double sum = 0;
        for (int c = 0; c <= left; c++) {
            counts[at] = c;
            sum += splits(counts, at + 1, left - c, bound, logFactorial, logTotal);
        }
        return sum;
    }

    /**
     * Prints the table: P(max/min ≤ 2), the median and 99th percentile of max/min over 20 s windows, 4 pods, per
     * {@code min_addresses} × {@code max_age}, with the new connections per second each setting costs. (The mean
     * max/min is infinite, strictly: in every setting some window has a chance to leave a pod without a connection.)
     * Then, for other pod counts, about how many placements a 20 s window needs for 99 %.
     *
     * @param args optionally the number of windows per cell (default 100,000)
     */
    public static void main(String[] args) {
        int windows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int pods = 4;
        Duration window = Duration.ofSeconds(20);
        List<Integer> ks = List.of(1, 2, 4, 8);
        List<Duration> ages = List.of(Duration.ofMillis(250), Duration.ofMillis(400), Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30));
        System.out.printf(Locale.ROOT, "%d pods, %d s windows, %d windows per cell, jitter %.0f %%, seed 1; each cell:"
                + " P(max/min <= %.0f), median max/min (99th percentile; inf: a pod got nothing), new connections per second%n",
                pods, window.toSeconds(), windows, JITTER * 100, CRITERION);
        StringBuilder header = new StringBuilder("| `min_addresses` |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Duration age : ages) {
            header.append(" `max_age=").append(name(age)).append("` |");
            rule.append("---|");
        }
        System.out.println(header);
        System.out.println(rule);
        for (int k : ks) {
            StringBuilder row = new StringBuilder("| " + k + " |");
            for (Duration age : ages) {
                Spread spread = simulate(pods, k, age, JITTER, window, windows, 1);
                row.append(String.format(Locale.ROOT, " %s, %s (%s), %s/s |", percent(spread.within(CRITERION)),
                        ratio(spread.quantile(0.5)), ratio(spread.quantile(0.99)), rate(k * 1e9 / age.toNanos())));
            }
            System.out.println(row);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "placements of equal weight needed for P(max/min <= %.0f) >= 99 %% (20,000 windows per try,"
                + " 5 %% steps), and the new connections per second that gives over %d s:%n", CRITERION, window.toSeconds());
        System.out.println("| pods | placements per window | per pod | new connections per second |");
        System.out.println("|---|---|---|---|");
        for (int n : List.of(2, 3, 4, 8, 16)) {
            int m = n;
            // connections that outlive the window: each placement carries the whole window, a plain multinomial
            while (simulate(n, m, window.multipliedBy(2), 0, window, 20_000, 1).within(CRITERION) < 0.99) {
                m += Math.max(1, m / 20);
            }
            System.out.printf(Locale.ROOT, "| %d | %d | %.0f | %.1f |%n", n, m, (double) m / n, m * 1e9 / window.toNanos());
        }
    }

    private static String ratio(double r) {
        return Double.isInfinite(r) ? "∞" : r >= 100 ? ">100" : String.format(Locale.ROOT, "%.2f", r);
    }

    /** Two significant digits, no trailing zeros: 16, 2.5, 0.8, 0.033. */
    private static String rate(double perSecond) {
        return new BigDecimal(perSecond).round(new MathContext(2)).stripTrailingZeros().toPlainString();
    }

    private static String percent(double p) {
        if (p == 1) {
            return "100 %";
        }
        if (p >= 0.999) {
            return String.format(Locale.ROOT, "%.3f %%", 100 * p);
        }
        if (p >= 0.99) {
            return String.format(Locale.ROOT, "%.2f %%", 100 * p);
        }
        return String.format(Locale.ROOT, "%.1f %%", 100 * p);
    }

    private static String name(Duration age) {
        return age.toMillis() % 1000 == 0 ? age.toSeconds() + "s" : age.toMillis() + "ms";
    }
}
