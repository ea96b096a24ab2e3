package dev.fairway.health.internal;

import java.util.Objects;

/**
 * One header a probe sends. Its value may be a secret (a token, a password), so {@link #toString()} hides it.
 *
 * @param name  the header name
 * @param value the value, possibly empty
 */
record ProbeHeader(String name, String value) {

    ProbeHeader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    /** The name and {@code (value hidden)}: a header value may be a secret and must not reach logs or messages. */
    @Override
    public String toString() {
        return name + ": (value hidden)";
    }
}
