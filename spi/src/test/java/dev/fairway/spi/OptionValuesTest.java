package dev.fairway.spi;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionValuesTest {

    private static final String PREFIX = "fairway.health.";

    private static final Option<Duration> INTERVAL = Option.ofDuration("interval", Duration.ofSeconds(10),
            Duration.ofMillis(100), Duration.ofMinutes(10), "time between two probes");
    private static final Option<String> PATH = Option.ofString("path", "/healthz", "the probe path");
    private static final Option<Integer> THRESHOLD = Option.ofInt("unhealthy_threshold", 3, 1, 100, "failures before unhealthy");
    private static final Option<List<String>> SERVERS = Option.ofList("servers", "the DNS servers to ask").required();

    private static final List<Option<?>> DECLARED = List.of(INTERVAL, PATH, THRESHOLD);

    @Test
    void convertsGivenValuesAndFallsBackToDefaults() {
        OptionValues values = OptionValues.of(PREFIX, DECLARED, Map.of("interval", "250ms", "unhealthy_threshold", 5));
        assertEquals(Duration.ofMillis(250), values.get(INTERVAL));
        assertEquals(5, values.get(THRESHOLD));
        assertEquals("/healthz", values.get(PATH));
    }

    @Test
    void givenTellsUserValuesFromDefaults() {
        OptionValues values = OptionValues.of(PREFIX, DECLARED, Map.of("path", "/healthz", "interval", "5s"));
        assertEquals(Optional.of("/healthz"), values.given(PATH), "a given value equal to the default is still given");
        assertEquals(Optional.of(Duration.ofSeconds(5)), values.given(INTERVAL));
        assertEquals(Optional.empty(), values.given(THRESHOLD));
        assertEquals(3, values.get(THRESHOLD));
    }

    @Test
    void asMapHoldsOnlyGivenTypedValuesAndIsUnmodifiable() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("interval", "1m");
        OptionValues values = OptionValues.of(PREFIX, DECLARED, raw);
        raw.put("path", "/x");
        assertEquals(Map.of("interval", Duration.ofMinutes(1)), values.asMap());
        assertThrows(UnsupportedOperationException.class, () -> values.asMap().put("path", "/y"));
        assertThrows(UnsupportedOperationException.class, () -> values.asMap().clear());
        assertEquals("/healthz", values.get(PATH));
    }

    @Test
    void defaultsGivesEveryDefault() {
        OptionValues values = OptionValues.defaults(DECLARED);
        assertEquals(Duration.ofSeconds(10), values.get(INTERVAL));
        assertEquals("/healthz", values.get(PATH));
        assertEquals(3, values.get(THRESHOLD));
        assertEquals(Map.of(), values.asMap());
        assertEquals(Optional.empty(), values.given(INTERVAL));
    }

    @Test
    void unknownKeyIsRejectedListingTheAcceptedKeysWithThePrefix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.of(PREFIX, DECLARED, Map.of("intervall", "5s")));
        assertEquals("unknown option fairway.health.intervall (value hidden: an unknown key may be a misspelt secret); accepted: fairway.health.interval, "
                + "fairway.health.path, fairway.health.unhealthy_threshold", e.getMessage());
    }

    @Test
    void unknownKeyWhenNoneAreDeclaredSaysSo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.of("fairway.picker.", List.of(), Map.of("choices", 2)));
        assertTrue(e.getMessage().contains("fairway.picker.choices"), e.getMessage());
        assertTrue(e.getMessage().contains("none are accepted"), e.getMessage());
    }

    @Test
    void badValueIsRejectedWithThePrefixedKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.of(PREFIX, DECLARED, Map.of("interval", "10ms")));
        assertTrue(e.getMessage().startsWith("fairway.health.interval = '10ms' is not allowed: use " + INTERVAL.allowed()),
                e.getMessage());
    }

    @Test
    void emptyPrefixIsAllowed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.of("", DECLARED, Map.of("unhealthy_threshold", "0")));
        assertTrue(e.getMessage().startsWith("unhealthy_threshold = '0'"), e.getMessage());
    }

    @Test
    void declaringAKeyTwiceIsRejected() {
        Option<String> otherPath = Option.ofString("path", "/other", "another path");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.of(PREFIX, List.of(PATH, INTERVAL, otherPath), Map.of()));
        assertTrue(e.getMessage().contains("fairway.health.path") && e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void missingRequiredOptionIsRejectedSayingWhatToGive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.of("fairway.resolver.", List.of(SERVERS, INTERVAL), Map.of("interval", "1s")));
        assertEquals("option fairway.resolver.servers is required: give a comma-separated list of non-empty items "
                + "(the DNS servers to ask)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OptionValues.defaults(List.of(SERVERS)));
    }

    @Test
    void givenRequiredOptionIsAvailable() {
        OptionValues values = OptionValues.of("fairway.resolver.", List.of(SERVERS), Map.of("servers", "10.0.0.53, 10.0.0.54"));
        assertEquals(List.of("10.0.0.53", "10.0.0.54"), values.get(SERVERS));
        assertEquals(Optional.of(List.of("10.0.0.53", "10.0.0.54")), values.given(SERVERS));
    }

    @Test
    void getOfAnUndeclaredOptionIsAnIllegalArgument() {
        OptionValues values = OptionValues.defaults(List.of(PATH));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> values.get(INTERVAL));
        assertTrue(e.getMessage().contains("interval") && e.getMessage().contains("not declared"), e.getMessage());
    }

    @Test
    void getFindsTheOptionByKey() {
        OptionValues values = OptionValues.of(PREFIX, DECLARED, Map.of("path", "/ready"));
        Option<String> sameKey = Option.ofString("path", "/other", "same key, other instance");
        assertEquals("/ready", values.get(sameKey));
    }

    @Test
    void rejectsNulls() {
        assertEquals("prefix", assertThrows(NullPointerException.class,
                () -> OptionValues.of(null, DECLARED, Map.of())).getMessage());
        assertThrows(NullPointerException.class, () -> OptionValues.of(PREFIX, null, Map.of()));
        assertThrows(NullPointerException.class, () -> OptionValues.of(PREFIX, DECLARED, null));
        Map<String, Object> nullKey = new HashMap<>();
        nullKey.put(null, "x");
        assertThrows(NullPointerException.class, () -> OptionValues.of(PREFIX, DECLARED, nullKey));
        Map<String, Object> nullValue = new LinkedHashMap<>();
        nullValue.put("path", null);
        NullPointerException e = assertThrows(NullPointerException.class, () -> OptionValues.of(PREFIX, DECLARED, nullValue));
        assertEquals("fairway.health.path", e.getMessage());
        OptionValues values = OptionValues.defaults(DECLARED);
        assertEquals("option", assertThrows(NullPointerException.class, () -> values.get(null)).getMessage());
        assertEquals("option", assertThrows(NullPointerException.class, () -> values.given(null)).getMessage());
    }
}
