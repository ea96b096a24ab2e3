package dev.fairway.spi;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeafTermsTest {

    @Test
    void unlimitedHasNoLimitsAndTheDefaultGrace() {
        assertEquals(LeafTerms.NO_MAX_AGE, LeafTerms.UNLIMITED.maxAge());
        assertEquals(Long.MAX_VALUE, LeafTerms.UNLIMITED.maxRequests());
        assertEquals(LeafTerms.NO_DRAIN_LIMIT, LeafTerms.UNLIMITED.drainGrace());
        assertEquals(LeafTerms.NO_DRAIN_LIMIT, LeafTerms.DEFAULT_DRAIN_GRACE);
        assertFalse(LeafTerms.UNLIMITED.hasDrainLimit());
        assertTrue(new LeafTerms(LeafTerms.NO_MAX_AGE, 1, Duration.ofSeconds(30)).hasDrainLimit());
        assertFalse(LeafTerms.UNLIMITED.hasMaxAge());
    }

    @Test
    void hasMaxAgeIsTrueForAnyFiniteAge() {
        assertTrue(new LeafTerms(Duration.ofMinutes(5), 100, Duration.ZERO).hasMaxAge());
        assertTrue(new LeafTerms(Duration.ofNanos(1), 1, Duration.ZERO).hasMaxAge());
        assertFalse(new LeafTerms(ChronoUnit.FOREVER.getDuration(), 1, Duration.ZERO).hasMaxAge());
    }

    @Test
    void acceptsZeroGraceAndOneRequest() {
        LeafTerms terms = new LeafTerms(Duration.ofSeconds(1), 1, Duration.ZERO);
        assertEquals(1, terms.maxRequests());
        assertEquals(Duration.ZERO, terms.drainGrace());
    }

    @Test
    void rejectsNonPositiveMaxAgeNamingIt() {
        for (Duration age : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new LeafTerms(age, 10, Duration.ZERO));
            assertTrue(e.getMessage().contains("maxAge") && e.getMessage().contains(age.toString()), e.getMessage());
        }
    }

    @Test
    void rejectsNonPositiveMaxRequestsNamingIt() {
        for (long n : new long[] {0, -1, Long.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new LeafTerms(Duration.ofMinutes(1), n, Duration.ZERO));
            assertTrue(e.getMessage().contains("maxRequests") && e.getMessage().contains(Long.toString(n)), e.getMessage());
        }
    }

    @Test
    void rejectsNegativeGraceNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LeafTerms(Duration.ofMinutes(1), 10, Duration.ofMillis(-1)));
        assertTrue(e.getMessage().contains("drainGrace") && e.getMessage().contains("PT-0.001S"), e.getMessage());
    }

    @Test
    void rejectsNulls() {
        assertEquals("maxAge", assertThrows(NullPointerException.class,
                () -> new LeafTerms(null, 1, Duration.ZERO)).getMessage());
        assertEquals("drainGrace", assertThrows(NullPointerException.class,
                () -> new LeafTerms(Duration.ofSeconds(1), 1, null)).getMessage());
    }
}
