package dev.fairway.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The demo's backends: one {@link HttpServer} per loopback address, all on the same port, like the pods behind a
 * headless Kubernetes service. Each answers every request with {@code 200} and its own IP address as the body, and
 * counts what it served, so the shares the demo prints are what the servers saw.
 *
 * <p>{@code /healthz} is the health endpoint: {@code 200} while the backend is {@linkplain #healthy healthy},
 * {@code 503} otherwise. Its probes are counted apart ({@link #probes()}), never as served requests; a backend whose
 * health endpoint fails still answers every other path with {@code 200}.
 *
 * <p>Each server runs its handlers on its own virtual threads. Thread-safe; {@link #close()} stops every server.
 */
final class Backends implements AutoCloseable {

    /** How many times {@link #start} tries another port when one of the addresses cannot bind the chosen one. */
    private static final int PORT_ATTEMPTS = 20;
    /** The path of the health endpoint. */
    static final String HEALTH_PATH = "/healthz";

    private final int port;
    private final Map<InetAddress, Server> servers = new ConcurrentHashMap<>();
    /** The {@code Host} header values the servers received, with counts. */
    private final Map<String, LongAdder> hosts = new ConcurrentHashMap<>();

    /** One backend: its server, its handler threads and its request count. */
    private record Server(InetAddress address, HttpServer http, ExecutorService executor, AtomicLong served,
                          AtomicBoolean healthy, AtomicLong probes) {
    }

    private Backends(int port) {
        this.port = port;
    }

    /**
     * Starts a backend on each address, all on one free port.
     *
     * @param addresses the addresses, not empty
     * @return the running backends
     * @throws IOException if no port could be bound on every address
     */
    static Backends start(List<InetAddress> addresses) throws IOException {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no backend addresses");
        }
        BindException last = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            Backends backends = null;
            try {
                HttpServer first = bind(new InetSocketAddress(addresses.get(0), 0));
                backends = new Backends(first.getAddress().getPort());
                backends.serve(addresses.get(0), first);
                for (InetAddress address : addresses.subList(1, addresses.size())) {
                    backends.add(address);
                }
                return backends;
            } catch (BindException e) {
                last = e;
                if (backends != null) {
                    backends.close(); // that port is taken on another address: try a new one
                } else {
                    break; // the first address cannot be bound at all
                }
            }
        }
        throw new BindException("cannot start backends on " + addresses + " sharing one port: " + last.getMessage()
                + ". Linux routes all of 127.0.0.0/8 to the loopback interface; on macOS add the addresses first,"
                + " e.g. 'sudo ifconfig lo0 alias 127.0.0.2 up' for each of them");
    }

    /**
     * Starts one more backend on {@code address}, on the shared port.
     *
     * @param address a local address without a backend yet
     * @throws IOException if the port cannot be bound there
     */
    void add(InetAddress address) throws IOException {
        if (servers.containsKey(address)) {
            throw new IllegalStateException("a backend already runs on " + address.getHostAddress());
        }
        serve(address, bind(new InetSocketAddress(address, port)));
    }

    /**
     * Stops the backend on {@code address} at once and forgets it: the listening socket closes and so does every
     * connection, with whatever exchange is on it (a pod killed outright).
     *
     * @param address an address with a backend
     */
    void remove(InetAddress address) {
        remove(address, 0);
    }

    /**
     * Stops the backend on {@code address} as a server shutting down gracefully does and forgets it: it stops
     * accepting at once, lets the exchanges in progress finish for up to {@code graceSeconds}, then closes every
     * connection (idle keep-alive connections too). Blocks until then.
     *
     * @param address      an address with a backend
     * @param graceSeconds how long exchanges in progress may take
     */
    void remove(InetAddress address, int graceSeconds) {
        Server server = servers.remove(address);
        if (server == null) {
            throw new IllegalStateException("no backend runs on " + address.getHostAddress());
        }
        server.http().stop(graceSeconds);
        server.executor().close();
    }

    private static HttpServer bind(InetSocketAddress address) throws IOException {
        try {
            return HttpServer.create(address, 256);
        } catch (BindException e) {
            BindException named = new BindException(address.getAddress().getHostAddress() + ":" + address.getPort() + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
    }

    private void serve(InetAddress address, HttpServer http) {
        AtomicLong served = new AtomicLong();
        AtomicBoolean healthy = new AtomicBoolean(true);
        AtomicLong probes = new AtomicLong();
        byte[] body = address.getHostAddress().getBytes(StandardCharsets.US_ASCII);
        http.createContext("/", exchange -> respond(exchange, served, body));
        http.createContext(HEALTH_PATH, exchange -> probe(exchange, healthy, probes));
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("backend-" + address.getHostAddress() + "-", 0).factory());
        http.setExecutor(executor);
        http.start();
        servers.put(address, new Server(address, http, executor, served, healthy, probes));
    }

    private static void probe(HttpExchange exchange, AtomicBoolean healthy, AtomicLong probes) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
            probes.incrementAndGet();
            boolean ok = healthy.get();
            byte[] body = (ok ? "ok" : "failing").getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=US-ASCII");
            exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /**
     * Makes the health endpoint of the backend on {@code address} pass ({@code 200}) or fail ({@code 503}); every
     * other path keeps answering {@code 200}.
     *
     * @param address an address with a backend
     * @param healthy whether {@value #HEALTH_PATH} passes
     */
    void healthy(InetAddress address, boolean healthy) {
        Server server = servers.get(address);
        if (server == null) {
            throw new IllegalStateException("no backend runs on " + address.getHostAddress());
        }
        server.healthy().set(healthy);
    }

    /**
     * How many health probes ({@value #HEALTH_PATH}) each backend answered since the last {@link #reset()}, ordered by
     * address.
     *
     * @return address to count
     */
    Map<InetAddress, Long> probes() {
        Map<InetAddress, Long> counts = new TreeMap<>(Shares.BY_ADDRESS);
        servers.forEach((address, server) -> counts.put(address, server.probes().get()));
        return counts;
    }

    private void respond(HttpExchange exchange, AtomicLong served, byte[] body) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
            served.incrementAndGet();
            String host = exchange.getRequestHeaders().getFirst("Host");
            hosts.computeIfAbsent(host == null ? "(none)" : host, h -> new LongAdder()).increment();
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=US-ASCII");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /**
     * The port every backend listens on.
     *
     * @return the port
     */
    int port() {
        return port;
    }

    /**
     * The backends' addresses, ordered by address.
     *
     * @return the addresses
     */
    List<InetAddress> addresses() {
        List<InetAddress> all = new ArrayList<>(servers.keySet());
        all.sort(Shares.BY_ADDRESS);
        return all;
    }

    /**
     * How many requests each backend served since the last {@link #reset()}, ordered by address.
     *
     * @return address to count
     */
    Map<InetAddress, Long> served() {
        Map<InetAddress, Long> counts = new TreeMap<>(Shares.BY_ADDRESS);
        servers.forEach((address, server) -> counts.put(address, server.served().get()));
        return counts;
    }

    /**
     * The {@code Host} header values received since the last {@link #reset()}, with how often each came.
     *
     * @return header value to count, sorted by value
     */
    Map<String, Long> hostHeaders() {
        Map<String, Long> seen = new TreeMap<>();
        hosts.forEach((host, count) -> seen.put(host, count.sum()));
        return seen;
    }

    /** Sets every count to zero and every health endpoint to passing, before a measurement. */
    void reset() {
        servers.values().forEach(s -> {
            s.served().set(0);
            s.probes().set(0);
            s.healthy().set(true);
        });
        hosts.clear();
    }

    /** Stops every backend at once and ends its threads. */
    @Override
    public void close() {
        for (Server server : servers.values()) {
            server.http().stop(0);
            server.executor().close();
        }
        servers.clear();
    }

    @Override
    public String toString() {
        return "backends " + addresses() + " on port " + port;
    }
}
