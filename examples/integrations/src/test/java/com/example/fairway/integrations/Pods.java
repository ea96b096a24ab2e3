package com.example.fairway.integrations;

import com.sun.net.httpserver.HttpServer;

import dev.fairway.FairwayClient;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Local "pods": one JDK HTTP server per loopback address (127.0.0.2, 127.0.0.3, ...), all on one port, like the pods
 * behind a headless Service. Each answers every request with 200 and its own IP, and counts what it served.
 */
public final class Pods implements AutoCloseable {

    /** The logical host name of the service; only Fairway (with the {@code static} resolver) can reach it. */
    public static final String HOST = "orders.fairway.test";

    private final List<HttpServer> servers = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private final List<String> ips = new ArrayList<>();
    private final AtomicIntegerArray served;
    private final int port;

    private Pods(int port, int count) {
        this.port = port;
        this.served = new AtomicIntegerArray(count);
    }

    /**
     * Starts {@code count} pods on a free port shared by all of them.
     *
     * @param count how many
     * @return the running pods
     * @throws IOException if no port was free on every address after 20 tries
     */
    public static Pods start(int count) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
                port = probe.getLocalPort();
            }
            Pods pods = new Pods(port, count);
            try {
                for (int i = 0; i < count; i++) {
                    pods.startPod(i);
                }
                return pods;
            } catch (IOException e) {
                pods.close();
                last = e;
            }
        }
        throw last;
    }

    private void startPod(int index) throws IOException {
        String ip = "127.0.0." + (index + 2);
        HttpServer server = HttpServer.create(new InetSocketAddress(ip, port), 100);
        byte[] body = ip.getBytes(StandardCharsets.US_ASCII);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            served.incrementAndGet(index);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
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

    /** @return the shared port */
    public int port() {
        return port;
    }

    /** @return the pods' IPs, comma-separated, for the {@code static} resolver's {@code addresses} option */
    public String addresses() {
        return String.join(",", ips);
    }

    /** @return {@code http://orders.fairway.test:<port>}, a URL no plain {@code HttpClient} can resolve */
    public String baseUrl() {
        return "http://" + HOST + ":" + port;
    }

    /** @return requests served so far, per pod IP, in address order */
    public Map<String, Integer> served() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int i = 0; i < ips.size(); i++) {
            counts.put(ips.get(i), served.get(i));
        }
        return counts;
    }

    /** @return the total of {@link #served()} */
    public int servedTotal() {
        return served().values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * A Fairway client for these pods, built as the examples' documentation says: the {@code static} resolver over
     * the pods' addresses, HTTP/1.1, every other setting the default.
     *
     * @return a new client; close it
     */
    public FairwayClient fairwayClient() {
        return FairwayClient.newBuilder()
                .resolver("static").resolverOption("addresses", addresses())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * Every pod served {@code each} requests.
     *
     * @param each the share of each pod
     * @return the map {@link #served()} must equal
     */
    public Map<String, Integer> evenly(int each) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        ips.forEach(ip -> counts.put(ip, each));
        return counts;
    }

    @Override
    public void close() {
        servers.forEach(server -> server.stop(0));
        executors.forEach(ExecutorService::shutdownNow);
    }
}
