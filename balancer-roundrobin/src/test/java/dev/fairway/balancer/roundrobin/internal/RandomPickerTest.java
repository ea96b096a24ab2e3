package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;
import dev.fairway.testing.FakeBackend;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.fairway.balancer.roundrobin.internal.Contexts.context;
import static dev.fairway.balancer.roundrobin.internal.Contexts.count;
import static dev.fairway.balancer.roundrobin.internal.Contexts.indexOf;
import static dev.fairway.balancer.roundrobin.internal.Contexts.numbered;
import static dev.fairway.balancer.roundrobin.internal.Contexts.weighted;
import static dev.fairway.balancer.roundrobin.internal.Contexts.worstShareError;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomPickerTest {

    private final RandomPickerProvider provider = new RandomPickerProvider();

    @Test
    void picksEveryBackendAboutEquallyOften() {
        int n = 100;
        int picks = 1_000_000;
        List<Backend> backends = numbered(n);
        Picker picker = provider.create(context(backends, 1));
        int[] counts = new int[n];
        for (int i = 0; i < picks; i++) {
            counts[indexOf(backends, picker.pick(null))]++;
        }
        // mean 10,000, standard deviation about 99.5: +-10% is about 10 standard deviations
        int mean = picks / n;
        for (int b = 0; b < n; b++) {
            int c = counts[b];
            assertTrue(c > mean * 0.9 && c < mean * 1.1, "backend " + b + " picked " + c + " times: " + Arrays.toString(counts));
        }
    }

    @Test
    void picksInProportionToTheWeights() {
        int[] weights = {1, 2, 3, 4};
        List<FakeBackend> backends = weighted(weights);
        Picker picker = provider.create(context(List.copyOf(backends), 1));
        // 4 million picks: the smallest share (10 %) has a standard deviation of 0.15 % of itself; 1 % is 6.7 of them
        long[] counts = count(picker, backends, 4_000_000);
        double error = worstShareError(counts, weights);
        assertTrue(error < 0.01, "share error " + error + ": " + Arrays.toString(counts));

        int[] skewed = {1, 1000, 1, 1, 50_000};
        List<FakeBackend> five = weighted(skewed);
        long[] skewedCounts = count(provider.create(context(List.copyOf(five), 1)), five, 4_000_000);
        assertTrue(Math.abs(skewedCounts[4] / 4_000_000.0 - 50_000 / 51_003.0) < 0.001, Arrays.toString(skewedCounts));
        assertTrue(skewedCounts[0] > 0 && skewedCounts[2] > 0 && skewedCounts[3] > 0, Arrays.toString(skewedCounts));
    }

    @Test
    void aSingleBackendIsAlwaysPicked() {
        List<Backend> backends = numbered(1);
        Picker picker = provider.create(context(backends, 1));
        for (int i = 0; i < 100; i++) {
            assertSame(backends.get(0), picker.pick(null));
        }
    }

    @Test
    void picksOnlyFromItsSnapshot() {
        List<Backend> backends = numbered(3);
        Picker picker = provider.create(context(backends, 1));
        boolean[] seen = new boolean[3];
        for (int i = 0; i < 1000; i++) {
            seen[indexOf(backends, picker.pick(null))] = true;
        }
        assertTrue(seen[0] && seen[1] && seen[2], Arrays.toString(seen));
    }
}
