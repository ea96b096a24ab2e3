package dev.fairway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A layer-4 TCP proxy like kube-proxy in front of a ClusterIP: it picks a backend per accepted connection (round
 * robin) and copies bytes both ways. Requests on a kept-alive connection all reach the backend it picked.
 */
final class L4Proxy implements AutoCloseable {

    private final ServerSocket server;
    private final List<InetSocketAddress> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    final AtomicInteger connections = new AtomicInteger();

    L4Proxy(String ip, List<InetSocketAddress> backends) throws IOException {
        this.backends = backends;
        this.server = new ServerSocket(0, 200, InetAddress.getByName(ip));
        threads.execute(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                connections.incrementAndGet();
                InetSocketAddress backend = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
                Socket upstream = new Socket(backend.getAddress(), backend.getPort());
                threads.execute(() -> pump(client, upstream));
                threads.execute(() -> pump(upstream, client));
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the other side closed
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
