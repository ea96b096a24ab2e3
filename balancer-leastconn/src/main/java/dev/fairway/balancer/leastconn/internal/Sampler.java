package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Backend;

/**
 * Draws the candidates of a power-of-<i>d</i>-choices pick over one snapshot, without replacement and in proportion to
 * the backends' effective weights, and returns the least loaded of them by a {@link Load} the picker defines.
 *
 * <p>Effective weight = {@linkplain dev.fairway.spi.BackendAddress#weight() address weight} × slow-start factor.
 * Candidates are drawn from the address weights (uniformly when they are all equal, otherwise by a binary search over
 * their running sums) and, while a backend ramps, accepted with probability {@code factor / largest factor} (rejection
 * sampling, at most {@value #MAX_ATTEMPTS} draws per candidate). The second candidate is drawn from the weights of the
 * other backends, so two candidates are always distinct. With more than two choices, each candidate is drawn from the
 * backends not yet drawn when there are at most 64 backends; over more, the candidates are the first distinct
 * backends of a stream of independent draws (at most 4 draws per choice, so a very skewed set of weights may yield
 * fewer candidates), which is the same weighted sampling without replacement. Ties go to the candidate drawn first, so with no load anywhere the first candidate decides and
 * traffic splits in proportion to the effective weights.
 *
 * <p>Immutable apart from the ramp's end latch; thread-safe; no method allocates.
 */
final class Sampler {

    /** The most draws for one candidate while backends ramp; the last draw is kept. */
    static final int MAX_ATTEMPTS = 32;

    /** How a picker compares the load of two backends. */
    interface Load {
        /**
         * Whether backend {@code a} is strictly less loaded than backend {@code b}.
         *
         * @param a       an index into the snapshot
         * @param b       another index
         * @param now     a ticker reading, when the caller read one
         * @param ramping whether {@code now} is a reading and some backend ramps
         * @return {@code true} when {@code a} is the better choice
         */
        boolean lighter(int a, int b, long now, boolean ramping);
    }

    final int n;
    final int choices;
    final boolean equal;
    private final int[] weight;
    private final long[] end;
    private final long total;
    final SlowStart ramp;

    /**
     * A sampler over {@code backends}.
     *
     * @param backends the snapshot, not empty
     * @param choices  the number of candidates per pick, 2 or more (fewer when there are fewer backends)
     * @param ramp     the slow-start ramp, or {@code null}
     */
    Sampler(Backend[] backends, int choices, SlowStart ramp) {
        this.n = backends.length;
        this.choices = Math.min(choices, n);
        this.ramp = ramp;
        this.weight = new int[n];
        this.end = new long[n];
        long sum = 0;
        boolean same = true;
        for (int i = 0; i < n; i++) {
            int w = backends[i].address().weight();
            weight[i] = w;
            sum += w;
            end[i] = sum;
            same &= w == weight[0];
        }
        this.total = sum;
        this.equal = same;
    }

    /**
     * The effective weight of backend {@code i}.
     *
     * @param i       the index
     * @param now     a ticker reading, used when {@code ramping}
     * @param ramping whether to apply the slow-start factor
     * @return the weight, at least the minimum fraction of 1
     */
    double effectiveWeight(int i, long now, boolean ramping) {
        return ramping ? weight[i] * ramp.factor(i, now) : weight[i];
    }

    /**
     * The address weight of backend {@code i}.
     *
     * @param i the index
     * @return 1 to {@link dev.fairway.spi.BackendAddress#MAX_WEIGHT}
     */
    int weight(int i) {
        return weight[i];
    }

    /**
     * Chooses a backend.
     *
     * @param state   the pick's random state
     * @param now     a ticker reading, used when {@code ramping}
     * @param ramping whether some backend ramps at {@code now}
     * @param load    the picker's load comparison
     * @return an index into the snapshot
     */
    int choose(long state, long now, boolean ramping, Load load) {
        if (n == 1) {
            return 0;
        }
        double largest = ramping ? ramp.oldestFactor(now) : 1.0;
        if (choices == 2) {
            int first = draw(state, 0, -1, now, ramping, largest);
            int second = draw(state, 1, first, now, ramping, largest);
            return load.lighter(second, first, now, ramping) ? second : first;
        }
        return n <= Long.SIZE ? chooseFew(state, now, ramping, largest, load) : chooseMany(state, now, ramping, largest, load);
    }

    /**
     * Three or more choices over at most 64 backends: each candidate is drawn from the weights of the backends not yet
     * drawn (a bit set of them, and a linear scan).
     */
    private int chooseFew(long state, long now, boolean ramping, double largest, Load load) {
        long drawn = 0L;
        long remaining = total;
        int best = -1;
        for (int c = 0; c < choices; c++) {
            int candidate = -1;
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                long r = Random64.value(state, c * MAX_ATTEMPTS + attempt);
                long x = Math.unsignedMultiplyHigh(r, remaining);
                candidate = -1;
                for (int i = 0; i < n; i++) {
                    if ((drawn & (1L << i)) == 0) {
                        if (x < weight[i]) {
                            candidate = i;
                            break;
                        }
                        x -= weight[i];
                    }
                }
                if (!ramping || Random64.unit(Random64.mix(r)) * largest < ramp.factor(candidate, now)) {
                    break;
                }
            }
            drawn |= 1L << candidate;
            remaining -= weight[candidate];
            if (best < 0 || load.lighter(candidate, best, now, ramping)) {
                best = candidate;
            }
        }
        return best;
    }

    /**
     * Three or more choices over more than 64 backends: the first distinct backends of a stream of independent draws
     * (at most 4 per choice), duplicates found by drawing the earlier ones again.
     */
    private int chooseMany(long state, long now, boolean ramping, double largest, Load load) {
        int best = -1;
        int found = 0;
        int limit = 4 * choices;
        for (int m = 0; m < limit && found < choices; m++) {
            int candidate = draw(state, m, -1, now, ramping, largest);
            if (drawnBefore(candidate, state, m, now, ramping, largest)) {
                continue;
            }
            found++;
            if (best < 0 || load.lighter(candidate, best, now, ramping)) {
                best = candidate;
            }
        }
        return best;
    }

    /** Whether one of draws 0 to {@code m - 1} of the stream gave {@code candidate}; recomputes them. */
    private boolean drawnBefore(int candidate, long state, int m, long now, boolean ramping, double largest) {
        for (int l = 0; l < m; l++) {
            if (draw(state, l, -1, now, ramping, largest) == candidate) {
                return true;
            }
        }
        return false;
    }

    /**
     * Draw number {@code m} of a pick: a backend other than {@code excluded} (none when negative), in proportion to
     * the effective weights.
     */
    private int draw(long state, int m, int excluded, long now, boolean ramping, double largest) {
        int k = m * MAX_ATTEMPTS;
        for (int attempt = 0; ; attempt++) {
            long r = Random64.value(state, k + attempt);
            int i = excluded < 0 ? sample(r) : sampleExcluding(r, excluded);
            if (!ramping || attempt == MAX_ATTEMPTS - 1
                    || Random64.unit(Random64.mix(r)) * largest < ramp.factor(i, now)) {
                return i;
            }
        }
    }

    /** A backend drawn in proportion to the address weights. */
    int sample(long r) {
        if (equal) {
            return Random64.below(r, n);
        }
        return search(Math.unsignedMultiplyHigh(r, total));
    }

    /** A backend other than {@code excluded}, drawn in proportion to the address weights of the others. */
    int sampleExcluding(long r, int excluded) {
        if (equal) {
            int j = Random64.below(r, n - 1);
            return j >= excluded ? j + 1 : j;
        }
        int w = weight[excluded];
        long x = Math.unsignedMultiplyHigh(r, total - w);
        if (x >= end[excluded] - w) {
            x += w;
        }
        return search(x);
    }

    /** The backend whose weight interval holds {@code x}, in {@code [0, total)}. */
    private int search(long x) {
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (end[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    @Override
    public String toString() {
        return n + " backends, " + choices + " choices, " + (equal ? "equal weights" : "total weight " + total)
                + (ramp != null ? ", " + ramp : "");
    }
}
