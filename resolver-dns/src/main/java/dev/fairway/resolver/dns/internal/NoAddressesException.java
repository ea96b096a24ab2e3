package dev.fairway.resolver.dns.internal;

import java.io.Serial;
import java.net.UnknownHostException;

/**
 * A look-up whose answer says that there are no addresses: the name does not exist (NXDOMAIN), or it exists but has
 * no records of the asked types (NODATA), or none that the address policy keeps. The resolver applies its
 * {@linkplain EmptyAnswerRule empty-answer rule} to these; every other failure keeps the last good set.
 */
final class NoAddressesException extends UnknownHostException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Whether the name exists (NODATA) rather than not (NXDOMAIN). */
    private final boolean nameExists;

    /**
     * The failure.
     *
     * @param message    what was asked, of whom, and what came back
     * @param nameExists {@code true} for NODATA, {@code false} for NXDOMAIN
     */
    NoAddressesException(String message, boolean nameExists) {
        super(message);
        this.nameExists = nameExists;
    }

    /**
     * Whether the name exists but has no addresses (NODATA), so that an empty set is the true answer.
     *
     * @return {@code true} for NODATA, {@code false} for NXDOMAIN
     */
    boolean nameExists() {
        return nameExists;
    }
}
