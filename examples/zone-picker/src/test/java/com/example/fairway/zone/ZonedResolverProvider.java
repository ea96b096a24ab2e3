package com.example.fairway.zone;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.ResolverProvider;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test resolver that publishes addresses with zone attributes, as a Kubernetes EndpointSlice resolver would. The
 * built-in {@code static} resolver has no zones, so the test hands this provider to the builder as an instance; it is
 * not in any services file. Every target of the client resolves to the addresses last {@linkplain #publish published}.
 */
final class ZonedResolverProvider implements ResolverProvider {

    private final List<Resolver.Listener> listeners = new CopyOnWriteArrayList<>();
    private List<BackendAddress> current = List.of();

    /**
     * An address in {@code zone}, or without a zone when {@code zone} is {@code null}.
     *
     * @param ip   an IP literal
     * @param port the port
     * @param zone the zone, or {@code null}
     * @return the address
     */
    static BackendAddress address(String ip, int port, String zone) {
        try {
            InetSocketAddress socket = new InetSocketAddress(InetAddress.getByName(ip), port);
            return new BackendAddress(socket, 1, zone == null ? Map.of() : Map.of(BackendAddress.ZONE, zone));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip + " is not an IP literal", e);
        }
    }

    @Override
    public String name() {
        return "zoned_test";
    }

    @Override
    public Resolver create(ResolverContext context) {
        return new Resolver() {
            private Listener listener;

            @Override
            public void start(Listener l) {
                synchronized (ZonedResolverProvider.this) {
                    listener = l;
                    listeners.add(l);
                    l.onAddresses(current);
                }
            }

            @Override
            public void close() {
                listeners.remove(listener);
            }
        };
    }

    /**
     * Publishes {@code addresses} to every started resolver and to those started later. Calls are serialised, so
     * listener calls never overlap.
     *
     * @param addresses the complete address set
     */
    synchronized void publish(List<BackendAddress> addresses) {
        current = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
        listeners.forEach(l -> l.onAddresses(current));
    }
}
