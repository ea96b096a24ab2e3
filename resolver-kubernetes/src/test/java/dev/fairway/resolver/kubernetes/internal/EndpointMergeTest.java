package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.spi.BackendAddress;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointMergeTest {

    private static final EndpointMerge.PortChoice HTTP = new EndpointMerge.PortChoice(Optional.of("http"), 80);

    private static Slice slice(String name, String portName, int port, String... endpoints) throws IOException {
        return Slice.parse(Json.parseObject(K8s.slice(name, "orders", "1", portName, port, List.of(endpoints))));
    }

    private static List<BackendAddress> merge(Slice... slices) throws IOException {
        return EndpointMerge.addresses(List.of(slices), HTTP, 10_000, 1);
    }

    @Test
    void readyNullMeansReadyAndServingFollowsReady() throws Exception {
        List<BackendAddress> set = merge(slice("a", "http", 8080,
                K8s.endpoint("10.0.0.1", null, null, null, null),            // no conditions: ready
                K8s.endpoint("10.0.0.2", false, null, null, null),           // not ready, not terminating: starting
                K8s.endpoint("10.0.0.3", true, null, null, null)));
        assertEquals(Set.of("10.0.0.1:8080", "10.0.0.3:8080"), Recorder.authorities(set));
        assertTrue(set.stream().noneMatch(BackendAddress::draining));
    }

    @Test
    void servingTerminatingEndpointsDrainWhileOthersAreReady() throws Exception {
        List<BackendAddress> set = merge(slice("a", "http", 8080, K8s.ready("10.0.0.1"), K8s.terminating("10.0.0.2"),
                K8s.endpoint("10.0.0.3", false, false, true, null)));        // terminating and no longer serving: gone
        assertEquals(Set.of("10.0.0.1:8080", "10.0.0.2:8080"), Recorder.authorities(set));
        for (BackendAddress a : set) {
            assertEquals(a.authority().equals("10.0.0.2:8080"), a.draining(), a.toString());
            assertEquals(a.draining() ? "true" : null, a.attributes().get(BackendAddress.DRAINING));
        }
    }

    @Test
    void whenNoneIsReadyTheServingTerminatingOnesAreUsable() throws Exception {
        List<BackendAddress> set = merge(slice("a", "http", 8080, K8s.terminating("10.0.0.1"), K8s.terminating("10.0.0.2"),
                K8s.endpoint("10.0.0.3", false, false, false, null)));
        assertEquals(Set.of("10.0.0.1:8080", "10.0.0.2:8080"), Recorder.authorities(set));
        assertTrue(set.stream().noneMatch(BackendAddress::draining), "kube-proxy's fallback: they take traffic");
    }

    @Test
    void mergesSlicesAndPublishesAnEndpointInTwoSlicesOnceInItsBestState() throws Exception {
        List<BackendAddress> set = merge(slice("a", "http", 8080, K8s.ready("10.0.0.1"), K8s.terminating("10.0.0.2")),
                slice("b", "http", 8080, K8s.ready("10.0.0.2"), K8s.ready("10.0.0.3")),
                slice("c", "http", 8080, K8s.ready("10.0.0.1")));
        assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080"),
                set.stream().map(BackendAddress::authority).sorted().toList());
        assertTrue(set.stream().noneMatch(BackendAddress::draining), "ready in one slice beats terminating in another");
    }

    @Test
    void mapsThePortThroughItsNamePerSlice() throws Exception {
        List<BackendAddress> set = merge(slice("a", "http", 8080, K8s.ready("10.0.0.1")), slice("b", "http", 9090, K8s.ready("10.0.0.2")),
                slice("c", "metrics", 9100, K8s.ready("10.0.0.3")));
        assertEquals(Set.of("10.0.0.1:8080", "10.0.0.2:9090"), Recorder.authorities(set));
        List<BackendAddress> byPort = EndpointMerge.addresses(List.of(slice("c", "metrics", 9100, K8s.ready("10.0.0.3")),
                slice("a", "http", 8080, K8s.ready("10.0.0.1"))), new EndpointMerge.PortChoice(Optional.empty(), 9100), 100, 1);
        assertEquals(Set.of("10.0.0.3:9100"), Recorder.authorities(byPort), "a port that is already an endpoint port");
    }

    @Test
    void zoneNodeAndHintsTravelAsAttributes() throws Exception {
        String ep = "{\"addresses\":[\"10.0.0.1\",\"10.0.0.9\"],\"conditions\":{\"ready\":true},\"zone\":\"eu-1a\",\"nodeName\":\"n1\","
                + "\"hints\":{\"forZones\":[{\"name\":\"eu-1a\"},{\"name\":\"eu-1b\"}],\"forNodes\":[{\"name\":\"n1\"}]}}";
        BackendAddress a = merge(slice("a", "http", 8080, ep)).get(0);
        assertEquals("10.0.0.1:8080", a.authority(), "the first address, as kube-proxy takes it");
        assertEquals(Optional.of("eu-1a"), a.zone());
        assertEquals(Map.of(BackendAddress.ZONE, "eu-1a", BackendAddress.NODE, "n1", BackendAddress.HINTS_FOR_ZONES, "eu-1a,eu-1b",
                BackendAddress.HINTS_FOR_NODES, "n1"), a.attributes());
    }

    @Test
    void ipv6AndFqdnSlices() throws Exception {
        String v6 = K8s.slice("v6", "orders", "1", "http", 8080, List.of(K8s.ready("fd00::1"))).replace("IPv4", "IPv6");
        String fqdn = K8s.slice("f", "orders", "1", "http", 8080, List.of(K8s.ready("example.com"))).replace("IPv4", "FQDN");
        List<BackendAddress> set = EndpointMerge.addresses(List.of(Slice.parse(Json.parseObject(v6)), Slice.parse(Json.parseObject(fqdn))),
                HTTP, 100, 1);
        assertEquals(Set.of("[fd00:0:0:0:0:0:0:1]:8080"), Recorder.authorities(set));
        IOException e = assertThrows(IOException.class, () -> slice("x", "http", 8080, K8s.ready("orders.example")));
        assertTrue(e.getMessage().contains("'orders.example', which is not an IP address"), e.getMessage());
    }

    @Test
    void boundsTheEndpoints() throws Exception {
        Slice big = slice("a", "http", 8080, K8s.readyEndpoints(0, 11).toArray(String[]::new));
        IOException e = assertThrows(IOException.class, () -> EndpointMerge.addresses(List.of(big), HTTP, 10, 1));
        assertTrue(e.getMessage().contains("11 endpoints, more than fairway.resolver.max_endpoints = 10: raise it"), e.getMessage());
    }

    @Test
    void theOrderIsStablePerClientAndDiffersBetweenClients() throws Exception {
        Slice s = slice("a", "http", 8080, K8s.readyEndpoints(0, 20).toArray(String[]::new));
        List<BackendAddress> one = EndpointMerge.addresses(List.of(s), HTTP, 100, 1);
        assertEquals(one, EndpointMerge.addresses(List.of(s), HTTP, 100, 1));
        List<BackendAddress> other = EndpointMerge.addresses(List.of(s), HTTP, 100, 2);
        assertFalse(one.equals(other));
        assertEquals(Set.copyOf(one), Set.copyOf(other));
        List<String> sorted = new ArrayList<>(one.stream().map(BackendAddress::authority).toList());
        sorted.sort(null);
        assertFalse(sorted.equals(one.stream().map(BackendAddress::authority).toList()), "not sorted by address");
    }

    @Test
    void serviceNames() {
        assertEquals(new ServiceName("orders", Optional.of("shop")), ServiceName.of("orders.shop.svc.cluster.local", "cluster.local"));
        assertEquals(new ServiceName("orders", Optional.of("shop")), ServiceName.of("orders.shop.svc.k8s.example", "k8s.example"));
        assertEquals(new ServiceName("orders", Optional.of("shop")), ServiceName.of("orders.shop.svc", "cluster.local"));
        assertEquals(new ServiceName("orders", Optional.of("shop")), ServiceName.of("orders.shop", "cluster.local"));
        assertEquals(new ServiceName("orders", Optional.empty()), ServiceName.of("orders", "cluster.local"));
        for (String bad : List.of("orders.shop.svc.other.domain", "a.b.c", "-x", "orders_1", "10.0.0.1", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServiceName.of(bad, "cluster.local"), bad);
            assertTrue(e.getMessage().startsWith("host '" + bad + "' names no Kubernetes Service"), e.getMessage());
            assertTrue(e.getMessage().contains("cluster_domain"), e.getMessage());
        }
    }
}
