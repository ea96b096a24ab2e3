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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The demo's ClusterIP: a layer-4 TCP proxy on one virtual address that picks a backend per accepted connection and
 * copies bytes both ways on virtual threads. Every request on a kept-alive connection reaches the backend its
 * connection was given: the proxy never looks at HTTP. It picks {@linkplain Mode#RANDOM at random} by default, as
 * kube-proxy does in its default iptables mode and in nftables mode, or {@linkplain Mode#ROUND_ROBIN in turn}, as
 * kube-proxy does in IPVS mode with its default scheduler.
 *
 * <p>Thread-safe; {@link #close()} closes the listening socket and every connection.
 */
final class L4Proxy implements AutoCloseable {

    /** How long the proxy waits for a backend to accept its connection. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final ServerSocket server;
    private final List<InetSocketAddress> backends;
    private final Mode mode;
    private final Chooser next;
    private final AtomicLongArray connections;
    private final AtomicLong failedConnects = new AtomicLong();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("l4proxy-", 0).factory());

    /** How the proxy gives each new connection a backend: kube-proxy's two behaviours. */
    enum Mode {
        /**
         * Each connection independently and uniformly at random: kube-proxy in iptables mode (the default; rules with
         * {@code statistic --mode random}) and in nftables mode ({@code numgen random}). Counts are not equal: {@code m}
         * connections over {@code n} backends give each a binomial count, {@code m / n} on average.
         */
        RANDOM("at random, like kube-proxy in iptables (default) and nftables mode"),
        /** Each connection the next backend in turn: kube-proxy in IPVS mode with its default scheduler {@code rr}. */
        ROUND_ROBIN("round robin, like kube-proxy in IPVS mode");

        private final String description;

        Mode(String description) {
            this.description = description;
        }

        /** @return how the mode chooses, for a person */
        String description() {
            return description;
        }

        Chooser chooser(int size, long seed) {
            return this == RANDOM ? new Uniform(size, seed) : new RoundRobin(size);
        }
    }

    /** Chooses a backend index per connection; thread-safe. */
    sealed interface Chooser permits RoundRobin, Uniform {
        /** @return the next index, from 0 to the number of choices - 1 */
        int next();
    }

    /**
     * Picks indexes 0, 1, …, {@code size - 1}, 0, 1, … in turn; thread-safe, and exact under contention: {@code n}
     * calls give every index {@code n / size} or {@code n / size + 1} times.
     */
    static final class RoundRobin implements Chooser {
        private final int size;
        private final AtomicLong calls = new AtomicLong();

        /**
         * @param size how many choices, at least 1
         */
        RoundRobin(int size) {
            this.size = checkSize(size);
        }

        @Override
        public int next() {
            return (int) Math.floorMod(calls.getAndIncrement(), (long) size);
        }
    }

    /**
     * Picks each index independently and uniformly at random from a seeded SplitMix64 sequence: the same seed gives
     * the same sequence of choices. Thread-safe without locks (each call takes the next element of the sequence).
     */
    static final class Uniform implements Chooser {
        private final int size;
        private final AtomicLong state;

        /**
         * @param size how many choices, at least 1
         * @param seed where the sequence starts
         */
        Uniform(int size, long seed) {
            this.size = checkSize(size);
            this.state = new AtomicLong(seed);
        }

        @Override
        public int next() {
            long z = state.addAndGet(0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            return (int) Math.floorMod(z, (long) size);     // bias below size / 2^64: none that a count could show
        }
    }

    private static int checkSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a choice among " + size + " backends: need at least 1");
        }
        return size;
    }

    private L4Proxy(ServerSocket server, List<InetSocketAddress> backends, Mode mode, long seed) {
        this.server = server;
        this.backends = backends;
        this.mode = mode;
        this.next = mode.chooser(backends.size(), seed);
        this.connections = new AtomicLongArray(backends.size());
    }

    /**
     * Starts a proxy listening on a free port of {@code address} that places connections {@linkplain Mode#RANDOM at
     * random}, from a fresh seed, as kube-proxy does by default.
     *
     * @param address  the virtual IP, a local address
     * @param backends the backends it spreads connections over, not empty
     * @return the running proxy
     * @throws IOException if it cannot listen there
     */
    static L4Proxy start(InetAddress address, List<InetSocketAddress> backends) throws IOException {
        return start(address, backends, Mode.RANDOM, ThreadLocalRandom.current().nextLong());
    }

    /**
     * Starts a proxy listening on a free port of {@code address}.
     *
     * @param address  the virtual IP, a local address
     * @param backends the backends it spreads connections over, not empty
     * @param mode     how it chooses a backend per connection
     * @param seed     where {@link Mode#RANDOM}'s sequence starts (connections accepted one after another get the
     *                 choices of {@code new Uniform(backends.size(), seed)} in order); ignored by {@link Mode#ROUND_ROBIN}
     * @return the running proxy
     * @throws IOException if it cannot listen there
     */
    static L4Proxy start(InetAddress address, List<InetSocketAddress> backends, Mode mode, long seed) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(mode, "mode");
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("a proxy needs at least one backend");
        }
        ServerSocket server = new ServerSocket(0, 256, address);
        L4Proxy proxy = new L4Proxy(server, List.copyOf(backends), mode, seed);
        proxy.threads.execute(proxy::accept);
        return proxy;
    }

    /** @return how the proxy chooses a backend per connection */
    Mode mode() {
        return mode;
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
        return "L4Proxy " + address() + " -> " + backends + " (" + mode + ")";
    }
}
