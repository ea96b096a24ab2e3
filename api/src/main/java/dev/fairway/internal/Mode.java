package dev.fairway.internal;

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
    DIRECT
}
