package dev.fairway.resolver.kubernetes.internal;

import java.io.IOException;

/** The API server answered with an HTTP status other than 200; the message names the request and the server's reason. */
final class ApiException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The HTTP status, or the {@code code} of a watch ERROR event. */
    private final int status;

    ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
