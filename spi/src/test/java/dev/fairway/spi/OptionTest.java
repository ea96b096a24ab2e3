package dev.fairway.spi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionTest {

    private static final String QKEY = "fairway.health.interval";

    enum Mode { LEAST_LOADED, ROUND_ROBIN, P2C }

    private static final Option<Duration> INTERVAL = Option.ofDuration("interval", Duration.ofSeconds(10),
            Duration.ofMillis(10), Duration.ofHours(2), "time between two probes");

    /** Asserts that converting {@code raw} fails with a message naming the key, the value and what is allowed. */
    private static IllegalArgumentException assertRejected(Option<?> option, Object raw) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> option.convert(QKEY, raw),
                () -> option + " accepted " + raw);
        String message = e.getMessage();
        assertTrue(message.startsWith(QKEY + " = '" + raw + "'"), message);
        assertTrue(message.contains("use " + option.allowed()), message);
        return e;
    }

    // ---- keys and common properties

    @ParameterizedTest
    @ValueSource(strings = {"Interval", "1st", "_x", "max-age", "a.b", "", "with space"})
    void rejectsKeysThatAreNotLowerSnakeCase(String key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Option.ofString(key, "", "d"));
        assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
    }

    @Test
    void acceptsLowerSnakeCaseKeys() {
        assertEquals("refresh_interval2", Option.ofBoolean("refresh_interval2", true, "d").key());
    }

    @Test
    void factoriesRejectNulls() {
        assertEquals("key", assertThrows(NullPointerException.class, () -> Option.ofBoolean(null, true, "d")).getMessage());
        assertEquals("description", assertThrows(NullPointerException.class, () -> Option.ofBoolean("k", true, null)).getMessage());
        assertEquals("defaultValue", assertThrows(NullPointerException.class, () -> Option.ofString("k", null, "d")).getMessage());
        assertThrows(NullPointerException.class, () -> Option.ofDuration("k", null, Duration.ZERO, Duration.ofSeconds(1), "d"));
        assertThrows(NullPointerException.class, () -> Option.ofDuration("k", Duration.ZERO, null, Duration.ofSeconds(1), "d"));
        assertThrows(NullPointerException.class, () -> Option.ofDuration("k", Duration.ZERO, Duration.ZERO, null, "d"));
        assertThrows(NullPointerException.class, () -> Option.ofEnum("k", Mode.class, null, "d"));
        assertThrows(NullPointerException.class, () -> Option.ofEnum("k", null, Mode.P2C, "d"));
        assertThrows(NullPointerException.class, () -> Option.ofCustom("k", "x", "d", null, raw -> raw));
        assertThrows(NullPointerException.class, () -> Option.ofCustom("k", "x", "d", "text", null));
    }

    @Test
    void convertRejectsNullNamingTheKey() {
        assertEquals(QKEY, assertThrows(NullPointerException.class, () -> INTERVAL.convert(QKEY, null)).getMessage());
        assertEquals("qualifiedKey", assertThrows(NullPointerException.class, () -> INTERVAL.convert(null, "1s")).getMessage());
    }

    @Test
    void describesItself() {
        assertEquals("interval", INTERVAL.key());
        assertEquals(Optional.of(Duration.ofSeconds(10)), INTERVAL.defaultValue());
        assertFalse(INTERVAL.isRequired());
        assertEquals("time between two probes", INTERVAL.description());
        assertEquals("a duration from 10ms to 2h, like 500ms, 30s, 5m or PT30S", INTERVAL.allowed());
        assertEquals("interval (default 10s)", INTERVAL.toString());
    }

    // ---- string

    @Test
    void stringTakesAnyTextButOnlyText() {
        Option<String> option = Option.ofString("path", "/healthz", "probe path");
        assertEquals("/ready", option.convert(QKEY, "/ready"));
        assertEquals("", option.convert(QKEY, ""));
        assertEquals(Optional.of("/healthz"), option.defaultValue());
        assertRejected(option, 42);
    }

    // ---- int

    @Test
    void intParsesStringsAndTakesIntegralNumbers() {
        Option<Integer> option = Option.ofInt("retries", 3, 0, 10, "retries");
        assertEquals(7, option.convert(QKEY, "7"));
        assertEquals(7, option.convert(QKEY, " 7 "));
        assertEquals(0, option.convert(QKEY, "0"));
        assertEquals(10, option.convert(QKEY, "10"));
        assertEquals(5, option.convert(QKEY, 5));
        assertEquals(5, option.convert(QKEY, 5L));
        assertEquals(5, option.convert(QKEY, (short) 5));
        assertEquals(5, option.convert(QKEY, (byte) 5));
        assertEquals("an integer from 0 to 10", option.allowed());
    }

    @Test
    void intRejectsOutOfRangeAndNonIntegersWithKeyValueAndAllowed() {
        Option<Integer> option = Option.ofInt("retries", 3, 0, 10, "retries");
        assertRejected(option, "11");
        assertRejected(option, "-1");
        assertRejected(option, 11);
        assertRejected(option, 4_294_967_296L + 5); // would wrap to 5 as an int
        assertRejected(option, "99999999999999999999");
        assertRejected(option, "2.5");
        assertRejected(option, 5.0);
        IllegalArgumentException e = assertRejected(option, "three");
        assertTrue(e.getCause() instanceof NumberFormatException, String.valueOf(e.getCause()));
    }

    @Test
    void intRejectsADefaultOutsideItsRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Option.ofInt("retries", 11, 0, 10, "d"));
        assertTrue(e.getMessage().contains("11") && e.getMessage().contains("retries"), e.getMessage());
    }

    // ---- double

    @Test
    void doubleParsesStringsAndTakesNumbers() {
        Option<Double> option = Option.ofDouble("ratio", 0.5, 0.0, 1.0, "ratio");
        assertEquals(0.25, option.convert(QKEY, "0.25"));
        assertEquals(1.0, option.convert(QKEY, " 1 "));
        assertEquals(1.0, option.convert(QKEY, 1));
        assertEquals(0.75, option.convert(QKEY, 0.75f));
        assertEquals("a number from 0.0 to 1.0", option.allowed());
    }

    @Test
    void doubleRejectsOutOfRangeNaNAndText() {
        Option<Double> option = Option.ofDouble("ratio", 0.5, 0.0, 1.0, "ratio");
        assertRejected(option, "1.01");
        assertRejected(option, -0.1);
        assertRejected(option, "NaN");
        assertRejected(option, Double.NaN);
        assertRejected(option, "half");
        assertRejected(option, true);
        assertThrows(IllegalArgumentException.class, () -> Option.ofDouble("ratio", 2.0, 0.0, 1.0, "d"));
        assertThrows(IllegalArgumentException.class, () -> Option.ofDouble("ratio", Double.NaN, 0.0, 1.0, "d"));
    }

    // ---- boolean

    @ParameterizedTest
    @CsvSource({"true,true", "TRUE,true", "' True ',true", "false,false", "False,false"})
    void booleanParsesTrueAndFalseIgnoringCase(String raw, boolean expected) {
        assertEquals(expected, Option.ofBoolean("enabled", !expected, "d").convert(QKEY, raw));
    }

    @Test
    void booleanRejectsAnythingElse() {
        Option<Boolean> option = Option.ofBoolean("enabled", true, "d");
        assertEquals(false, option.convert(QKEY, Boolean.FALSE));
        assertEquals("true or false", option.allowed());
        for (Object raw : List.of("yes", "1", "on", "", 1)) {
            assertRejected(option, raw);
        }
    }

    // ---- duration

    @ParameterizedTest
    @CsvSource({
            "250ms,  PT0.25S",
            "10s,    PT10S",
            "5m,     PT5M",
            "1h,     PT1H",
            "2h,     PT2H",
            "PT10S,  PT10S",
            "pt10s,  PT10S",
            "PT1M30S, PT1M30S",
            "1.5s,   PT1.5S",
            "0.1s,   PT0.1S",
            "10 s,   PT10S",
            "10S,    PT10S",
            "' 30s ', PT30S",
            "15000us, PT0.015S",
            "20000000ns, PT0.02S",
            "0.05d,  PT1H12M",
    })
    void durationParsesUnitsAndIso8601(String raw, String expected) {
        assertEquals(Duration.parse(expected), INTERVAL.convert(QKEY, raw));
    }

    @Test
    void durationTakesDurationValues() {
        assertEquals(Duration.ofMinutes(3), INTERVAL.convert(QKEY, Duration.ofMinutes(3)));
        assertEquals(Duration.ofMillis(10), INTERVAL.convert(QKEY, Duration.ofMillis(10)));
        assertEquals(Duration.ofHours(2), INTERVAL.convert(QKEY, Duration.ofHours(2)));
    }

    @Test
    void durationRejectsOutOfRangeWithKeyValueAndAllowed() {
        IllegalArgumentException e = assertRejected(INTERVAL, "5ms");
        assertTrue(e.getMessage().contains("from 10ms to 2h"), e.getMessage());
        assertRejected(INTERVAL, "3h");
        assertRejected(INTERVAL, "PT2H0.000000001S");
        assertRejected(INTERVAL, Duration.ofMillis(9));
        assertRejected(INTERVAL, "PT-5S");
    }

    @Test
    void durationRejectsMalformedText() {
        for (String raw : List.of("10", "s", "-5s", "5 sec", "1e3s", "5min", "P", "", "ten seconds", "99999999999999999999d")) {
            assertRejected(INTERVAL, raw);
        }
        assertRejected(INTERVAL, 1000);
    }

    @Test
    void durationAppendsTheIsoParserMessage() {
        IllegalArgumentException e = assertRejected(INTERVAL, "PTxS");
        assertTrue(e.getMessage().endsWith(")"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot be parsed"), e.getMessage());
    }

    @Test
    void durationRejectsADefaultOutsideItsRange() {
        assertThrows(IllegalArgumentException.class, () -> Option.ofDuration("interval", Duration.ZERO,
                Duration.ofMillis(10), Duration.ofHours(1), "d"));
    }

    @Test
    void durationAllowedTextFormatsTheBounds() {
        assertEquals("a duration from 0s to 90s, like 500ms, 30s, 5m or PT30S",
                Option.ofDuration("d", Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(90), "d").allowed());
        assertEquals("a duration from 1m to 48h, like 500ms, 30s, 5m or PT30S",
                Option.ofDuration("d", Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofDays(2), "d").allowed());
    }

    // ---- enum

    @ParameterizedTest
    @CsvSource({
            "least_loaded, LEAST_LOADED",
            "LEAST_LOADED, LEAST_LOADED",
            "Least-Loaded, LEAST_LOADED",
            "round-robin,  ROUND_ROBIN",
            "' p2c ',      P2C",
    })
    void enumMatchesNamesIgnoringCaseWithDashesAsUnderscores(String raw, Mode expected) {
        assertEquals(expected, Option.ofEnum("mode", Mode.class, Mode.P2C, "d").convert(QKEY, raw));
    }

    @Test
    void enumTakesConstantsAndRejectsOthers() {
        Option<Mode> option = Option.ofEnum("mode", Mode.class, Mode.P2C, "d");
        assertSame(Mode.ROUND_ROBIN, option.convert(QKEY, Mode.ROUND_ROBIN));
        assertEquals("one of least_loaded, round_robin, p2c", option.allowed());
        IllegalArgumentException e = assertRejected(option, "fastest");
        assertTrue(e.getMessage().contains("least_loaded, round_robin, p2c"), e.getMessage());
        assertRejected(option, "leastloaded");
        assertRejected(option, HealthState.HEALTHY);
        assertRejected(option, 0);
    }

    // ---- list

    @Test
    void listSplitsAtCommasAndTrims() {
        Option<List<String>> option = Option.ofList("zones", "preferred zones");
        assertEquals(Optional.of(List.of()), option.defaultValue());
        assertEquals(List.of("a", "b", "c"), option.convert(QKEY, "a, b ,c"));
        assertEquals(List.of("only"), option.convert(QKEY, " only "));
        assertEquals(List.of(), option.convert(QKEY, ""));
        assertEquals(List.of(), option.convert(QKEY, "   "));
        assertEquals(List.of("x", "y"), option.convert(QKEY, List.of("x", " y ")));
    }

    @Test
    void listRejectsEmptyItemsAndNonStrings() {
        Option<List<String>> option = Option.ofList("zones", "preferred zones");
        for (String raw : List.of("a,,b", "a,", ",a", " , ", "a, ,b")) {
            assertRejected(option, raw);
        }
        assertRejected(option, List.of("a", ""));
        assertRejected(option, List.of("a", 1));
        assertRejected(option, Arrays.asList("a", null));
        assertRejected(option, 5);
        assertEquals("a comma-separated list of non-empty items", option.allowed());
    }

    @Test
    void listResultIsACopyAndUnmodifiable() {
        Option<List<String>> option = Option.ofList("zones", "preferred zones");
        List<String> given = new ArrayList<>(List.of("a", "b"));
        List<String> converted = option.convert(QKEY, given);
        given.add("c");
        assertEquals(List.of("a", "b"), converted);
        assertThrows(UnsupportedOperationException.class, () -> converted.add("d"));
    }

    // ---- custom

    private static final Option<InetAddress> SERVER = Option.ofCustom("server", InetAddress.getLoopbackAddress(),
            "the DNS server", "an IP address literal", raw -> {
                if (raw instanceof InetAddress a) {
                    return a;
                }
                if (raw instanceof String s && !s.isBlank() && (Character.isDigit(s.charAt(0)) || s.indexOf(':') >= 0)) {
                    try {
                        return InetAddress.getByName(s);
                    } catch (java.net.UnknownHostException e) {
                        throw new IllegalArgumentException("not an IP address literal: " + s, e);
                    }
                }
                throw new IllegalArgumentException("'" + raw + "' is a host name, not an IP address literal");
            });

    @Test
    void customUsesTheConverter() throws Exception {
        assertEquals(InetAddress.getByName("10.0.0.53"), SERVER.convert(QKEY, "10.0.0.53"));
        assertSame(InetAddress.getLoopbackAddress(), SERVER.convert(QKEY, InetAddress.getLoopbackAddress()));
        assertEquals("an IP address literal", SERVER.allowed());
        assertEquals(Optional.of(InetAddress.getLoopbackAddress()), SERVER.defaultValue());
    }

    @Test
    void customAppendsTheConverterMessage() {
        IllegalArgumentException e = assertRejected(SERVER, "dns.example");
        assertTrue(e.getMessage().endsWith("use an IP address literal ('dns.example' is a host name, not an IP address literal)"),
                e.getMessage());
        assertTrue(e.getCause() instanceof IllegalArgumentException);
    }

    @Test
    void customWithoutConverterMessageAddsNothing() {
        Option<String> option = Option.ofCustom("label", "x", "d", "a label", raw -> {
            throw new IllegalArgumentException();
        });
        IllegalArgumentException e = assertRejected(option, "y");
        assertTrue(e.getMessage().endsWith("use a label"), e.getMessage());
        assertEquals(null, e.getCause(), "no meaningless 'IllegalArgumentException: null' cause");
    }

    @Test
    void customArithmeticFailureBecomesAnIllegalArgument() {
        Option<Integer> option = Option.ofCustom("n", 1, "d", "a small number", raw -> Math.toIntExact(Long.parseLong((String) raw)));
        IllegalArgumentException e = assertRejected(option, "99999999999");
        assertTrue(e.getMessage().contains("(integer overflow)"), e.getMessage());
    }

    // ---- required

    @Test
    void requiredIsACopyWithoutDefault() {
        Option<Integer> optional = Option.ofInt("port", 53, 1, 65535, "DNS port");
        Option<Integer> required = optional.required();
        assertTrue(required.isRequired());
        assertEquals(Optional.empty(), required.defaultValue());
        assertEquals("port (required)", required.toString());
        assertEquals("port", required.key());
        assertEquals(optional.allowed(), required.allowed());
        assertEquals(optional.description(), required.description());
        assertEquals(8053, required.convert(QKEY, "8053"));
        assertRejected(required, "0");
        assertFalse(optional.isRequired());
        assertEquals(Optional.of(53), optional.defaultValue());
        assertEquals("port (default 53)", optional.toString());
    }
}
