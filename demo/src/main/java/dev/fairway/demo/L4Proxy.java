package dev.fairway.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The demo's ClusterIP: a layer-4 TCP proxy on one virtual address that picks a backend per accepted connection
 * (round robin, like kube-proxy in IPVS mode) and copies bytes both ways on virtual threads. Every request on a
 * kept-alive connection reaches the backend its connection was given: the proxy never looks at HTTP.
 *
 * <p>Thread-safe; {@link #close()} closes the listening socket and every connection.
 */
final class L4Proxy implements AutoCloseable {

    /** How long the proxy waits for a backend to accept its connection. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final ServerSocket server;
    private final List<InetSocketAddress> backends;
    private final RoundRobin next;
    private final AtomicLongArray connections;
    private final AtomicLong failedConnects = new AtomicLong();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("l4proxy-", 0).factory());

    /**
     * Picks indexes 0, 1, …, {@code size - 1}, 0, 1, … in turn; thread-safe, and exact under contention: {@code n}
     * calls give every index {@code n / size} or {@code n / size + 1} times.
     */
    static final class RoundRobin {
        private final int size;
        private final AtomicLong calls = new AtomicLong();

        /**
         * @param size how many choices, at least 1
         */
        RoundRobin(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("round robin over " + size + " choices: need at least 1");
            }
            this.size = size;
        }

        /** @return the next index, from 0 to {@code size - 1} */
        int next() {
            return (int) Math.floorMod(calls.getAndIncrement(), (long) size);
        }
    }

    private L4Proxy(ServerSocket server, List<InetSocketAddress> backends) {
        this.server = server;
        this.backends = backends;
        this.next = new RoundRobin(backends.size());
        this.connections = new AtomicLongArray(backends.size());
    }

    /**
     * Starts a proxy listening on a free port of {@code address}.
     *
     * @param address  the virtual IP, a local address
     * @param backends the backends it spreads connections over, not empty
     * @return the running proxy
     * @throws IOException if it cannot listen there
     */
    static L4Proxy start(InetAddress address, List<InetSocketAddress> backends) throws IOException {
        Objects.requireNonNull(address, "address");
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("a proxy needs at least one backend");
        }
        ServerSocket server = new ServerSocket(0, 256, address);
        L4Proxy proxy = new L4Proxy(server, List.copyOf(backends));
        proxy.threads.execute(proxy::accept);
        return proxy;
    }

    /** @return the address and port the proxy listens on */
    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** @return the port the proxy listens on */
    int port() {
        return server.getLocalPort();
    }

    /**
     * How many client connections the proxy gave each backend so far.
     *
     * @return backend to count, in the order the proxy was given them
     */
    Map<InetSocketAddress, Long> connections() {
        Map<InetSocketAddress, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < backends.size(); i++) {
            counts.put(backends.get(i), connections.get(i));
        }
        return counts;
    }

    /** @return how many connections to a backend failed (the client's connection was closed at once) */
    long failedConnects() {
        return failedConnects.get();
    }

    /** Sets the connection counts to zero. */
    void resetCounts() {
        for (int i = 0; i < backends.size(); i++) {
            connections.set(i, 0);
        }
        failedConnects.set(0);
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
                continue;
            }
            int index = next.next();
            threads.execute(() -> connect(client, index));
        }
    }

    private void connect(Socket client, int index) {
        Socket upstream = new Socket();
        open.add(client);
        open.add(upstream);
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(backends.get(index), (int) CONNECT_TIMEOUT.toMillis());
            connections.incrementAndGet(index);
        } catch (IOException e) {
            failedConnects.incrementAndGet();
            close(client, upstream);
            return;
        }
        threads.execute(() -> pump(upstream, client));
        pump(client, upstream);
    }

    /** Copies until one side ends, then closes both (as a proxy whose peer went away does). */
    private void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // one side closed
        } finally {
            close(from, to);
        }
    }

    private void close(Socket a, Socket b) {
        for (Socket s : new Socket[] {a, b}) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
            open.remove(s);
        }
    }

    /** Stops accepting, closes every connection and waits for the copying threads to end. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "L4Proxy " + address() + " -> " + backends;
    }
}
