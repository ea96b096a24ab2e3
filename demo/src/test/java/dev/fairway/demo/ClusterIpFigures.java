package dev.fairway.demo;

import dev.fairway.FairwayClient;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A bounded harness, not a test: one {@link FairwayClient} sends one request at a time for a fixed window through a
 * layer-4 proxy ({@link L4Proxy}, random placement like kube-proxy's default) to four backends behind one virtual IP,
 * as the demo's {@code clusterip} phase does, and prints what each backend served and the busiest/idlest ratio.
 * Prints the figures; asserts nothing. {@link ClusterIpModel} gives what to expect.
 *
 * <p>Run after {@code mvn -pl demo -am package -DskipTests}:
 * {@code java -cp "demo/target/test-classes:demo/target/modules/*" dev.fairway.demo.ClusterIpFigures <min_addresses>
 * <max_age> <seconds> <runs> [random|round_robin]}, for example {@code 4 400ms 20 5}: five runs of 20 s, each with a
 * new client, with {@code min_addresses=4} and {@code max_age=400ms}. A run's window starts with its first request
 * (which waits for the first resolution) and ends with the last request sent before the window's end.
 */
public final class ClusterIpFigures {

    private ClusterIpFigures() {
    }

    public static void main(String[] args) throws Exception {
        int minAddresses = Integer.parseInt(args[0]);
        String maxAge = args[1];
        Duration window = Duration.ofSeconds(Long.parseLong(args[2]));
        int runs = Integer.parseInt(args[3]);
        L4Proxy.Mode mode = args.length > 4 ? L4Proxy.Mode.valueOf(args[4].toUpperCase(Locale.ROOT)) : L4Proxy.Mode.RANDOM;
        List<InetAddress> pods = new ArrayList<>();
        for (String ip : Demo.VIP_BACKEND_IPS) {
            pods.add(InetAddress.getByName(ip));                        // IP literals: no look-up
        }
        InetAddress vip = InetAddress.getByName(Demo.VIP);
        List<Double> ratios = new ArrayList<>();
        try (DemoDnsServer dns = DemoDnsServer.start(Demo.DNS_TTL_SECONDS);
             Backends servers = Backends.start(pods);
             L4Proxy proxy = L4Proxy.start(vip, pods.stream().map(a -> new InetSocketAddress(a, servers.port())).toList(),
                     mode, System.nanoTime())) {
            DemoDns.answer(Demo.VIP_HOST, List.of(vip));
            URI target = URI.create("http://" + Demo.VIP_HOST + ":" + proxy.port() + "/");
            HttpRequest request = HttpRequest.newBuilder(target).timeout(Load.REQUEST_TIMEOUT).build();
            System.out.printf(Locale.ROOT, "min_addresses=%d max_age=%s window=%d s proxy=%s, one request at a time%n",
                    minAddresses, maxAge, window.toSeconds(), mode.description());
            for (int run = 1; run <= runs; run++) {
                servers.reset();
                proxy.resetCounts();
                long requests = 0;
                long failed = 0;
                long elapsed;
                try (FairwayClient client = FairwayClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .resolverOption("name_servers", dns.address())
                        .resolverOption("min_addresses", minAddresses)
                        .lifetimePolicy("max_age")
                        .lifetimePolicyOption("max_age", maxAge)
                        .build()) {
                    long start = System.nanoTime();
                    long end = start + window.toNanos();
                    for (long now = start; now < end; now = System.nanoTime()) {
                        requests++;
                        try {
                            if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                                failed++;
                            }
                        } catch (java.io.IOException e) {
                            failed++;
                        }
                    }
                    elapsed = System.nanoTime() - start;
                }
                Map<InetAddress, Long> served = servers.served();
                long max = Collections.max(served.values());
                long min = Collections.min(served.values());
                double ratio = min == 0 ? Double.POSITIVE_INFINITY : (double) max / min;
                ratios.add(ratio);
                System.out.printf(Locale.ROOT, "run %d: %d requests in %.1f s (%d failed); served %s; max/min %.2f;"
                                + " connections %d (%s)%n", run, requests, elapsed / 1e9, failed,
                        served.entrySet().stream().map(e -> e.getKey().getHostAddress() + " " + e.getValue())
                                .collect(Collectors.joining(", ")), ratio,
                        proxy.connections().values().stream().mapToLong(Long::longValue).sum(),
                        proxy.connections().values().stream().map(String::valueOf).collect(Collectors.joining("/")));
            }
        } finally {
            DemoDns.forget(Demo.VIP_HOST);
        }
        List<Double> sorted = new ArrayList<>(ratios);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        System.out.printf(Locale.ROOT, "min_addresses=%d max_age=%s, %d runs of %d s: max/min median %.2f, range %.2f-%.2f,"
                        + " %d of %d runs <= %.0f%n", minAddresses, maxAge, n, window.toSeconds(), median, sorted.get(0),
                sorted.get(n - 1), ratios.stream().filter(r -> r <= ClusterIpModel.CRITERION).count(), n, ClusterIpModel.CRITERION);
    }
}
