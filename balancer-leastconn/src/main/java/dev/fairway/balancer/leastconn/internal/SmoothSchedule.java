package dev.fairway.balancer.leastconn.internal;

import java.util.Arrays;

/**
 * A precomputed smooth weighted round-robin schedule: the order in which nginx's smooth weighted round robin visits
 * backends with the given weights over one period, as an array of backend indexes.
 *
 * <p>nginx's rule: at each step every backend's current value grows by its weight, the backend with the largest value
 * (the first in list order among equals) is chosen and its value drops by the total weight. Over one period of
 * {@code total} steps each backend is chosen exactly {@code weight} times, spread as evenly as the weights allow
 * (weights 5, 1, 1 give a a b a c a a). Backends of equal weight move in lock step, so the schedule is computed per
 * distinct weight, in {@code slots × distinct weights} steps.
 *
 * <p>Size bound: weights are first divided by their greatest common divisor; if the period is still longer than
 * {@code max(}{@value #MAX_SLOTS}{@code , backends)} slots, every weight is scaled down proportionally and rounded,
 * keeping at least one slot per backend, so the array has at most {@code max(65,536, backends) + backends} slots of 4
 * bytes (under 300 KiB for 10,000 backends). Scaling changes a backend's share by at most half a slot: less than 1 %
 * for every backend with at least 50 slots. Building takes up to about 15 ms for a full-size schedule with hundreds
 * of distinct weights (measured on a 2-core machine), well under 1 ms for a few distinct weights. Stateless.
 *
 * <p>{@code dev.fairway.balancer.roundrobin} holds a copy for {@code weighted_round_robin}: provider modules require
 * only the SPI, so they share no code.
 */
final class SmoothSchedule {

    /** The longest period, in slots, before the weights are scaled down (unless there are more backends). */
    static final int MAX_SLOTS = 1 << 16;

    private SmoothSchedule() {
    }

    /**
     * The schedule for {@code weights}, or {@code null} when all weights are equal (then the schedule is the plain
     * rotation 0, 1, ..., n - 1, and no array is needed).
     *
     * @param weights the weights, each positive; not modified
     * @return backend indexes, one per slot, or {@code null}
     */
    static int[] of(int[] weights) {
        boolean equal = true;
        for (int w : weights) {
            equal &= w == weights[0];
        }
        return equal ? null : interleave(slots(weights));
    }

    /**
     * The weights as slots per period: divided by their greatest common divisor and scaled down to the size bound.
     *
     * @param weights the weights, each positive
     * @return a new array of slot counts, each positive
     */
    static int[] slots(int[] weights) {
        int[] w = reduce(weights.clone());
        long total = sum(w);
        long budget = Math.max(MAX_SLOTS, w.length);
        if (total > budget) {
            double scale = (double) budget / total;
            for (int i = 0; i < w.length; i++) {
                w[i] = (int) Math.max(1, Math.round(w[i] * scale));
            }
            w = reduce(w);
        }
        return w;
    }

    /**
     * nginx's smooth weighted round robin over one period.
     *
     * @param w the slot counts, each positive, summing to at most {@link Integer#MAX_VALUE}
     * @return backend indexes, {@code sum(w)} long
     */
    static int[] interleave(int[] w) {
        long total = sum(w);
        int n = w.length;
        // group the backends by weight, each group's members in list order
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> w[a] != w[b] ? Integer.compare(w[a], w[b]) : Integer.compare(a, b));
        int groups = 0;
        int[] first = new int[n + 1];
        for (int i = 0; i < n; i++) {
            if (i == 0 || w[order[i]] != w[order[i - 1]]) {
                first[groups++] = i;
            }
        }
        first[groups] = n;
        int[] weight = new int[groups];
        int[][] members = new int[groups][];
        for (int g = 0; g < groups; g++) {
            weight[g] = w[order[first[g]]];
            members[g] = new int[first[g + 1] - first[g]];
            for (int j = 0; j < members[g].length; j++) {
                members[g][j] = order[first[g] + j];
            }
        }
        // Members of a group grow alike; the ones not yet chosen in the group's current cycle share one value, and
        // the next of them in list order is the group's candidate. When all have been chosen, all are one total lower.
        long[] value = new long[groups];
        int[] next = new int[groups];
        int[] schedule = new int[(int) total];
        for (int t = 0; t < schedule.length; t++) {
            int best = -1;
            for (int g = 0; g < groups; g++) {
                value[g] += weight[g];
                if (best < 0 || value[g] > value[best]
                        || value[g] == value[best] && members[g][next[g]] < members[best][next[best]]) {
                    best = g;
                }
            }
            schedule[t] = members[best][next[best]];
            if (++next[best] == members[best].length) {
                next[best] = 0;
                value[best] -= total;
            }
        }
        return schedule;
    }

    private static int[] reduce(int[] w) {
        int g = 0;
        for (int x : w) {
            g = gcd(g, x);
        }
        if (g > 1) {
            for (int i = 0; i < w.length; i++) {
                w[i] /= g;
            }
        }
        return w;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private static long sum(int[] w) {
        long s = 0;
        for (int x : w) {
            s += x;
        }
        return s;
    }
}
