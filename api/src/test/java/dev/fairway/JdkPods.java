package dev.fairway;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Lightweight pods for measurements (the JDK's own HTTP server, which retains almost nothing per connection, so
 * that the heap the test measures is the client's): one per loopback address, all on one port, answering 200 with
 * their IP.
 */
final class JdkPods implements AutoCloseable {

    final List<HttpServer> servers = new ArrayList<>();
    final List<String> ips = new ArrayList<>();
    /** The status each pod answers with (200 unless a test changes it). */
    final java.util.concurrent.atomic.AtomicIntegerArray statuses = new java.util.concurrent.atomic.AtomicIntegerArray(64);
    /** Requests each pod has answered. */
    final java.util.concurrent.atomic.AtomicIntegerArray served = new java.util.concurrent.atomic.AtomicIntegerArray(64);
    /** A gate per pod: while one is set, that pod holds each request until the gate opens (a hung backend). */
    final java.util.concurrent.atomic.AtomicReferenceArray<java.util.concurrent.CountDownLatch> holds =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(64);
    /** Requests each pod has received, answered or not. */
    final java.util.concurrent.atomic.AtomicIntegerArray received = new java.util.concurrent.atomic.AtomicIntegerArray(64);
    private final List<ExecutorService> executors = new ArrayList<>();
    final int port;

    private JdkPods(int port) {
        this.port = port;
    }

    static JdkPods start(int count) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
                port = s.getLocalPort();
            }
            JdkPods pods = new JdkPods(port);
            try {
                for (int i = 0; i < count; i++) {
                    String ip = "127.0.0." + (i + 2);
                    HttpServer server = HttpServer.create(new InetSocketAddress(ip, port), 200);
                    byte[] body = ip.getBytes(StandardCharsets.US_ASCII);
                    int index = i;
                    pods.statuses.set(i, 200);
                    server.createContext("/", exchange -> {
                        exchange.getRequestBody().readAllBytes();
                        pods.received.incrementAndGet(index);
                        java.util.concurrent.CountDownLatch hold = pods.holds.get(index);
                        if (hold != null) {
                            try {
                                hold.await(30, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        pods.served.incrementAndGet(index);
                        exchange.sendResponseHeaders(pods.statuses.get(index), body.length);
                        try (OutputStream out = exchange.getResponseBody()) {
                            out.write(body);
                        }
                    });
                    ExecutorService executor = Executors.newFixedThreadPool(4);
                    server.setExecutor(executor);
                    server.start();
                    pods.servers.add(server);
                    pods.executors.add(executor);
                    pods.ips.add(ip);
                }
                return pods;
            } catch (IOException e) {
                pods.close();
                last = e;
            }
        }
        throw last;
    }

    String addresses() {
        return String.join(",", ips);
    }

    int establishedConnections() {
        int n = 0;
        for (String ip : ips) {
            n += TcpTable.established(new InetSocketAddress(ip, port));
        }
        return n;
    }

    /** Makes pod {@code index} hold every request until {@link #close()} (or 30 s): a hung backend. */
    void hang(int index) {
        holds.set(index, new java.util.concurrent.CountDownLatch(1));
    }

    @Override
    public void close() {
        for (int i = 0; i < holds.length(); i++) {
            java.util.concurrent.CountDownLatch hold = holds.getAndSet(i, null);
            if (hold != null) {
                hold.countDown();
            }
        }
        servers.forEach(s -> s.stop(0));
        executors.forEach(ExecutorService::shutdownNow);
    }
}
