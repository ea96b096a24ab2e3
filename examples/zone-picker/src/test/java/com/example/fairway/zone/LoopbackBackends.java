package com.example.fairway.zone;

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
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Real HTTP servers, one per loopback address ({@code 127.0.0.2}, {@code 127.0.0.3}, …) all on one port, like the
 * pods behind a headless Service. Each answers 200 with its IP and counts the requests it served.
 */
final class LoopbackBackends implements AutoCloseable {

    private final List<HttpServer> servers = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private final List<String> ips = new ArrayList<>();
    private final AtomicIntegerArray served;
    private final int port;

    private LoopbackBackends(int count, int port) {
        this.served = new AtomicIntegerArray(count);
        this.port = port;
    }

    /**
     * Starts {@code count} servers on {@code 127.0.0.2} onwards, on one free port.
     *
     * @param count how many, 1 to 200
     * @return the running servers
     * @throws IOException if no port was free on all addresses after several attempts
     */
    static LoopbackBackends start(int count) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
                port = probe.getLocalPort();
            }
            LoopbackBackends backends = new LoopbackBackends(count, port);
            try {
                for (int i = 0; i < count; i++) {
                    backends.add(i, "127.0.0." + (i + 2));
                }
                return backends;
            } catch (IOException e) { // another process took the port on one of the addresses: try another port
                backends.close();
                last = e;
            }
        }
        throw last;
    }

    private void add(int index, String ip) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(ip, port), 50);
        byte[] body = ip.getBytes(StandardCharsets.US_ASCII);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            served.incrementAndGet(index);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        ExecutorService executor = Executors.newFixedThreadPool(2);
        server.setExecutor(executor);
        server.start();
        servers.add(server);
        executors.add(executor);
        ips.add(ip);
    }

    /** The shared port. */
    int port() {
        return port;
    }

    /** The IP of server {@code index}. */
    String ip(int index) {
        return ips.get(index);
    }

    /** Requests served so far, per server, in start order. */
    List<Integer> served() {
        List<Integer> counts = new ArrayList<>();
        for (int i = 0; i < served.length(); i++) {
            counts.add(served.get(i));
        }
        return counts;
    }

    @Override
    public void close() {
        servers.forEach(s -> s.stop(0));
        executors.forEach(ExecutorService::shutdownNow);
    }
}
