package dev.fairway;

import dev.fairway.spi.BackendAddress;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Zone-aware routing end to end: real HTTP servers on 127.0.0.2–11 in three zones of 2, 3 and 5 backends, nine
 * clients, three per zone, each a {@link FairwayClient} that knows its zone.
 */
class ZoneRoutingTest {

    private static final int REQUESTS_PER_CLIENT = 400;
    private static final List<String> ZONES = List.of("a", "b", "c");

    /** Zone of the pod at index {@code i}: a a b b b c c c c c. */
    private static String zoneOf(int i) {
        return i < 2 ? "a" : i < 5 ? "b" : "c";
    }

    private static List<BackendAddress> addresses(JdkPods pods, int skip) throws Exception {
        List<BackendAddress> list = new ArrayList<>();
        for (int i = 0; i < pods.ips.size(); i++) {
            if (i != skip) {
                list.add(new BackendAddress(new InetSocketAddress(InetAddress.getByName(pods.ips.get(i)), pods.port), 1,
                        Map.of(BackendAddress.ZONE, zoneOf(i))));
            }
        }
        return list;
    }

    /** What one round of traffic did: requests per pod, and the share that left its client's zone. */
    private record Round(int[] perPod, double crossZone) {
        double maxOverMean(int pods) {
            int total = 0;
            int max = 0;
            for (int n : perPod) {
                total += n;
                max = Math.max(max, n);
            }
            return max / ((double) total / pods);
        }
    }

    /** Every client sends its requests, all clients at once; counts where each answer came from. */
    private static Round round(JdkPods pods, List<FairwayClient> clients, List<String> clientZones) throws Exception {
        int[] before = new int[pods.ips.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = pods.served.get(i);
        }
        AtomicInteger cross = new AtomicInteger();
        try (ExecutorService threads = Executors.newFixedThreadPool(clients.size())) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients.size(); c++) {
                FairwayClient client = clients.get(c);
                String zone = clientZones.get(c);
                running.add(threads.submit(() -> {
                    URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
                    for (int r = 0; r < REQUESTS_PER_CLIENT; r++) {
                        String ip = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                                HttpResponse.BodyHandlers.ofString()).body();
                        if (!zoneOf(pods.ips.indexOf(ip)).equals(zone)) {
                            cross.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        int[] perPod = new int[pods.ips.size()];
        for (int i = 0; i < perPod.length; i++) {
            perPod[i] = pods.served.get(i) - before[i];
        }
        return new Round(perPod, cross.get() / (double) (clients.size() * REQUESTS_PER_CLIENT));
    }

    @Test
    void evenClientsOverZonesOfTwoThreeAndFiveKeepEveryBackendWithinTheMaxLoadAndSpillOnlyTheRest() throws Exception {
        try (JdkPods pods = JdkPods.start(10)) {
            ScriptedResolver resolver = new ScriptedResolver();
            resolver.publishAll(addresses(pods, -1));
            List<FairwayClient> clients = new ArrayList<>();
            List<String> clientZones = new ArrayList<>();
            try {
                for (String zone : ZONES) {
                    for (int i = 0; i < 3; i++) {
                        clients.add(FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver)
                                .zone(zone).zoneOption("client_shares", "a=1,b=1,c=1").build());
                        clientZones.add(zone);
                    }
                }
                Round all = round(pods, clients, clientZones);
                // Zone a (2 of 10 backends, a third of the clients) keeps 0.24 of all traffic at 1.2x the mean and
                // spills 1/3 - 0.24 = 0.093; Envoy's exact rule would spill 1/6, zone-unaware routing 2/3.
                assertEquals(1.0 / 3 - 0.24, all.crossZone(), 0.01, "cross-zone share");
                assertTrue(all.maxOverMean(10) <= 1.25, "busiest backend " + all.maxOverMean(10) + "x the mean");
                Map<String, Double> shares = clients.get(0).snapshot().get(0).zoneShares();
                assertEquals("a", shares.keySet().iterator().next(), "its own zone first");
                assertEquals(java.util.Set.of("a", "b", "c"), shares.keySet());
                assertEquals(0.72, shares.get("a"), 1e-9);
                assertEquals(Map.of("b", 1.0), clients.get(3).snapshot().get(0).zoneShares());

                // Zone a loses one of its two backends: its clients keep 1.2/9 of all traffic, spill 0.2.
                resolver.publishAll(addresses(pods, 0));
                Await.until("every client saw the change", Duration.ofSeconds(10), () -> clients.stream()
                        .allMatch(c -> c.snapshot().get(0).backends().size() == 9));
                Round degraded = round(pods, clients, clientZones);
                int[] live = new int[9];
                System.arraycopy(degraded.perPod(), 1, live, 0, 9);
                assertEquals(0, degraded.perPod()[0]);
                assertEquals(1.0 / 3 - 1.2 / 9, degraded.crossZone(), 0.01, "cross-zone share");
                assertTrue(new Round(live, 0).maxOverMean(9) <= 1.25, "busiest backend " + new Round(live, 0).maxOverMean(9));
                System.out.println("zone routing, 9 clients x " + REQUESTS_PER_CLIENT + " requests: cross-zone "
                        + all.crossZone() + " then " + degraded.crossZone() + "; per backend " + perZone(all.perPod())
                        + " then " + perZone(degraded.perPod()));
            } finally {
                clients.forEach(FairwayClient::close);
            }
        }
    }

    private static Map<String, List<Integer>> perZone(int[] perPod) {
        Map<String, List<Integer>> map = new LinkedHashMap<>();
        for (int i = 0; i < perPod.length; i++) {
            map.computeIfAbsent(zoneOf(i), z -> new ArrayList<>()).add(perPod[i]);
        }
        return map;
    }

    @Test
    void withZonesFromSubnetsAClientWhoseZoneHasRoomStaysInIt() throws Exception {
        try (JdkPods pods = JdkPods.start(6)) {
            // 127.0.0.2-3 in zone a, the rest in zone b; the static resolver knows no zones
            try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", pods.addresses())
                    .zone("a").zoneOption("subnets", "127.0.0.2/31=a,127.0.0.0/8=b").build()) {
                URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
                for (int i = 0; i < 40; i++) {
                    String ip = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
                    assertTrue(ip.equals("127.0.0.2") || ip.equals("127.0.0.3"), ip);
                }
                assertEquals(Map.of("a", 1.0), client.snapshot().get(0).zoneShares());
                assertEquals(20, pods.served.get(0));
                assertEquals(20, pods.served.get(1));
            }
        }
    }

    @Test
    void aClientWithoutAZoneUsesEveryBackendAndSaysSo() throws Exception {
        try (JdkPods pods = JdkPods.start(6);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", pods.addresses())
                     .zoneOption("subnets", "127.0.0.2/31=a,127.0.0.0/8=b").environment(name -> null).build()) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            for (int i = 0; i < 60; i++) {
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            }
            for (int i = 0; i < 6; i++) {
                assertEquals(10, pods.served.get(i), "pod " + i);
            }
            assertEquals(Map.of(), client.snapshot().get(0).zoneShares());
        }
    }

    @Test
    void theZoneAndItsOptionsAreReadFromPropertiesAndCheckedAtOnce() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("fairway.zone", "eu-1a");
        p.setProperty("fairway.zone.max_load", "0.5");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FairwayClient.newBuilder().configure(p).build());
        assertTrue(e.getMessage().contains("fairway.zone.max_load") && e.getMessage().contains("0.5"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FairwayClient.newBuilder().zone("eu 1a"));
        assertTrue(e.getMessage().contains("fairway.zone") && e.getMessage().contains("without spaces"), e.getMessage());
    }

    @Test
    void kubernetesTopologyHintsDecideWhenEveryAddressCarriesThem() throws Exception {
        try (JdkPods pods = JdkPods.start(4)) {
            // as the kubernetes resolver publishes a PreferSameNode Service: zone, node and both hints per endpoint
            String[][] endpoints = {{"a", "n1"}, {"a", "n2"}, {"b", "n3"}, {"b", "n4"}};
            List<BackendAddress> addresses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                addresses.add(new BackendAddress(new InetSocketAddress(InetAddress.getByName(pods.ips.get(i)), pods.port), 1,
                        Map.of(BackendAddress.ZONE, endpoints[i][0], BackendAddress.NODE, endpoints[i][1],
                                BackendAddress.HINTS_FOR_ZONES, endpoints[i][0], BackendAddress.HINTS_FOR_NODES, endpoints[i][1])));
            }
            ScriptedResolver resolver = new ScriptedResolver();
            resolver.publishAll(addresses);
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            try (FairwayClient onN2 = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver)
                    .zone("a").zoneOption("node", "n2").build();
                 FairwayClient onN9 = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver)
                         .zone("b").zoneOption("node", "n9").build()) {
                for (int i = 0; i < 10; i++) {
                    assertEquals("127.0.0.3", onN2.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body(),
                            "the endpoint hinted for this node (4 backends: below min_backends, hints apply anyway)");
                    String ip = onN9.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
                    assertTrue(ip.equals("127.0.0.4") || ip.equals("127.0.0.5"), "no endpoint for node n9: those of zone b, got " + ip);
                }
            }
        }
    }

    @Test
    void withoutClientSharesAZoneWhosePodsLeaveTheAnswerSpillsWhatItsLastPodCannotTake() throws Exception {
        try (JdkPods pods = JdkPods.start(9)) {
            // zones a, b, c of three pods each; clients spread like the pods (no client_shares)
            List<BackendAddress> all = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                all.add(new BackendAddress(new InetSocketAddress(InetAddress.getByName(pods.ips.get(i)), pods.port), 1,
                        Map.of(BackendAddress.ZONE, ZONES.get(i / 3))));
            }
            ScriptedResolver resolver = new ScriptedResolver();
            resolver.publishAll(all);
            try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver)
                    .zone("a").environment(name -> null).build()) {
                URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                assertEquals(Map.of("a", 1.0), client.snapshot().get(0).zoneShares());
                // two of zone a's pods fail readiness: the resolver leaves them out
                resolver.publishAll(all.subList(2, 9));
                Await.until("the answer applied", Duration.ofSeconds(10), () -> client.snapshot().get(0).backends().size() == 7);
                Map<String, Double> shares = client.snapshot().get(0).zoneShares();
                assertEquals(1.2 * (1.0 / 7) / (1.0 / 3), shares.get("a"), 0.01,
                        "zone a's clients still send a third of the traffic: its last pod takes 1.2x its share " + shares);
                int[] before = new int[9];
                for (int i = 0; i < 9; i++) {
                    before[i] = pods.served.get(i);
                }
                for (int r = 0; r < 700; r++) {
                    client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                }
                assertEquals(360, pods.served.get(2) - before[2], 5, "1.2/7 / (1/3) of 700 requests on zone a's last pod");
            }
        }
    }
}
