package dev.fairway.resolver.kubernetes.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small, strict JSON reader (RFC 8259) for the API server's answers, bounded in nesting depth; the caller bounds
 * the size. Objects become {@code Map<String, Object>} (members whose value is {@code null} are left out, as the
 * Kubernetes API treats them as absent), arrays {@code List<Object>} ({@code null} items become {@link #NULL}),
 * numbers {@link Long} when integral and in range, else {@link Double}; strings and booleans as such.
 *
 * <p>Thread-safe (stateless); each {@link #parse} call has its own cursor.
 */
final class Json {

    /** The deepest nesting of arrays and objects accepted. */
    static final int MAX_DEPTH = 64;

    /** What a JSON {@code null} inside an array becomes. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** Malformed or too deeply nested JSON. */
    static final class MalformedJsonException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedJsonException(String message) {
            super(message);
        }
    }

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /**
     * Parses one JSON value that makes up all of {@code text} (surrounding white space allowed).
     *
     * @param text the JSON text
     * @return the value
     * @throws MalformedJsonException naming the offset and what was expected
     */
    static Object parse(String text) throws MalformedJsonException {
        Json json = new Json(text);
        json.skipSpace();
        Object value = json.value(0);
        json.skipSpace();
        if (json.pos != text.length()) {
            throw json.error("end of input");
        }
        return value;
    }

    /**
     * Parses a JSON object.
     *
     * @param text the JSON text
     * @return its members
     * @throws MalformedJsonException if the text is not one JSON object
     */
    static Map<String, Object> parseObject(String text) throws MalformedJsonException {
        if (parse(text) instanceof Map<?, ?> map) {
            return cast(map);
        }
        throw new MalformedJsonException("expected a JSON object, found another value");
    }

    // ---------------------------------------------------------------- typed access, for the Kubernetes objects

    /** The object member {@code key} of {@code object}, if it is an object. */
    static Map<String, Object> object(Map<String, Object> object, String key) {
        return object.get(key) instanceof Map<?, ?> map ? cast(map) : Map.of();
    }

    /** The array member {@code key} of {@code object}, if it is an array. */
    static List<Object> array(Map<String, Object> object, String key) {
        return object.get(key) instanceof List<?> list ? Collections.unmodifiableList(list) : List.of();
    }

    /** The string member {@code key} of {@code object}, if it is a string. */
    static Optional<String> string(Map<String, Object> object, String key) {
        return object.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** The boolean member {@code key} of {@code object}, if it is a boolean. */
    static Optional<Boolean> bool(Map<String, Object> object, String key) {
        return object.get(key) instanceof Boolean b ? Optional.of(b) : Optional.empty();
    }

    /** The integer member {@code key} of {@code object}, if it is an integral number. */
    static Optional<Long> integer(Map<String, Object> object, String key) {
        return object.get(key) instanceof Long l ? Optional.of(l) : Optional.empty();
    }

    /** The objects among the items of the array member {@code key}. */
    static List<Map<String, Object>> objects(Map<String, Object> object, String key) {
        List<Map<String, Object>> result = new ArrayList<>();
        for (Object item : array(object, key)) {
            if (item instanceof Map<?, ?> map) {
                result.add(cast(map));
            }
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    // ---------------------------------------------------------------- the grammar

    private Object value(int depth) throws MalformedJsonException {
        if (pos >= text.length()) {
            throw error("a value");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("a value");
            }
        };
    }

    private Map<String, Object> object(int depth) throws MalformedJsonException {
        checkDepth(depth);
        pos++;
        Map<String, Object> members = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return members;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("a member name in quotes");
            }
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object value = value(depth);
            if (value != NULL) {
                members.put(key, value);
            } else {
                members.remove(key);
            }
            skipSpace();
            char c = peek();
            pos++;
            if (c == '}') {
                return members;
            }
            if (c != ',') {
                pos--;
                throw error("',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) throws MalformedJsonException {
        checkDepth(depth);
        pos++;
        List<Object> items = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            return items;
        }
        while (true) {
            skipSpace();
            items.add(value(depth));
            skipSpace();
            char c = peek();
            pos++;
            if (c == ']') {
                return items;
            }
            if (c != ',') {
                pos--;
                throw error("',' or ']'");
            }
        }
    }

    private String string() throws MalformedJsonException {
        pos++;                                            // the opening quote
        StringBuilder sb = null;
        int start = pos;
        while (true) {
            if (pos >= text.length()) {
                throw error("a closing quote");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                String s = sb == null ? text.substring(start, pos) : sb.append(text, start, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20) {
                throw error("no control character in a string");
            }
            if (c != '\\') {
                pos++;
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder();
            }
            sb.append(text, start, pos);
            pos++;
            if (pos >= text.length()) {
                throw error("an escape");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("four hex digits");
                    }
                    int v = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(text.charAt(pos + i), 16);
                        if (d < 0) {
                            throw error("four hex digits");
                        }
                        v = v * 16 + d;
                    }
                    pos += 4;
                    sb.append((char) v);
                }
                default -> {
                    pos--;
                    throw error("one of the escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
                }
            }
            start = pos;
        }
    }

    private Object number() throws MalformedJsonException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw error("a digit");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) {
                throw error("a digit after '.'");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("a digit in the exponent");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        String literal = text.substring(start, pos);
        if (integral && literal.length() <= 19) {
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException e) {
                // out of range: a double below
            }
        }
        return Double.parseDouble(literal);
    }

    private Object literal(String word, Object value) throws MalformedJsonException {
        if (!text.startsWith(word, pos)) {
            throw error("a value");
        }
        pos += word.length();
        return value;
    }

    private void checkDepth(int depth) throws MalformedJsonException {
        if (depth > MAX_DEPTH) {
            throw new MalformedJsonException("JSON nested deeper than " + MAX_DEPTH + " levels at offset " + pos);
        }
    }

    private void expect(char c) throws MalformedJsonException {
        if (peek() != c) {
            throw error("'" + c + "'");
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private MalformedJsonException error(String expected) {
        String found = pos >= text.length() ? "the end" : "'" + text.charAt(pos) + "'";
        return new MalformedJsonException("malformed JSON at offset " + pos + ": expected " + expected + ", found " + found);
    }
}
