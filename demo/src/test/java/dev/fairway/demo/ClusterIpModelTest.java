package dev.fairway.demo;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks {@link ClusterIpModel} against exact multinomial probabilities, and pins what docs/kubernetes.md recommends
 * behind a ClusterIP (the demo's {@link Demo#MIN_ADDRESSES} and {@link Demo#MAX_AGE_DURATION}) to what the model says.
 */
class ClusterIpModelTest {

    private static final Duration WINDOW = Duration.ofSeconds(20);
    private static final int WINDOWS = 20_000;

    /** Four standard errors of an estimated probability {@code p} from {@link #WINDOWS} windows. */
    private static double tolerance(double p) {
        return 4 * Math.sqrt(p * (1 - p) / WINDOWS) + 1e-3;
    }

    private static ClusterIpModel.Spread simulate(int replicas, Duration maxAge, double jitter) {
        return ClusterIpModel.simulate(4, replicas, maxAge, jitter, WINDOW, WINDOWS, 12);
    }

    @Test
    void exactMultinomialSums() {
        // 4 connections on 4 pods: within 2 only if each pod gets one, 4!/4^4
        assertEquals(24.0 / 256, ClusterIpModel.exactWithin(4, 4, 2), 1e-12);
        // 8 connections: only 2-2-2-2 qualifies, 8!/(2!^4)/4^8
        assertEquals(2520.0 / 65536, ClusterIpModel.exactWithin(8, 4, 2), 1e-12);
        // with no bound, every split that reaches all pods counts: 1 - P(some pod empty), by inclusion-exclusion
        double allReached = 1 - 4 * Math.pow(0.75, 12) + 6 * Math.pow(0.5, 12) - 4 * Math.pow(0.25, 12);
        assertEquals(allReached, ClusterIpModel.exactWithin(12, 4, Double.MAX_VALUE), 1e-12);
    }

    @Test
    void connectionsThatOutliveTheWindowAreAPlainMultinomial() {
        // max_age beyond the window: k connections, each carrying the whole window, no recycling
        assertEquals(ClusterIpModel.exactWithin(8, 4, 2), simulate(8, Duration.ofSeconds(30), 0.1).within(2),
                tolerance(0.04));
        assertEquals(ClusterIpModel.exactWithin(4, 4, 2), simulate(4, Duration.ofSeconds(30), 0.1).within(2),
                tolerance(0.1));
        assertEquals(1.0, simulate(1, Duration.ofSeconds(30), 0.1).empty(), "one connection leaves three pods idle");
    }

    @Test
    void recyclingWithoutJitterIsAMultinomialOfItsPlacements() {
        // 250 ms without jitter: exactly 80 placements of equal weight in 20 s
        double exact = ClusterIpModel.exactWithin(80, 4, 2);
        assertEquals(exact, simulate(1, Duration.ofMillis(250), 0).within(2), tolerance(exact));
        exact = ClusterIpModel.exactWithin(160, 4, 2);
        assertEquals(exact, simulate(4, Duration.ofMillis(500), 0).within(2), tolerance(exact));
    }

    @Test
    void onlyTheNumberOfPlacementsMatters() {
        // the same new connections per second, split differently between replicas and age
        double one = simulate(1, Duration.ofMillis(250), 0.1).within(2);
        double two = simulate(2, Duration.ofMillis(500), 0.1).within(2);
        double four = simulate(4, Duration.ofSeconds(1), 0.1).within(2);
        assertEquals(one, two, tolerance(one) + 0.01);
        assertEquals(one, four, tolerance(one) + 0.01);
        assertTrue(simulate(4, Duration.ofMillis(250), 0.1).within(2) > four, "more placements, a better spread");
    }

    @Test
    void oneSeedOneResult() {
        assertArrayEquals(simulate(2, Duration.ofSeconds(1), 0.1).ratios(), simulate(2, Duration.ofSeconds(1), 0.1).ratios());
    }

    @Test
    void theRecommendationIsTheCheapestThatMeetsTheCriterion() {
        double recommended = simulate(Demo.MIN_ADDRESSES, Demo.MAX_AGE_DURATION, ClusterIpModel.JITTER).within(2);
        assertTrue(recommended >= 0.99, "the recommended settings meet max/min <= 2 in " + recommended + " of 20 s windows");
        // a fifth fewer new connections per second falls short (4 x 500 ms, the demo's earlier setting)
        Duration longer = Demo.MAX_AGE_DURATION.multipliedBy(5).dividedBy(4);
        double cheaper = simulate(Demo.MIN_ADDRESSES, longer, ClusterIpModel.JITTER).within(2);
        assertTrue(cheaper < 0.99, "max_age " + longer + " meets the criterion in " + cheaper + " of windows");
    }

    @Test
    void theDemosLooserBoundIsBeyondTheTailOfChance() {
        ClusterIpModel.Spread spread = ClusterIpModel.simulate(4, Demo.MIN_ADDRESSES, Demo.MAX_AGE_DURATION,
                ClusterIpModel.JITTER, Demo.CLUSTERIP_WINDOW, 100_000, 5);
        double tail = spread.quantile(0.9999);
        assertTrue(tail < Demo.CLUSTERIP_MAX_MIN, "1 window in 10,000 reaches max/min " + tail + ", the demo allows "
                + Demo.CLUSTERIP_MAX_MIN);
    }
}
