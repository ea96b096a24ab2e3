package com.example.fairway.zone;

import dev.fairway.FairwayClient;
import dev.fairway.ProviderRegistry;
import dev.fairway.TargetSnapshot;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.PickerProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The picker as users meet it: found by {@code FairwayClient}'s registry, selected by name from {@link Properties},
 * balancing real requests over real servers on loopback. Runs on the module path (the provider comes from the named
 * module {@code com.example.fairway.zone}) and on the class path (from the unnamed module, through
 * {@code META-INF/services}).
 */
class ThroughFairwayClientTest {

    private static final String MODULE = "com.example.fairway.zone";
    private static final int REQUESTS = 100;

    private LoopbackBackends servers;
    private ZonedResolverProvider resolver;
    private List<BackendAddress> all;

    @BeforeEach
    void start() throws Exception {
        servers = LoopbackBackends.start(4);
        int port = servers.port();
        all = List.of(
                ZonedResolverProvider.address(servers.ip(0), port, "eu-1"),
                ZonedResolverProvider.address(servers.ip(1), port, "eu-1"),
                ZonedResolverProvider.address(servers.ip(2), port, "us-1"),
                ZonedResolverProvider.address(servers.ip(3), port, null));
        resolver = new ZonedResolverProvider();
        resolver.publish(all);
    }

    @AfterEach
    void stop() {
        servers.close();
    }

    private static Properties config(String zone) {
        Properties config = new Properties();
        config.setProperty("fairway.picker", "zone_aware");
        config.setProperty("fairway.picker.zone", zone);
        config.setProperty("fairway.version", "http_1_1");
        config.setProperty("fairway.connect_timeout", "2s");
        return config;
    }

    private FairwayClient client(String zone) {
        return FairwayClient.newBuilder().resolver(resolver).configure(config(zone)).build();
    }

    /** Sends {@link #REQUESTS} requests one after the other; returns how many each server served meanwhile. */
    private List<Integer> send(FairwayClient client) throws Exception {
        List<Integer> before = servers.served();
        URI uri = URI.create("http://orders.example:" + servers.port() + "/orders/42");
        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            InetSocketAddress servedBy = FairwayClient.servedBy(response).orElseThrow();
            assertEquals(servedBy.getAddress().getHostAddress(), response.body(), "servedBy names the server that answered");
            assertEquals(uri, response.uri(), "the response shows the logical URI");
        }
        List<Integer> after = servers.served();
        List<Integer> delta = new ArrayList<>();
        for (int i = 0; i < after.size(); i++) {
            delta.add(after.get(i) - before.get(i));
        }
        return delta;
    }

    /** Publishes {@code addresses} and waits, with a deadline, until the client's target has exactly those backends. */
    private void publishAndAwait(FairwayClient client, List<BackendAddress> addresses) {
        resolver.publish(addresses);
        Set<String> expected = new TreeSet<>();
        addresses.forEach(a -> expected.add(a.authority()));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Set<String> seen = Set.of();
        while (System.nanoTime() < deadline) {
            seen = new TreeSet<>();
            for (TargetSnapshot target : client.snapshot()) {
                for (var backend : target.backends()) {
                    seen.add(backend.address().authority());
                }
            }
            if (seen.equals(expected)) {
                return;
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        fail("the client's backends did not become " + expected + " within 10 s; last seen " + seen);
    }

    @Test
    void theRegistryFindsTheProviderOnTheExpectedPath() {
        PickerProvider provider = ProviderRegistry.pickers().get("zone_aware");
        assertInstanceOf(ZonePickerProvider.class, provider);
        Module module = provider.getClass().getModule();
        String path = System.getProperty("test.fairway.path");
        assertNotNull(path, "system property test.fairway.path is not set: run the tests through Maven (surefire sets it)");
        switch (path) {
            case "module" -> {
                // Module to module, as in a modular application: dev.fairway's 'uses' found this module's 'provides'.
                assertEquals(MODULE, module.getName(), provider + " came from " + module);
                assertSame(ModuleLayer.boot(), module.getLayer());
                assertEquals("dev.fairway", FairwayClient.class.getModule().getName(), "the pom puts dev.fairway on the module path");
                assertTrue(FairwayClient.class.getModule().getDescriptor().uses().contains(PickerProvider.class.getName()));
                assertTrue(module.getDescriptor().provides().stream()
                        .anyMatch(p -> p.service().equals(PickerProvider.class.getName())
                                && p.providers().equals(List.of(ZonePickerProvider.class.getName()))), module.getDescriptor()::toString);
            }
            case "classpath" -> {
                // Found through META-INF/services/dev.fairway.spi.PickerProvider.
                assertFalse(module.isNamed(), provider + " came from " + module);
                assertFalse(FairwayClient.class.getModule().isNamed());
            }
            default -> fail("unknown test.fairway.path '" + path + "': expected module or classpath");
        }
        assertEquals(List.of(), ProviderRegistry.pickers().failures().stream()
                .filter(f -> f.toString().contains("zone")).toList());
    }

    @Test
    void trafficStaysInTheClientsZoneAndFallsBackWhenTheZoneEmpties() throws Exception {
        try (FairwayClient client = client("eu-1")) {
            assertEquals(List.of(50, 50, 0, 0), send(client), "round robin over the two eu-1 servers only");

            publishAndAwait(client, List.of(all.get(2), all.get(3)));
            assertEquals(List.of(0, 0, 50, 50), send(client), "no eu-1 backend left: every usable backend takes a share");

            publishAndAwait(client, all);
            assertEquals(List.of(50, 50, 0, 0), send(client), "eu-1 is back: traffic returns to it");
        }
    }

    @Test
    void aClientInAZoneWithoutBackendsUsesThemAll() throws Exception {
        try (FairwayClient client = client("ap-9")) {
            assertEquals(List.of(25, 25, 25, 25), send(client));
        }
    }

    @Test
    void aMissingZoneFailsAtBuildNamingTheKey() {
        Properties config = config("eu-1");
        config.remove("fairway.picker.zone");
        FairwayClient.Builder builder = FairwayClient.newBuilder().resolver(resolver).configure(config);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertTrue(e.getMessage().contains("fairway.picker.zone is required"), e::getMessage);
    }
}
