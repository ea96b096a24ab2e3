package dev.fairway.health.internal;

import java.util.BitSet;
import java.util.Objects;

/**
 * A set of HTTP status codes written as codes and ranges: {@code 200-299,304}, or with class shorthands
 * {@code 2xx,304}. Immutable.
 */
final class StatusRanges {

    private static final int MIN = 100;
    private static final int MAX = 599;
    /** The longest text parsed, in characters: every code from 100 to 599 listed one by one fits. */
    static final int MAX_TEXT = 4096;

    private final BitSet codes;
    private final String text;

    private StatusRanges(BitSet codes, String text) {
        this.codes = codes;
        this.text = text;
    }

    /**
     * Parses a comma-separated list of codes ({@code 304}), ranges ({@code 200-299}) and classes ({@code 2xx}).
     *
     * @param text the list
     * @return the set
     * @throws IllegalArgumentException naming the bad item, or the bound when the text is longer than
     *                                  {@value #MAX_TEXT} characters
     */
    static StatusRanges parse(String text) {
        Objects.requireNonNull(text, "text");
        BitSet codes = new BitSet(MAX + 1);
        StringBuilder canonical = new StringBuilder();
        if (text.isBlank()) {
            throw new IllegalArgumentException("no status codes given");
        }
        if (text.length() > MAX_TEXT) {
            throw new IllegalArgumentException("the list has " + text.length() + " characters, more than " + MAX_TEXT);
        }
        for (String raw : text.split(",", -1)) {
            String item = raw.trim();
            int lo;
            int hi;
            if (item.length() == 3 && (item.endsWith("xx") || item.endsWith("XX")) && item.charAt(0) >= '1' && item.charAt(0) <= '5') {
                lo = (item.charAt(0) - '0') * 100;
                hi = lo + 99;
            } else {
                int dash = item.indexOf('-');
                lo = code(dash < 0 ? item : item.substring(0, dash).trim(), item);
                hi = dash < 0 ? lo : code(item.substring(dash + 1).trim(), item);
                if (lo > hi) {
                    throw new IllegalArgumentException("range '" + item + "' runs backwards: write the lower code first");
                }
            }
            codes.set(lo, hi + 1);
            if (!canonical.isEmpty()) {
                canonical.append(',');
            }
            canonical.append(lo == hi ? Integer.toString(lo) : lo + "-" + hi);
        }
        return new StatusRanges(codes, canonical.toString());
    }

    /**
     * Converts an option value: a {@code StatusRanges}, a string for {@link #parse}, or a single integer code.
     *
     * @param raw the value
     * @return the set
     * @throws IllegalArgumentException if the value is not one of those
     */
    static StatusRanges convert(Object raw) {
        if (raw instanceof StatusRanges s) {
            return s;
        }
        if (raw instanceof Integer i) {
            return parse(i.toString());
        }
        if (raw instanceof String s) {
            return parse(s);
        }
        throw new IllegalArgumentException("expected text like 200-299,304, got a " + raw.getClass().getSimpleName());
    }

    private static int code(String s, String item) {
        if (s.length() != 3 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + item + "' is not a status code, a range like 200-299 or a class like 2xx");
        }
        int code = Integer.parseInt(s);
        if (code < MIN || code > MAX) {
            throw new IllegalArgumentException("status code " + code + " is out of range " + MIN + " to " + MAX);
        }
        return code;
    }

    /**
     * Whether {@code status} is in the set.
     *
     * @param status an HTTP status code
     * @return {@code true} if it is
     */
    boolean contains(int status) {
        return status >= MIN && status <= MAX && codes.get(status);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StatusRanges other && codes.equals(other.codes);
    }

    @Override
    public int hashCode() {
        return codes.hashCode();
    }

    /** The codes as given, with classes written as ranges: {@code 200-299,304}. */
    @Override
    public String toString() {
        return text;
    }
}
