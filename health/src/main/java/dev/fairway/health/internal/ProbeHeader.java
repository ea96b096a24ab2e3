package dev.fairway.health.internal;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One header a probe sends, parsed from {@code "Name: value"}.
 *
 * @param name  the header name
 * @param value the value, possibly empty
 */
record ProbeHeader(String name, String value) {

    /** A comma that starts a new item: one followed by {@code Name:}. Commas inside values stay. */
    private static final Pattern ITEM_SEPARATOR = Pattern.compile(",\\s*(?=[!#$%&'*+\\-.^_`|~0-9A-Za-z]+\\s*:)");

    ProbeHeader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    /**
     * Converts an option value: a string of {@code "Name: value"} items separated by commas (a comma starts a new
     * item only when {@code Name:} follows it, so values may contain commas), or a list of such strings (each one
     * header, never split). Each header must be one the JDK's {@code HttpRequest} accepts: a valid name, a value
     * without line breaks, and not a restricted header such as {@code Host} or {@code Connection}.
     *
     * @param raw the value
     * @return the headers, in order
     * @throws IllegalArgumentException naming the bad item
     */
    static List<ProbeHeader> convert(Object raw) {
        List<String> items = new ArrayList<>();
        if (raw instanceof String s) {
            if (s.isBlank()) {
                return List.of();
            }
            items.addAll(List.of(ITEM_SEPARATOR.split(s.trim(), -1)));
        } else if (raw instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof ProbeHeader h) {
                    items.add(h.toString());
                } else if (o instanceof String s) {
                    items.add(s);
                } else {
                    throw new IllegalArgumentException("list items must be strings like 'X-Probe: 1'");
                }
            }
        } else {
            throw new IllegalArgumentException("expected text like 'X-Probe: 1', got a " + raw.getClass().getSimpleName());
        }
        List<ProbeHeader> headers = new ArrayList<>(items.size());
        for (String item : items) {
            int colon = item.indexOf(':');
            String name = colon < 0 ? "" : item.substring(0, colon).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("'" + item.trim() + "' is not a header: write Name: value");
            }
            String value = item.substring(colon + 1).trim();
            try {
                HttpRequest.newBuilder().header(name, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("header '" + item.trim() + "' is not allowed: " + e.getMessage(), e);
            }
            headers.add(new ProbeHeader(name, value));
        }
        return List.copyOf(headers);
    }

    @Override
    public String toString() {
        return name + ": " + value;
    }
}
