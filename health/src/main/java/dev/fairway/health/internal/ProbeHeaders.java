package dev.fairway.health.internal;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The value of the {@code headers} option: the headers a probe sends, or why the user's value was refused.
 *
 * <p>Header values are often secrets (an {@code Authorization} token), and the option machinery of the SPI puts the
 * raw value into the message of every {@link IllegalArgumentException} a converter throws. So {@link #convert}
 * never throws: it records what is wrong, in words that name items by position and header names but never a value,
 * and {@link #headers(String)} (called by the providers' {@code validate}, hence still at {@code build()}) throws
 * {@code "fairway.health.headers = (value hidden) is not allowed: ..."}. {@link #toString()} hides the values too.
 *
 * <p>Bounds: at most {@value #MAX_HEADERS} headers of at most {@value #MAX_ITEM} characters each.
 */
final class ProbeHeaders {

    /** The most headers. */
    static final int MAX_HEADERS = 32;
    /** The longest item, {@code Name: value}, in characters. */
    static final int MAX_ITEM = 8 * 1024;
    /** The longest option value given as one string, in characters: every item at its longest. */
    static final int MAX_TEXT = MAX_HEADERS * (MAX_ITEM + 2);

    /** No headers, the default. */
    static final ProbeHeaders NONE = new ProbeHeaders(List.of(), null);

    /** The allowed values, in words. */
    static final String ALLOWED = "'Name: value' items separated by commas (a comma starts a new item only before Name:),"
            + " at most " + MAX_HEADERS + " items of at most " + MAX_ITEM + " characters, none of them a header the JDK"
            + " restricts (such as Host or Connection)";

    /** A comma that starts a new item: one followed by {@code Name:}. Commas inside values stay. */
    private static final Pattern ITEM_SEPARATOR = Pattern.compile(",\\s*(?=[!#$%&'*+\\-.^_`|~0-9A-Za-z]+\\s*:)");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    private final List<ProbeHeader> headers;
    private final String problem;

    private ProbeHeaders(List<ProbeHeader> headers, String problem) {
        this.headers = List.copyOf(headers);
        this.problem = problem;
    }

    /**
     * Converts an option value: a string of {@code "Name: value"} items separated by commas (a comma starts a new
     * item only when {@code Name:} follows it, so values may contain commas), or a list of such strings (each one
     * header, never split). Each header must be one the JDK's {@code HttpRequest} accepts: a valid name, a value
     * without line breaks, and not a restricted header such as {@code Host} or {@code Connection}. Never throws: a
     * bad value is reported by {@link #headers(String)}.
     *
     * @param raw the value
     * @return the headers, or the problem
     */
    static ProbeHeaders convert(Object raw) {
        if (raw instanceof ProbeHeaders h) {
            return h;
        }
        List<String> items = new ArrayList<>();
        if (raw instanceof String s) {
            if (s.isBlank()) {
                return NONE;
            }
            if (s.length() > MAX_TEXT) {
                return refused("it has " + s.length() + " characters, more than the " + MAX_TEXT + " that " + MAX_HEADERS
                        + " headers of " + MAX_ITEM + " characters take");
            }
            items.addAll(List.of(ITEM_SEPARATOR.split(s.trim(), MAX_HEADERS + 1)));
        } else if (raw instanceof List<?> list) {
            for (Object o : list) {
                if (items.size() > MAX_HEADERS) {
                    break;
                }
                if (o instanceof ProbeHeader h) {
                    items.add(h.name() + ": " + h.value());
                } else if (o instanceof String s) {
                    items.add(s);
                } else {
                    return refused("item " + (items.size() + 1) + " is a " + typeOf(o) + ", not a string like 'X-Probe: 1'");
                }
            }
        } else {
            return refused("it is a " + typeOf(raw) + ", not text like 'X-Probe: 1'");
        }
        if (items.size() > MAX_HEADERS) {
            return refused("it has more than " + MAX_HEADERS + " headers");
        }
        List<ProbeHeader> headers = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            String which = "item " + (i + 1);
            if (item.length() > MAX_ITEM) {
                return refused(which + " has " + item.length() + " characters, more than " + MAX_ITEM);
            }
            int colon = item.indexOf(':');
            String name = colon < 0 ? "" : item.substring(0, colon).trim();
            if (name.isEmpty() || !TOKEN.matcher(name).matches()) {
                return refused(which + " does not start with a header name and ':' (write Name: value)");
            }
            String value = item.substring(colon + 1).trim();
            try {
                HttpRequest.newBuilder().header(name, value);
            } catch (IllegalArgumentException e) {
                // The JDK's message may quote the value: say it in our words.
                return refused(restricted(name) ? which + " is " + name + ", a header the JDK restricts and will not send"
                        : which + " (" + name + ") has a value the JDK refuses: a line break or another control character");
            }
            headers.add(new ProbeHeader(name, value));
        }
        return new ProbeHeaders(headers, null);
    }

    private static boolean restricted(String name) {
        try {
            HttpRequest.newBuilder().header(name, "x");
            return false;
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    private static String typeOf(Object o) {
        return o == null ? "null" : o.getClass().getSimpleName();
    }

    private static ProbeHeaders refused(String problem) {
        return new ProbeHeaders(List.of(), problem);
    }

    /**
     * The headers, in order.
     *
     * @param qualifiedKey the option's key as the user writes it, for the message
     * @return the headers
     * @throws IllegalArgumentException when the value was refused: {@code "<key> = (value hidden) is not allowed:
     *                                  <what is wrong>; use <what is allowed>"}
     */
    List<ProbeHeader> headers(String qualifiedKey) {
        Objects.requireNonNull(qualifiedKey, "qualifiedKey");
        if (problem != null) {
            throw new IllegalArgumentException(qualifiedKey + " = (value hidden) is not allowed: " + problem + "; use " + ALLOWED);
        }
        return headers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProbeHeaders other && headers.equals(other.headers) && Objects.equals(problem, other.problem);
    }

    @Override
    public int hashCode() {
        return headers.hashCode();
    }

    /** The header names with {@code (value hidden)}, or {@code none}; never a value. */
    @Override
    public String toString() {
        if (problem != null) {
            return "(refused: " + problem + ")";
        }
        return headers.isEmpty() ? "none" : headers.stream().map(ProbeHeader::toString).collect(Collectors.joining(", "));
    }
}
