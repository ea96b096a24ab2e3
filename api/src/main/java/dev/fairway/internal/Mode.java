package dev.fairway.internal;

import dev.fairway.spi.Target;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;

/**
 * How a leaf reaches its backend.
 *
 * <p>{@link #PROXY}: plain-http HTTP/1.1. The leaf's proxy is the backend itself, so the JDK sends the request in
 * absolute form with the logical {@code Host} and never resolves the logical name. {@link #DIRECT}: everything
 * else. The request URI's authority is replaced by the backend's IP and port; for https the TLS identity stays the
 * logical name (see {@link LogicalSslContext}).
 */
enum Mode {
    PROXY,
    DIRECT;

    /**
     * The mode of a request to {@code target}.
     *
     * @param target         the request's target
     * @param request        the request
     * @param defaultVersion the client's HTTP version, for a request that sets none
     * @return the mode
     */
    static Mode of(Target target, HttpRequest request, HttpClient.Version defaultVersion) {
        HttpClient.Version version = request.version().orElse(defaultVersion);
        return !target.secure() && version == HttpClient.Version.HTTP_1_1 ? PROXY : DIRECT;
    }
}
