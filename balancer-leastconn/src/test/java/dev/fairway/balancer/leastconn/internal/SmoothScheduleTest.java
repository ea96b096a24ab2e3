package dev.fairway.balancer.leastconn.internal;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmoothScheduleTest {

    /** nginx's smooth weighted round robin, step by step over every backend (ngx_http_upstream_get_peer). */
    private static int[] nginx(int[] weights) {
        int total = Arrays.stream(weights).sum();
        int[] current = new int[weights.length];
        int[] schedule = new int[total];
        for (int t = 0; t < total; t++) {
            int best = -1;
            for (int i = 0; i < weights.length; i++) {
                current[i] += weights[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            schedule[t] = best;
        }
        return schedule;
    }

    @Test
    void interleavesSmoothlyLikeNginx() {
        assertArrayEquals(new int[] {0, 0, 1, 0, 2, 0, 0}, SmoothSchedule.of(new int[] {5, 1, 1}));
        SplittableRandom random = new SplittableRandom(5);
        for (int round = 0; round < 300; round++) {
            int n = 2 + random.nextInt(20);
            int[] weights = random.ints(n, 1, round % 3 == 0 ? 4 : 60).toArray();
            int[] expected = nginx(SmoothSchedule.slots(weights));
            int[] actual = SmoothSchedule.of(weights);
            if (actual == null) {
                assertTrue(Arrays.stream(weights).allMatch(w -> w == weights[0]), Arrays.toString(weights));
                continue;
            }
            assertArrayEquals(expected, actual, "weights " + Arrays.toString(weights));
        }
    }

    @Test
    void eachBackendGetsExactlyItsSlotsAndEqualWeightsNeedNoSchedule() {
        assertNull(SmoothSchedule.of(new int[] {7, 7, 7}));
        assertArrayEquals(new int[] {1, 2, 3}, SmoothSchedule.slots(new int[] {10, 20, 30}));
        int[] schedule = SmoothSchedule.of(new int[] {2, 4, 6, 8});
        int[] counts = new int[4];
        for (int b : schedule) {
            counts[b]++;
        }
        assertArrayEquals(new int[] {1, 2, 3, 4}, counts);
    }

    @Test
    void largeWeightsAreScaledDownWithinTheBoundAndOnePercent() {
        SplittableRandom random = new SplittableRandom(9);
        int n = 1000;
        int[] weights = random.ints(n, 1, 1_000_001).toArray();
        int[] schedule = SmoothSchedule.of(weights);
        assertTrue(schedule.length <= SmoothSchedule.MAX_SLOTS + n, "schedule of " + schedule.length + " slots");
        long[] counts = new long[n];
        for (int b : schedule) {
            counts[b]++;
        }
        long weightSum = Arrays.stream(weights).asLongStream().sum();
        for (int i = 0; i < n; i++) {
            double expected = (double) schedule.length * weights[i] / weightSum;
            if (expected >= 50) {
                assertEquals(expected, counts[i], expected * 0.01, "backend " + i + " of weight " + weights[i]);
            }
            assertTrue(counts[i] >= 1, "backend " + i + " has no slot");
        }

        int[] many = new int[100_000];
        Arrays.fill(many, 1);
        many[0] = 2;
        int[] bounded = SmoothSchedule.of(many);
        assertEquals(100_001, bounded.length, "more backends than slots: one slot each, weight 2 keeps two");
    }
}
