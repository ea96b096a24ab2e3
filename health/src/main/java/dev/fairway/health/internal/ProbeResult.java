package dev.fairway.health.internal;

import java.util.Objects;

/**
 * The outcome of one probe.
 *
 * @param passed whether the backend passed
 * @param reason what happened, for example {@code "GET /healthz answered 503"}
 */
record ProbeResult(boolean passed, String reason) {

    ProbeResult {
        Objects.requireNonNull(reason, "reason");
    }

    static ProbeResult passed(String reason) {
        return new ProbeResult(true, reason);
    }

    static ProbeResult failed(String reason) {
        return new ProbeResult(false, reason);
    }
}
