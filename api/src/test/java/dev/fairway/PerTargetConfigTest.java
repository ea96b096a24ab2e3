package dev.fairway;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-target configuration: one client, targets with providers and options of their own, over real servers. */
class PerTargetConfigTest {

    private static Set<String> servedBy(FairwayClient client, String host, int port, int requests) throws Exception {
        Set<String> served = new TreeSet<>();
        for (int i = 0; i < requests; i++) {
            served.add(client.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        }
        return served;
    }

    private static TargetSnapshot snapshot(FairwayClient client, String host) {
        return client.snapshot().stream().filter(t -> t.target().host().equals(host)).findFirst().orElseThrow();
    }

    @Test
    void eachTargetUsesItsOwnAddressesAndPickerOverTheClientsOnes() throws Exception {
        try (JdkPods pods = JdkPods.start(5);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", "127.0.0.6")
                     .targetOption("orders", "resolver.addresses", "127.0.0.2,127.0.0.3")
                     .targetOption("payments", "resolver.addresses", "127.0.0.4")
                     .targetOption("payments", "picker", "round_robin")
                     .targetOption("*.shop.test", "resolver.addresses", "127.0.0.5")
                     .build()) {
            assertEquals(Set.of("127.0.0.2", "127.0.0.3"), servedBy(client, "orders", pods.port, 10));
            assertEquals(Set.of("127.0.0.4"), servedBy(client, "payments", pods.port, 4));
            assertEquals(Set.of("127.0.0.5"), servedBy(client, "cart.shop.test", pods.port, 4), "the wildcard");
            assertEquals(Set.of("127.0.0.6"), servedBy(client, "other", pods.port, 4), "no rule: the client's addresses");

            TargetSnapshot orders = snapshot(client, "orders");
            assertEquals(Optional.of("orders"), orders.rule());
            assertEquals(Map.of("resolver", "static", "picker", "least_loaded", "health", "none", "lifetime", "max_age"),
                    orders.providers());
            assertEquals("round_robin", snapshot(client, "payments").providers().get("picker"));
            assertEquals(Optional.of("*.shop.test"), snapshot(client, "cart.shop.test").rule());
            assertEquals(Optional.empty(), snapshot(client, "other").rule());
        }
    }

    @Test
    void theMostSpecificPatternWins() throws Exception {
        try (JdkPods pods = JdkPods.start(3);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", "127.0.0.4")
                     .targetOption("*.test", "resolver.addresses", "127.0.0.2")
                     .targetOption("*.shop.test", "resolver.addresses", "127.0.0.3")
                     .targetOption("orders.shop.test:" + pods.port, "resolver.addresses", "127.0.0.4")
                     .build()) {
            assertEquals(Set.of("127.0.0.2"), servedBy(client, "a.test", pods.port, 2));
            assertEquals(Set.of("127.0.0.3"), servedBy(client, "cart.shop.test", pods.port, 2), "the longer suffix");
            assertEquals(Set.of("127.0.0.4"), servedBy(client, "orders.shop.test", pods.port, 2), "host and port");
        }
    }

    @Test
    void fromPropertiesWithNamedTargets() throws Exception {
        try (JdkPods pods = JdkPods.start(3)) {
            Properties p = new Properties();
            p.setProperty("fairway.version", "http_1_1");
            p.setProperty("fairway.resolver", "static");
            p.setProperty("fairway.resolver.addresses", "127.0.0.4");
            p.setProperty("fairway.target.orders.host", "orders");
            p.setProperty("fairway.target.orders.resolver.addresses", "127.0.0.2,127.0.0.3");
            p.setProperty("fairway.target.orders.picker", "round_robin");
            try (FairwayClient client = FairwayClient.newBuilder().configure(p).build()) {
                assertEquals(Set.of("127.0.0.2", "127.0.0.3"), servedBy(client, "orders", pods.port, 4));
                assertEquals("round_robin", snapshot(client, "orders").providers().get("picker"));
                assertEquals(Set.of("127.0.0.4"), servedBy(client, "payments", pods.port, 2));
            }
        }
    }

    @Test
    void badPerTargetInputFailsAtOnceOrAtBuildNamingTheTargetAndKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FairwayClient.newBuilder().targetOption("orders shop", "picker", "round_robin"));
        assertTrue(e.getMessage().contains("target 'orders shop' is not allowed"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FairwayClient.newBuilder().targetOption("orders", "pickr", "x"));
        assertTrue(e.getMessage().contains("targetOption(orders) key 'pickr' is not allowed"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FairwayClient.newBuilder().resolver("static")
                .resolverOption("addresses", "127.0.0.2").targetOption("orders", "picker", "least_con").build());
        assertTrue(e.getMessage().contains("picker 'least_con' is not available") && e.getMessage().contains("did you mean 'least_conn'"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FairwayClient.newBuilder().resolver("static")
                .resolverOption("addresses", "127.0.0.2").targetOption("orders", "picker.choices", "zero").build());
        assertTrue(e.getMessage().startsWith("fairway.target[orders].picker.choices = 'zero' is not allowed"), e.getMessage());
        Properties p = new Properties();
        p.setProperty("fairway.target.orders.picker", "round_robin");
        e = assertThrows(IllegalArgumentException.class, () -> FairwayClient.newBuilder().configure(p));
        assertTrue(e.getMessage().startsWith("fairway.target.orders.host is missing"), e.getMessage());
    }
}
