package dev.fairway.health.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader (RFC 8259) for the few fields the {@code grpc_health} probe needs, so that the module
 * depends on nothing. Objects become {@code Map<String, Object>} (insertion order, the last of duplicate keys
 * wins), arrays {@code List<Object>}, strings {@code String}, numbers {@link BigDecimal}, {@code true}/{@code false}
 * {@code Boolean} and {@code null} {@link #NULL}.
 *
 * <p>Reading is total and bounded, because the text comes from a server: a text of at most {@value #MAX_TEXT}
 * characters, nesting of at most {@value #MAX_DEPTH} levels, strings of at most {@value #MAX_STRING} characters,
 * numbers of at most {@value #MAX_NUMBER} characters with an exponent within ±{@value #MAX_EXPONENT} (so that no
 * number, such as {@code 1e999999999}, can later expand into a huge plain string) and at most {@value #MAX_VALUES}
 * values in all. Whatever else it is given, it throws {@link IllegalArgumentException} and nothing else: "not JSON:
 * ..." for a syntax error, "JSON over a limit: ..." naming the limit for the rest, both with the offset. It allocates
 * a small multiple of the text's size.
 */
final class Json {

    /** The JSON {@code null}. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** The deepest nesting of objects and arrays. */
    static final int MAX_DEPTH = 64;
    /** The longest text, in characters. */
    static final int MAX_TEXT = 64 * 1024;
    /** The longest string, in characters after unescaping. */
    static final int MAX_STRING = 8 * 1024;
    /** The longest number, in characters (sign, digits, point and exponent). */
    static final int MAX_NUMBER = 100;
    /** The largest exponent, in absolute value; a double's range is within ±400. */
    static final int MAX_EXPONENT = 1000;
    /** The most values (objects, arrays, strings, numbers, literals, member names excluded) in one text. */
    static final int MAX_VALUES = 10_000;

    private final String text;
    private int pos;
    private int values;

    private Json(String text) {
        this.text = text;
    }

    /**
     * Parses a JSON text whose top-level value is an object; a leading byte order mark and surrounding whitespace
     * are allowed.
     *
     * @param text the text
     * @return the object's members
     * @throws IllegalArgumentException if the text is not one JSON object ("not JSON: ..."), or is one beyond a limit
     *                                  of this class ("JSON over a limit: ..."), saying which and where
     */
    static Map<String, Object> parseObject(String text) {
        if (text.length() > MAX_TEXT) {
            throw new IllegalArgumentException("JSON over a limit: a text of " + text.length() + " characters is longer than "
                    + MAX_TEXT);
        }
        Json json = new Json(text);
        if (text.startsWith("\uFEFF")) {
            json.pos = 1;
        }
        json.skipWhitespace();
        if (json.peek() != '{') {
            throw json.error("expected an object");
        }
        Object value = json.value(0);
        json.skipWhitespace();
        if (json.pos != text.length()) {
            throw json.error("unexpected text after the object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) value;
        return object;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw overLimit("nested deeper than " + MAX_DEPTH + " levels");
        }
        if (++values > MAX_VALUES) {
            throw overLimit("more than " + MAX_VALUES + " values");
        }
        skipWhitespace();
        char c = peek();
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return NULL;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error(pos >= text.length() ? "unexpected end" : "unexpected character " + describe(c));
        }
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> members = new LinkedHashMap<>();
        pos++; // {
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return members;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a member name");
            }
            String name = string();
            skipWhitespace();
            expect(':');
            members.put(name, value(depth + 1));
            skipWhitespace();
            char c = next();
            if (c == '}') {
                return members;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> items = new ArrayList<>();
        pos++; // [
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return items;
        }
        while (true) {
            items.add(value(depth + 1));
            skipWhitespace();
            char c = next();
            if (c == ']') {
                return items;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() {
        pos++; // "
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (sb.length() == MAX_STRING) {
                pos--;
                throw overLimit("a string longer than " + MAX_STRING + " characters");
            }
            if (c < 0x20) {
                pos--;
                throw error("control character in string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("truncated \\u escape");
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = Character.digit(text.charAt(pos++), 16);
                        if (digit < 0) {
                            pos--;
                            throw error("bad \\u escape");
                        }
                        code = code * 16 + digit;
                    }
                    sb.append((char) code);
                }
                default -> {
                    pos--;
                    throw error("bad escape '\\" + e + "'");
                }
            }
        }
    }

    private BigDecimal number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (!digits()) {
            throw error("bad number");
        }
        if (peek() == '.') {
            pos++;
            if (!digits()) {
                throw error("bad number");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            int exponentStart = pos;
            if (!digits()) {
                throw error("bad number");
            }
            if (exponent(exponentStart) > MAX_EXPONENT) {
                pos = start;
                throw overLimit("a number with an exponent beyond ±" + MAX_EXPONENT);
            }
        }
        if (pos - start > MAX_NUMBER) {
            pos = start;
            throw overLimit("a number longer than " + MAX_NUMBER + " characters");
        }
        try {
            return new BigDecimal(text.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("bad number");
        }
    }

    /** The value of the digits from {@code from} to {@code pos}, saturated just above {@link #MAX_EXPONENT}. */
    private int exponent(int from) {
        int value = 0;
        for (int i = from; i < pos; i++) {
            value = Math.min(MAX_EXPONENT + 1, value * 10 + text.charAt(i) - '0');
        }
        return value;
    }

    private boolean digits() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        return pos > start;
    }

    private void literal(String word) {
        if (!text.startsWith(word, pos)) {
            throw error(pos >= text.length() ? "unexpected end" : "unexpected character " + describe(peek()));
        }
        pos += word.length();
    }

    private void expect(char c) {
        if (next() != c) {
            pos--;
            throw error("expected '" + c + "'");
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private char next() {
        if (pos >= text.length()) {
            pos++;
            return '\0';
        }
        return text.charAt(pos++);
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** A character for a message: {@code 'x'}, or its code when it is not printable ASCII. */
    private static String describe(char c) {
        return c > 0x20 && c < 0x7F ? "'" + c + "'" : String.format(java.util.Locale.ROOT, "U+%04X", (int) c);
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("not JSON: " + what + " at offset " + Math.min(pos, text.length()));
    }

    private IllegalArgumentException overLimit(String what) {
        return new IllegalArgumentException("JSON over a limit: " + what + " at offset " + Math.min(pos, text.length()));
    }

    /**
     * Writes {@code s} as a JSON string literal, with quotes.
     *
     * @param s the text
     * @return the literal
     */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        String hex = Integer.toHexString(c);
                        sb.append("\\u").append("0".repeat(4 - hex.length())).append(hex);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
