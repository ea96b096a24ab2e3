package dev.fairway.resolver.kubernetes.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class JsonTest {

    @Test
    void readsTheValuesTheApiServerSends() throws Exception {
        Map<String, Object> o = Json.parseObject(" {\"a\": [1, -2.5e1, true, false, null, \"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"],"
                + " \"b\": {\"c\": null, \"d\": {}}, \"e\": [], \"big\": 123456789012345678901, \"zero\": 0, \"neg\": -0} ");
        assertEquals(List.of(1L, -25.0, true, false, Json.NULL, "x\"\\/\b\f\n\r\té😀"), o.get("a"));
        assertEquals(Map.of("d", Map.of()), o.get("b"), "a null member is left out");
        assertEquals(List.of(), o.get("e"));
        assertEquals(1.2345678901234568E20, o.get("big"));
        assertEquals(0L, o.get("zero"));
        assertEquals(0L, o.get("neg"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]", "{a:1}", "{'a':1}", "01",
            "1.", ".5", "-", "1e", "+1", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"a\u0001\"", "[] []",
            "{\"a\":1}}", "NaN", "Infinity", "[\"a\"\u0000]", "{\"a\" 1}", "[", "[[", "\"\\"})
    void rejectsMalformedInputNamingTheOffset(String text) {
        Json.MalformedJsonException e = assertThrows(Json.MalformedJsonException.class, () -> Json.parse(text));
        assertTrue(e.getMessage().contains("offset"), e.getMessage());
    }

    @Test
    void boundsTheNesting() throws Exception {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Json.parse(ok);
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        Json.MalformedJsonException e = assertThrows(Json.MalformedJsonException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("deeper than 64"), e.getMessage());
        String hostile = "{\"a\":".repeat(100_000);
        assertThrows(Json.MalformedJsonException.class, () -> Json.parse(hostile), "no StackOverflowError");
    }

    @Test
    void objectIsRequiredWhereAnObjectIsExpected() {
        assertThrows(Json.MalformedJsonException.class, () -> Json.parseObject("[1]"));
    }

    /** Fuzz-ish: mutations of a real watch event either parse or fail with MalformedJsonException, nothing else. */
    @Test
    void mutatedEventsParseOrFailCleanly() {
        String event = K8s.event("MODIFIED", K8s.slice("orders-abc", "orders", "42", "http", 8080,
                List.of(K8s.ready("10.0.0.1"), K8s.terminating("10.0.0.2"), K8s.endpoint("10.0.0.3", null, null, null, "z1"))));
        String alphabet = "{}[]\":,\\ 0123456789.eE+-truefalsnu\u0000\u00e9";
        Random random = new Random(15);
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder(event);
            int edits = 1 + random.nextInt(4);
            for (int j = 0; j < edits && s.length() > 0; j++) {
                int at = random.nextInt(s.length());
                switch (random.nextInt(4)) {
                    case 0 -> s.deleteCharAt(at);
                    case 1 -> s.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 2 -> s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> s.setLength(at);
                }
            }
            try {
                Object value = Json.parse(s.toString());
                parsed++;
                if (value instanceof Map<?, ?> map && map.get("object") instanceof Map<?, ?>) {
                    try {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> object = (Map<String, Object>) map.get("object");
                        Slice.parse(object);
                    } catch (java.io.IOException expected) {
                        // a mutated slice may be invalid; it must say so as an IOException
                    }
                }
            } catch (Json.MalformedJsonException expected) {
                // fine
            } catch (RuntimeException | StackOverflowError e) {
                fail("input " + s + " threw " + e, e);
            }
        }
        assertTrue(parsed > 100, "some mutations stay valid JSON: " + parsed);
    }
}
