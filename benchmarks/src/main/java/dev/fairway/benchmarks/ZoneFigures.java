package dev.fairway.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.fairway.FairwayClient;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Cross-zone traffic and load per backend under zone-aware routing, with real clients and servers: ten HTTP servers
 * (the JDK's) on {@code 127.0.0.2}–{@code 11} sharing one port, in zones {@code a} (2), {@code b} (3) and {@code c} (5);
 * nine {@link FairwayClient}s, three per zone (or the spread given), each sending its requests one at a time, all
 * clients at once. Zones come from {@code fairway.zone.subnets}. Each rule runs on the full fleet, then with one of
 * zone {@code a}'s two backends gone.
 *
 * <p>Rules: zone-unaware (no {@code fairway.zone}); local only ({@code max_load=10}: what kube-proxy does with
 * {@code trafficDistribution: PreferSameZone}); Envoy's rule ({@code max_load=1}: exact balance, the rest spills);
 * Fairway's default ({@code max_load=1.2}).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.fairway.benchmarks.ZoneFigures [requests per client]}
 * (default 1,000).
 */
public final class ZoneFigures {

    private static final String SUBNETS = "127.0.0.2/31=a,127.0.0.4/31=b,127.0.0.6/32=b,127.0.0.0/8=c";
    private static final String[] ZONE_OF = {"a", "a", "b", "b", "b", "c", "c", "c", "c", "c"};

    private ZoneFigures() {
    }

    /**
     * Runs every rule and prints a table.
     *
     * @param args the requests per client, optionally
     * @throws Exception if a server cannot start or a request fails
     */
    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        if (System.getenv("FAIRWAY_ZONE") != null || System.getenv("FAIRWAY_NODE") != null) {
            System.err.println("unset FAIRWAY_ZONE and FAIRWAY_NODE: the zone-unaware clients would read them");
            System.exit(2);
        }
        List<HttpServer> servers = new ArrayList<>();
        AtomicIntegerArray served = new AtomicIntegerArray(10);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
            port = s.getLocalPort();
        }
        ExecutorService serverThreads = Executors.newFixedThreadPool(16);
        for (int i = 0; i < 10; i++) {
            String ip = "127.0.0." + (i + 2);
            HttpServer server = HttpServer.create(new InetSocketAddress(ip, port), 200);
            byte[] body = ip.getBytes(StandardCharsets.US_ASCII);
            int index = i;
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                served.incrementAndGet(index);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.setExecutor(serverThreads);
            server.start();
            servers.add(server);
        }
        try {
            System.out.printf(Locale.ROOT, "%d servers, zones a=2 b=3 c=5; 9 clients, 3 per zone, %,d requests each%n%n", 10, requests);
            System.out.println("| rule | backends | cross-zone | busiest ÷ mean | idlest ÷ mean | requests per backend (a | b | c) |");
            System.out.println("|---|---|---:|---:|---:|---|");
            String[][] rules = {{"zone-unaware", null}, {"local only (PreferSameZone)", "10"}, {"Envoy's rule", "1"},
                {"Fairway (default)", "1.2"}};
            for (boolean degraded : new boolean[] {false, true}) {
                for (String[] rule : rules) {
                    run(rule[0], rule[1], degraded, port, requests, served);
                }
            }
        } finally {
            servers.forEach(s -> s.stop(0));
            serverThreads.shutdownNow();
        }
    }

    private static void run(String name, String maxLoad, boolean degraded, int port, int requests, AtomicIntegerArray served)
            throws Exception {
        StringBuilder addresses = new StringBuilder();
        for (int i = degraded ? 1 : 0; i < 10; i++) {
            addresses.append(addresses.isEmpty() ? "" : ",").append("127.0.0.").append(i + 2);
        }
        int[] before = new int[10];
        for (int i = 0; i < 10; i++) {
            before[i] = served.get(i);
        }
        List<FairwayClient> clients = new ArrayList<>();
        List<String> zones = new ArrayList<>();
        for (String zone : new String[] {"a", "b", "c"}) {
            for (int i = 0; i < 3; i++) {
                UnaryOperator<FairwayClient.Builder> routing = b -> maxLoad == null ? b
                        : b.zone(zone).zoneOption("max_load", maxLoad).zoneOption("client_shares", "a=1,b=1,c=1");
                clients.add(routing.apply(FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .resolver("static").resolverOption("addresses", addresses.toString())
                        .zoneOption("subnets", SUBNETS)).build());
                zones.add(zone);
            }
        }
        AtomicLong cross = new AtomicLong();
        try (ExecutorService threads = Executors.newFixedThreadPool(clients.size())) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients.size(); c++) {
                FairwayClient client = clients.get(c);
                String zone = zones.get(c);
                running.add(threads.submit(() -> {
                    URI uri = URI.create("http://orders.fairway.test:" + port + "/");
                    for (int r = 0; r < requests; r++) {
                        String ip = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
                        if (!ZONE_OF[Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1)) - 2].equals(zone)) {
                            cross.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            clients.forEach(FairwayClient::close);
        }
        int first = degraded ? 1 : 0;
        int total = 0;
        int max = 0;
        int min = Integer.MAX_VALUE;
        StringBuilder per = new StringBuilder();
        for (int i = first; i < 10; i++) {
            int n = served.get(i) - before[i];
            total += n;
            max = Math.max(max, n);
            min = Math.min(min, n);
            per.append(i == first ? "" : i == 2 || i == 5 ? " | " : " ").append(n);
        }
        double mean = (double) total / (10 - first);
        System.out.printf(Locale.ROOT, "| %s | %s | %.1f %% | %.2f | %.2f | %s |%n", name, degraded ? "a=1 b=3 c=5" : "a=2 b=3 c=5",
                100.0 * cross.get() / total, max / mean, min / mean, per);
    }
}
