package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.spi.Ticker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The bearer token, read from its file and read again once it is {@code refresh} old (kubelet rotates projected
 * service-account tokens, and a cached one expires) or at once after the API server answered 401.
 *
 * <p>Thread-safe.
 */
final class TokenSource {

    private final Optional<Path> file;
    private final boolean optional;
    private final long refreshNanos;
    private final Ticker ticker;
    private Optional<String> token = Optional.empty();
    private long readAt;
    private boolean fresh;

    /**
     * @param file     the token file; empty sends no token
     * @param optional whether a missing file means no token rather than an error
     * @param refresh  how long a read token is used
     * @param ticker   the time source
     */
    TokenSource(Optional<Path> file, boolean optional, Duration refresh, Ticker ticker) {
        this.file = file;
        this.optional = optional;
        this.refreshNanos = refresh.toNanos();
        this.ticker = ticker;
    }

    /**
     * The current token, read again from the file when it is due.
     *
     * @return the token, or empty when none is to be sent
     * @throws IOException naming the option and the file when it cannot be read or is empty
     */
    synchronized Optional<String> get() throws IOException {
        if (file.isEmpty()) {
            return Optional.empty();
        }
        long now = ticker.read();
        if (!fresh || now - readAt >= refreshNanos) {
            Path path = file.get();
            if (optional && !Files.exists(path)) {
                token = Optional.empty();
            } else {
                String t;
                try {
                    t = Files.readString(path, StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    throw new IOException(KubernetesOptions.PREFIX + KubernetesOptions.TOKEN_FILE.key() + " = '" + path
                            + "' cannot be read (" + e + "): mount the service-account token there, or set token_file to"
                            + " the file that holds it (empty sends no token)", e);
                }
                if (t.isEmpty() || t.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                    throw new IOException(KubernetesOptions.PREFIX + KubernetesOptions.TOKEN_FILE.key() + " = '" + path
                            + "' holds no token: it must hold one bearer token of printable ASCII characters");
                }
                token = Optional.of(t);
            }
            readAt = now;
            fresh = true;
        }
        return token;
    }

    /** Makes the next {@link #get} read the file, after the API server refused the token. */
    synchronized void invalidate() {
        fresh = false;
    }
}
