package dev.fairway.health.internal;

import dev.fairway.spi.BackendAddress;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Opens a TCP connection to the backend's socket address and closes it again: passes when the connection is
 * established within the timeout. Blocks the executor thread it runs on for at most the timeout.
 */
final class TcpProbe implements Probe {

    private final InetSocketAddress address;
    private final int timeoutMillis;
    private final Duration timeout;
    private final String description;

    /**
     * A probe.
     *
     * @param address the backend's address
     * @param timeout the connect timeout
     */
    TcpProbe(BackendAddress address, Duration timeout) {
        this.address = Objects.requireNonNull(address, "address").socketAddress();
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        this.description = "TCP connect to " + address.authority();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public CompletableFuture<ProbeResult> start() {
        ProbeResult result;
        try (Socket socket = new Socket()) {
            socket.connect(address, timeoutMillis);
            result = ProbeResult.passed(description + " succeeded");
        } catch (SocketTimeoutException e) {
            result = ProbeResult.failed(description + " timed out after " + Durations.format(timeout));
        } catch (ConnectException e) {
            String message = e.getMessage();
            result = ProbeResult.failed(description + (message != null && message.toLowerCase(java.util.Locale.ROOT).contains("refused")
                    ? " refused" : " failed: " + ActiveHealthCheck.describe(e)));
        } catch (IOException | RuntimeException e) {
            result = ProbeResult.failed(description + " failed: " + ActiveHealthCheck.describe(e));
        }
        return CompletableFuture.completedFuture(result);
    }
}
