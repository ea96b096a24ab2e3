package dev.fairway.demo;

import dev.fairway.FairwayClient;
import dev.fairway.FairwayEvent;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded harness, not a test: measures how fast a {@link FairwayClient} (resolver {@code dns}, direct mode,
 * against dnsmasq on loopback) follows DNS changes, and how many DNS queries one client sends per minute at the
 * default options. Prints the figures; asserts nothing.
 *
 * <p>Run after {@code mvn -pl resolver-dns,demo -am install}:
 * {@code java -cp "demo/target/test-classes:demo/target/modules/*" dev.fairway.demo.DnsFigures <refresh> <runs> <minutes>},
 * for example {@code ttl:5 9 2}: nine scale-out/scale-in cycles (3 → 6 → 3 pods) on the defaults against answers with a
 * 5 s TTL (or {@code 2s 9 2}: at a fixed {@code refresh_interval=2s}), and in parallel a second client at the defaults
 * whose queries are counted for two minutes.
 */
public final class DnsFigures {

    private DnsFigures() {
    }

    public static void main(String[] args) throws Exception {
        boolean ttlMode = args[0].startsWith("ttl:");
        int ttl = ttlMode ? Integer.parseInt(args[0].substring(4)) : 0;
        Duration refresh = ttlMode ? Duration.ofSeconds(ttl)
                : Duration.ofMillis(Math.round(Double.parseDouble(args[0].replace("s", "")) * 1000));
        int runs = Integer.parseInt(args[1]);
        int minutes = Integer.parseInt(args[2]);
        Path dir = Files.createTempDirectory("dns-figures");
        Duration wait = refresh.multipliedBy(2).plusSeconds(10);
        List<InetAddress> all = new ArrayList<>();
        for (String ip : DnsScaleTest.pods(2, 7)) {
            all.add(InetAddress.getByName(ip));
        }
        try (Dnsmasq dns = Dnsmasq.start(dir, ttl); Backends backends = Backends.start(all)) {
            dns.hosts(Map.of("orders.test", DnsScaleTest.pods(2, 4), "count.test", List.of("127.0.0.2")));
            URI orders = URI.create("http://orders.test:" + backends.port() + "/");
            URI count = URI.create("http://count.test:" + backends.port() + "/");
            AtomicLong removal = new AtomicLong(-1);
            FairwayClient.Builder measured = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolverOption("name_servers", dns.server());
            if (!ttlMode) {
                measured.resolverOption("refresh_interval", refresh.toMillis() + "ms");
            }
            try (FairwayClient defaults = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolverOption("name_servers", dns.server()).build();
                 FairwayClient client = measured
                         .listener(e -> {
                             if (e instanceof FairwayEvent.ResolutionSucceeded r && !r.removed().isEmpty()) {
                                 removal.compareAndSet(-1, System.nanoTime());
                             }
                         }).build();
                 Traffic traffic = new Traffic(client, orders)) {
                long countStart = System.nanoTime();
                defaults.send(HttpRequest.newBuilder(count).build(), HttpResponse.BodyHandlers.discarding());
                Traffic.await("traffic on 3 pods", () -> DnsScaleTest.pods(2, 4).stream().allMatch(ip -> traffic.firstTo(ip, 0) >= 0));
                List<Double> firstNew = new ArrayList<>();
                List<Double> allNew = new ArrayList<>();
                List<Double> lastRemoved = new ArrayList<>();
                Set<String> added = Set.copyOf(DnsScaleTest.pods(5, 7));
                for (int run = 0; run < runs; run++) {
                    pause(ThreadLocalRandom.current().nextLong(refresh.toNanos()));     // another phase of the refresh timer
                    dns.hosts(Map.of("orders.test", DnsScaleTest.pods(2, 7), "count.test", List.of("127.0.0.2")));
                    long out = System.nanoTime();
                    Traffic.await("traffic on the new pods", wait, () -> added.stream().allMatch(ip -> traffic.firstTo(ip, out) >= 0));
                    firstNew.add(ms(added.stream().mapToLong(ip -> traffic.firstTo(ip, out)).min().orElseThrow() - out));
                    allNew.add(ms(added.stream().mapToLong(ip -> traffic.firstTo(ip, out)).max().orElseThrow() - out));

                    pause(ThreadLocalRandom.current().nextLong(refresh.toNanos()));
                    removal.set(-1);
                    dns.hosts(Map.of("orders.test", DnsScaleTest.pods(2, 4), "count.test", List.of("127.0.0.2")));
                    long in = System.nanoTime();
                    Traffic.await("the removal", wait, () -> removal.get() >= 0);
                    pause(TimeUnit.MILLISECONDS.toNanos(200));                        // requests in flight complete
                    lastRemoved.add(ms(traffic.lastTo(added) - in));
                    System.out.printf(Locale.ROOT, "run %d: first new %.0f ms, all new %.0f ms, last removed %.0f ms%n", run + 1,
                            firstNew.get(run), allNew.get(run), lastRemoved.get(run));
                }
                System.out.printf(Locale.ROOT, (ttlMode ? "defaults, DNS TTL " : "refresh_interval ") + "%d ms, %d runs: median first request on a new pod %.0f ms"
                                + " (max %.0f), on all new pods %.0f ms, last request on a removed pod %.0f ms (max %.0f);"
                                + " failed requests %d of %d%n", refresh.toMillis(), runs, median(firstNew),
                        Collections.max(firstNew), median(allNew), median(lastRemoved), Collections.max(lastRemoved),
                        traffic.failures().size(), traffic.sent().size());
                long remaining = countStart + TimeUnit.MINUTES.toNanos(minutes) - System.nanoTime();
                pause(Math.max(0, remaining));
                double elapsedMinutes = (System.nanoTime() - countStart) / 6e10;
                long queries = dns.queries().stream().filter(q -> q.endsWith(" count.test")).count();
                System.out.printf(Locale.ROOT, "defaults (refresh at the TTL, DNS TTL " + ttl + " s, prefer_ipv4): %d queries for count.test"
                                + " in %.2f min = %.2f per minute; by type %s%n", queries, elapsedMinutes, queries / elapsedMinutes,
                        dns.queries().stream().filter(q -> q.endsWith(" count.test")).distinct().toList());
            }
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Lets time pass: the harness measures wall-clock behaviour. */
    private static void pause(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            LockSupport.parkNanos(end - System.nanoTime());
        }
    }
}
