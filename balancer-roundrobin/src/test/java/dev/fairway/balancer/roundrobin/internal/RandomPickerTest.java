package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.fairway.balancer.roundrobin.internal.Contexts.context;
import static dev.fairway.balancer.roundrobin.internal.Contexts.indexOf;
import static dev.fairway.balancer.roundrobin.internal.Contexts.numbered;
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
