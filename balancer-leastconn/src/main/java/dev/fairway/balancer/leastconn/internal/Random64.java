package dev.fairway.balancer.leastconn.internal;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seedable, allocation-free randomness for pickers: one {@link AtomicLong} advanced by a fixed odd step per pick
 * (as {@link SplittableRandom} advances its seed), and the SplitMix64 finaliser to turn a state and a sub-stream number
 * into independent-looking 64-bit values. Deterministic for a single thread and a given seed, which keeps the tests
 * reproducible; lock-free for any number of threads.
 */
final class Random64 {

    /** The step between the states of successive picks (the golden ratio in 64-bit fixed point). */
    static final long GAMMA = 0x9E3779B97F4A7C15L;

    private static final long STREAM = 0xD1B54A32D192ED03L;

    private Random64() {
    }

    /**
     * A fresh state for a picker: seeded, so that clients with different seeds draw differently.
     *
     * @param seed the client's seed
     * @return the state, to be shared by the pickers that replace each other
     */
    static AtomicLong state(long seed) {
        return new AtomicLong(mix(seed ^ 0x5851F42D4C957F2DL));
    }

    /**
     * The SplitMix64 finaliser (Stafford's variant 13).
     *
     * @param z any value
     * @return a well-mixed value
     */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The {@code k}-th random value of the pick whose state is {@code state}.
     *
     * @param state the pick's state
     * @param k     the sub-stream, zero or more
     * @return a random 64-bit value
     */
    static long value(long state, int k) {
        return mix(state + (k + 1L) * STREAM);
    }

    /**
     * A uniform index in {@code [0, bound)}.
     *
     * @param random a random 64-bit value
     * @param bound  the bound, positive
     * @return the index
     */
    static int below(long random, int bound) {
        return (int) Math.unsignedMultiplyHigh(random, bound);
    }

    /**
     * A uniform fraction in {@code [0, 1)}.
     *
     * @param random a random 64-bit value
     * @return the fraction
     */
    static double unit(long random) {
        return (random >>> 11) * 0x1.0p-53;
    }

    /**
     * The fractional part of {@code position} times the golden ratio: a low-discrepancy sequence in {@code [0, 1)}, so
     * that a backend accepted with probability {@code p} at successive positions is accepted close to {@code p} of the
     * time even over short runs.
     *
     * @param position a position in a rotation
     * @return the fraction
     */
    static double weyl(long position) {
        return unit(position * GAMMA);
    }
}
