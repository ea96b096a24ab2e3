package dev.fairway.resolver.dns.internal;

import java.util.BitSet;

/**
 * The value of {@code ports}: the ports an SRV answer may send a client to, written as ports and ranges,
 * {@code 443,8000-8999}; {@code 1-65535} (every port) by default. Port 0 is never allowed. Immutable.
 *
 * <p>An SRV record chooses the port of every connection the client opens to its target, so a DNS answer that a
 * client should not follow blindly (a stale zone, a poisoned cache, anyone who can write records under the name)
 * could otherwise point it at an administrative port of a backend; this narrows what an answer may choose.
 */
final class SrvPorts {

    /** The lowest port. */
    static final int MIN = 1;
    /** The highest port. */
    static final int MAX = 65535;
    /** The longest text parsed, in characters. */
    static final int MAX_TEXT = 4096;

    /** Every port, the default. */
    static final SrvPorts ALL = parse("1-65535");

    /** The allowed values, in words. */
    static final String ALLOWED = "ports and ranges from " + MIN + " to " + MAX + " separated by commas, like 443,8000-8999"
            + " (at most " + MAX_TEXT + " characters)";

    private final BitSet ports;
    private final String text;

    private SrvPorts(BitSet ports, String text) {
        this.ports = ports;
        this.text = text;
    }

    /**
     * Parses an option value: a string for {@link #parse}, a single {@code Integer} port, or a {@code SrvPorts}.
     *
     * @param raw the value
     * @return the set
     * @throws IllegalArgumentException naming the bad item, when the value is none of those
     */
    static SrvPorts convert(Object raw) {
        if (raw instanceof SrvPorts p) {
            return p;
        }
        if (raw instanceof Integer i) {
            return parse(i.toString());
        }
        if (raw instanceof String s) {
            return parse(s);
        }
        throw new IllegalArgumentException("expected text like 443,8000-8999, got a " + raw.getClass().getSimpleName());
    }

    /**
     * Parses a comma-separated list of ports ({@code 443}) and ranges ({@code 8000-8999}), blanks aside.
     *
     * @param text the list
     * @return the set
     * @throws IllegalArgumentException naming the bad item, or the bound when the text is longer than
     *                                  {@value #MAX_TEXT} characters
     */
    static SrvPorts parse(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("no ports given");
        }
        if (text.length() > MAX_TEXT) {
            throw new IllegalArgumentException("the list has " + text.length() + " characters, more than " + MAX_TEXT);
        }
        BitSet ports = new BitSet(MAX + 1);
        StringBuilder canonical = new StringBuilder();
        for (String raw : text.split(",", -1)) {
            String item = raw.strip();
            int dash = item.indexOf('-');
            int lo = port(dash < 0 ? item : item.substring(0, dash).strip(), item);
            int hi = dash < 0 ? lo : port(item.substring(dash + 1).strip(), item);
            if (lo > hi) {
                throw new IllegalArgumentException("range '" + item + "' runs backwards: write the lower port first");
            }
            ports.set(lo, hi + 1);
            if (!canonical.isEmpty()) {
                canonical.append(',');
            }
            canonical.append(lo == hi ? Integer.toString(lo) : lo + "-" + hi);
        }
        return new SrvPorts(ports, canonical.toString());
    }

    private static int port(String s, String item) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + item + "' is not a port or a range like 8000-8999");
        }
        int port = Integer.parseInt(s);
        if (port < MIN || port > MAX) {
            throw new IllegalArgumentException("port " + port + " is out of range " + MIN + " to " + MAX);
        }
        return port;
    }

    /**
     * Whether an SRV record may choose {@code port}.
     *
     * @param port the record's port, 0 to 65535
     * @return {@code true} if it is in the set
     */
    boolean allows(int port) {
        return port >= MIN && port <= MAX && ports.get(port);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SrvPorts other && ports.equals(other.ports);
    }

    @Override
    public int hashCode() {
        return ports.hashCode();
    }

    /** The ports as given, normalised: {@code 443,8000-8999}. */
    @Override
    public String toString() {
        return text;
    }
}
