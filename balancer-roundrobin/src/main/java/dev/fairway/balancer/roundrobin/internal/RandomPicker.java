package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An immutable snapshot of the usable backends that picks one at random per request, in proportion to
 * {@link dev.fairway.spi.BackendAddress#weight()}, from {@link ThreadLocalRandom}.
 *
 * <p>With equal weights a pick is one uniform index. Otherwise the snapshot holds a Vose alias table (built in
 * O(backends)), and a pick is a uniform index plus one biased coin between that backend and its alias: O(1) for any
 * weights. Stateless between picks; thread-safe; picking never locks, throws or allocates.
 */
public final class RandomPicker implements Picker {

    private final Backend[] backends;
    private final double[] keep;
    private final int[] alias;

    /**
     * A picker over {@code backends}.
     *
     * @param backends the backends, not empty; copied
     */
    RandomPicker(List<Backend> backends) {
        this.backends = backends.toArray(new Backend[0]);
        int n = this.backends.length;
        if (n == 0) {
            throw new IllegalArgumentException("a random picker needs at least one backend");
        }
        long total = 0;
        boolean equal = true;
        for (Backend b : this.backends) {
            int w = Objects.requireNonNull(b, "backend").address().weight();
            total += w;
            equal &= w == this.backends[0].address().weight();
        }
        if (equal) {
            this.keep = null;
            this.alias = null;
            return;
        }
        // Vose's alias method: every column holds probability mass 1/n, split between its own backend and one alias
        this.keep = new double[n];
        this.alias = new int[n];
        double[] scaled = new double[n];
        int[] small = new int[n];
        int[] large = new int[n];
        int smalls = 0;
        int larges = 0;
        for (int i = 0; i < n; i++) {
            scaled[i] = (double) this.backends[i].address().weight() * n / total;
            if (scaled[i] < 1.0) {
                small[smalls++] = i;
            } else {
                large[larges++] = i;
            }
        }
        while (smalls > 0 && larges > 0) {
            int s = small[--smalls];
            int l = large[--larges];
            keep[s] = scaled[s];
            alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1.0;
            if (scaled[l] < 1.0) {
                small[smalls++] = l;
            } else {
                large[larges++] = l;
            }
        }
        while (larges > 0) {
            keep[large[--larges]] = 1.0;
        }
        while (smalls > 0) {
            keep[small[--smalls]] = 1.0; // only rounding left these
        }
    }

    /**
     * Returns a random backend, in proportion to the weights.
     *
     * @param request ignored; may be {@code null}
     * @return a backend, never {@code null}
     */
    @Override
    public Backend pick(HttpRequest request) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(backends.length);
        if (keep == null || random.nextDouble() < keep[i]) {
            return backends[i];
        }
        return backends[alias[i]];
    }

    @Override
    public String toString() {
        return "RandomPicker[" + backends.length + " backends" + (keep == null ? "" : ", weighted") + "]";
    }
}
