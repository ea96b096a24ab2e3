package dev.fairway.health.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The module's small JSON reader and writer. */
class JsonTest {

    @Test
    void readsEveryKindOfValue() {
        Map<String, Object> o = Json.parseObject(" {\"s\":\"a\\\"b\\\\c\\/d\\n\\u00e9\\uD83D\\uDE00\", \"n\":-1.5e2, \"z\":0, \"t\":true,"
                + " \"f\":false, \"x\":null, \"a\":[1,[],{}], \"o\":{\"k\":\"v\"}, \"s\":\"last\"}\n");
        assertEquals("last", o.get("s"), "the last of duplicate keys wins");
        assertEquals(new BigDecimal("-1.5e2"), o.get("n"));
        assertEquals(BigDecimal.ZERO, o.get("z"));
        assertEquals(Boolean.TRUE, o.get("t"));
        assertEquals(Boolean.FALSE, o.get("f"));
        assertSame(Json.NULL, o.get("x"));
        assertEquals(List.of(BigDecimal.ONE, List.of(), Map.of()), o.get("a"));
        assertEquals(Map.of("k", "v"), o.get("o"));
        assertEquals("a\"b\\c/d\n\u00e9\uD83D\uDE00", Json.parseObject("{\"s\":\"a\\\"b\\\\c\\/d\\n\\u00e9\\uD83D\\uDE00\"}").get("s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "\"x\"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "{\"a\":01}", "{\"a\":1.}",
            "{\"a\":-}", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"open}", "{\"a\":1} {}", "{\"a\":[1 2]}",
            "{\"a\":\"tab\there\"}", "{\"a\":1e}"})
    void rejectsWhatIsNotOneJsonObject(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parseObject(text));
        assertTrue(e.getMessage().startsWith("not JSON: ") && e.getMessage().contains(" at offset "), e.getMessage());
    }

    @Test
    void limitsNesting() {
        String deep = "{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parseObject(deep));
        assertTrue(e.getMessage().startsWith("JSON over a limit: nested deeper than 64"), e.getMessage());
        assertEquals(1, Json.parseObject("{\"a\":" + "[".repeat(60) + "]".repeat(60) + "}").size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1e1001}", "{\"a\":1E-1001}", "{\"a\":1e00000000000000000000001001}",
            "{\"a\":1e999999999}"})
    void refusesExponentsBeyondTheLimit(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parseObject(text));
        assertEquals("JSON over a limit: a number with an exponent beyond ±1000 at offset 5", e.getMessage());
    }

    @Test
    void readsNumbersUpToTheLimits() {
        assertEquals(new BigDecimal("1e1000"), Json.parseObject("{\"a\":1e1000}").get("a"));
        assertEquals(new BigDecimal("-1e-1000"), Json.parseObject("{\"a\":-1e-0001000}").get("a"));
        String longest = "1".repeat(Json.MAX_NUMBER);
        assertEquals(new BigDecimal(longest), Json.parseObject("{\"a\":" + longest + "}").get("a"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parseObject("{\"a\":" + longest + "1}"));
        assertEquals("JSON over a limit: a number longer than " + Json.MAX_NUMBER + " characters at offset 5", e.getMessage());
    }

    @Test
    void limitsTextStringsAndValues() {
        String longest = "x".repeat(Json.MAX_STRING);
        assertEquals(longest, Json.parseObject("{\"a\":\"" + longest + "\"}").get("a"));
        assertEquals("JSON over a limit: a string longer than " + Json.MAX_STRING + " characters at offset " + (6 + Json.MAX_STRING),
                assertThrows(IllegalArgumentException.class, () -> Json.parseObject("{\"a\":\"" + longest + "x\"}")).getMessage());
        String text = " ".repeat(Json.MAX_TEXT - 2) + "{}";
        assertEquals(Map.of(), Json.parseObject(text));
        assertEquals("JSON over a limit: a text of " + (Json.MAX_TEXT + 1) + " characters is longer than " + Json.MAX_TEXT,
                assertThrows(IllegalArgumentException.class, () -> Json.parseObject(" " + text)).getMessage());
        String many = "{\"a\":[" + "0,".repeat(Json.MAX_VALUES - 3) + "0]}";
        assertEquals(Json.MAX_VALUES - 2, ((List<?>) Json.parseObject(many).get("a")).size());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parseObject(many.replace("[", "[0,0,")))
                .getMessage().startsWith("JSON over a limit: more than " + Json.MAX_VALUES + " values at offset "));
    }

    @Test
    void quotesWhatItWrites() {
        String name = "a\"b\\c\nd\u0001\u2028";
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\\u2028\"", Json.quote(name));
        assertEquals(name, Json.parseObject("{\"s\":" + Json.quote(name) + "}").get("s"));
    }
}
