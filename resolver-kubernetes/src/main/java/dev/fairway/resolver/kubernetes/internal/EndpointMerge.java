package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.spi.BackendAddress;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns all slices of a Service into the address set to publish: one port per slice through the port name, each
 * endpoint once (the best state wins when two slices list it), ready endpoints usable, serving and terminating ones
 * draining — or usable when none is ready, as kube-proxy falls back to them.
 */
final class EndpointMerge {

    private EndpointMerge() {
    }

    /**
     * Which slice port the endpoints are reached on.
     *
     * @param portName the Service port's name, when the URI's port is a port of the Service
     * @param port     the URI's port, taken as an endpoint port when there is no name
     */
    record PortChoice(Optional<String> portName, int port) {
        Optional<Integer> in(Slice slice) {
            if (portName.isPresent()) {
                return Optional.ofNullable(slice.ports().get(portName.get()));
            }
            return slice.ports().containsValue(port) ? Optional.of(port) : Optional.empty();
        }

        @Override
        public String toString() {
            return portName.map(n -> "Service port " + port + " (name '" + n + "')").orElse("endpoint port " + port);
        }
    }

    /**
     * The addresses to publish, ordered by a per-client hash so that clients do not all start on the same endpoint.
     *
     * @param slices       the slices
     * @param choice       the port
     * @param maxEndpoints the bound on endpoints over all slices
     * @param seed         the per-client seed of the order
     * @return the addresses
     * @throws IOException if the slices hold more than {@code maxEndpoints} endpoints
     */
    static List<BackendAddress> addresses(Collection<Slice> slices, PortChoice choice, int maxEndpoints, long seed)
            throws IOException {
        int total = 0;
        for (Slice s : slices) {
            total += s.endpoints().size();
        }
        if (total > maxEndpoints) {
            throw new IOException("the EndpointSlices hold " + total + " endpoints, more than " + KubernetesOptions.PREFIX
                    + KubernetesOptions.MAX_ENDPOINTS.key() + " = " + maxEndpoints + ": raise it");
        }
        List<Slice> ordered = new ArrayList<>(slices);
        ordered.sort(Comparator.comparing(Slice::name));
        Map<InetSocketAddress, Ranked> best = new HashMap<>();
        for (Slice slice : ordered) {
            Optional<Integer> port = choice.in(slice);
            if (port.isEmpty()) {
                continue;
            }
            for (Slice.Endpoint e : slice.endpoints()) {
                // 2: ready; 1: serving and terminating (draining); 0: neither (starting, or stopped serving)
                int rank = e.terminating() ? (e.serving() ? 1 : 0) : (e.ready() ? 2 : 0);
                if (rank == 0) {
                    continue;
                }
                InetSocketAddress socket = new InetSocketAddress(e.address(), port.get());
                Ranked current = best.get(socket);
                if (current == null || current.rank < rank) {
                    best.put(socket, new Ranked(socket, rank, e));
                }
            }
        }
        boolean anyReady = best.values().stream().anyMatch(r -> r.rank == 2);
        List<BackendAddress> result = new ArrayList<>(best.size());
        for (Ranked r : best.values()) {
            Map<String, String> attributes = new LinkedHashMap<>();
            r.endpoint.zone().ifPresent(z -> attributes.put(BackendAddress.ZONE, z));
            r.endpoint.node().ifPresent(n -> attributes.put(BackendAddress.NODE, n));
            r.endpoint.forZones().ifPresent(z -> attributes.put(BackendAddress.HINTS_FOR_ZONES, z));
            r.endpoint.forNodes().ifPresent(n -> attributes.put(BackendAddress.HINTS_FOR_NODES, n));
            if (anyReady && r.rank == 1) {
                attributes.put(BackendAddress.DRAINING, "true");
            }
            result.add(new BackendAddress(r.socket, 1, attributes));
        }
        result.sort(Comparator.comparingLong((BackendAddress a) -> mix(seed ^ a.socketAddress().hashCode()))
                .thenComparing(BackendAddress::authority));
        return result;
    }

    private record Ranked(InetSocketAddress socket, int rank, Slice.Endpoint endpoint) {
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
