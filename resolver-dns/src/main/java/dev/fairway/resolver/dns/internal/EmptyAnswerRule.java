package dev.fairway.resolver.dns.internal;

import java.util.Locale;

/**
 * When a resolver believes an answer that says a name has no addresses (NXDOMAIN, or NODATA: the name exists but
 * has no records of the asked types) and gives up the addresses it published before.
 *
 * <p>Until it believes such an answer the resolver keeps its last published set, reports the answer as an error
 * and asks again after the backoff. An answer with addresses resets the count. Errors in between (timeouts,
 * SERVFAIL) neither add to the count nor reset it. When nothing was published yet there is nothing to keep: a
 * NODATA answer is published as an empty set at once, an NXDOMAIN answer reported as an error.
 *
 * @param confirmations how many empty answers in a row are believed; 0 means never
 */
record EmptyAnswerRule(int confirmations) {

    /** The largest {@code N} of {@code believe_after:N}. */
    static final int MAX_CONFIRMATIONS = 100;

    /** Never believe an empty answer. */
    static final EmptyAnswerRule KEEP = new EmptyAnswerRule(0);

    /** Believe the first empty answer. */
    static final EmptyAnswerRule BELIEVE = new EmptyAnswerRule(1);

    /** The default: believe three empty answers in a row (with the default backoff, about three seconds apart from the first). */
    static final EmptyAnswerRule DEFAULT = new EmptyAnswerRule(3);

    /** The allowed values, in words. */
    static final String ALLOWED = "keep, believe or believe_after:N with N from 1 to " + MAX_CONFIRMATIONS;

    EmptyAnswerRule {
        if (confirmations < 0 || confirmations > MAX_CONFIRMATIONS) {
            throw new IllegalArgumentException("confirmations " + confirmations + " out of range");
        }
    }

    /**
     * Parses {@code keep}, {@code believe} or {@code believe_after:N}, ignoring case and surrounding blanks.
     *
     * @param value the option value: a string or an {@code EmptyAnswerRule}
     * @return the rule
     * @throws IllegalArgumentException if the value is none of these
     */
    static EmptyAnswerRule parse(Object value) {
        if (value instanceof EmptyAnswerRule rule) {
            return rule;
        }
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException();
        }
        String t = s.strip().toLowerCase(Locale.ROOT);
        if (t.equals("keep")) {
            return KEEP;
        }
        if (t.equals("believe")) {
            return BELIEVE;
        }
        if (t.startsWith("believe_after:")) {
            String n = t.substring("believe_after:".length()).strip();
            if (!n.isEmpty() && n.length() <= 3 && n.chars().allMatch(Character::isDigit)) {
                int count = Integer.parseInt(n);
                if (count >= 1 && count <= MAX_CONFIRMATIONS) {
                    return new EmptyAnswerRule(count);
                }
            }
        }
        throw new IllegalArgumentException();
    }

    /**
     * Whether the {@code inARow}-th empty answer in a row is believed.
     *
     * @param inARow how many empty answers came in a row, including this one
     * @return {@code true} to publish the empty set
     */
    boolean believes(int inARow) {
        return confirmations > 0 && inARow >= confirmations;
    }

    @Override
    public String toString() {
        return confirmations == 0 ? "keep" : confirmations == 1 ? "believe" : "believe_after:" + confirmations;
    }
}
