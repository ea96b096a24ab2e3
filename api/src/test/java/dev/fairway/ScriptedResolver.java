package dev.fairway;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.ResolverProvider;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A resolver provider whose answers a test publishes by hand, to every target of the client. */
final class ScriptedResolver implements ResolverProvider {

    private final List<Resolver.Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile List<BackendAddress> current;
    private volatile IOException failure;
    final AtomicInteger refreshes = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public Resolver create(ResolverContext context) {
        return new Resolver() {
            private Listener listener;

            @Override
            public void start(Listener l) {
                listener = l;
                listeners.add(l);
                if (current != null) {
                    l.onAddresses(current);
                } else if (failure != null) {
                    l.onError(failure);
                }
            }

            @Override
            public void refresh() {
                refreshes.incrementAndGet();
            }

            @Override
            public void close() {
                listeners.remove(listener);
                closed.incrementAndGet();
            }
        };
    }

    /** Publishes {@code ips} on {@code port} to every started resolver, and to those started later. */
    void publish(int port, String... ips) {
        List<BackendAddress> list = new ArrayList<>();
        for (String ip : ips) {
            try {
                list.add(BackendAddress.of(InetAddress.getByName(ip), port));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        }
        current = List.copyOf(list);
        failure = null;
        listeners.forEach(l -> l.onAddresses(current));
    }

    /** Publishes exactly these addresses. */
    void publishAll(List<BackendAddress> addresses) {
        current = List.copyOf(addresses);
        failure = null;
        listeners.forEach(l -> l.onAddresses(current));
    }

    void fail(IOException error) {
        failure = error;
        listeners.forEach(l -> l.onError(error));
    }
}
