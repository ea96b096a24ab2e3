package dev.fairway;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

/**
 * Real HTTP servers standing in for the pods of a headless Service: one WireMock server per loopback address
 * ({@code 127.0.0.2}, {@code 127.0.0.3}, ...), all on the same port. By default each answers every request with
 * 200 and its own IP address as the body.
 */
public final class Pods implements AutoCloseable {

    public final List<WireMockServer> servers = new ArrayList<>();
    public final List<String> ips = new ArrayList<>();
    public final int port;

    private Pods(int port) {
        this.port = port;
    }

    /** Starts {@code count} plain-http pods on 127.0.0.2 onwards. */
    public static Pods start(int count) {
        return start(count, c -> c);
    }

    /** Starts {@code count} pods, each configured further by {@code configure} (bind address and port are set). */
    public static Pods start(int count, UnaryOperator<WireMockConfiguration> configure) {
        return start(count, configure, false);
    }

    /** As {@link #start(int, UnaryOperator)}; with {@code https}, the shared port is the https port. */
    public static Pods start(int count, UnaryOperator<WireMockConfiguration> configure, boolean https) {
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = freePort();
            Pods pods = new Pods(port);
            try {
                for (int i = 0; i < count; i++) {
                    String ip = "127.0.0." + (i + 2);
                    WireMockConfiguration c = WireMockConfiguration.options().bindAddress(ip).containerThreads(20)
                            .jettyAcceptors(1).asynchronousResponseEnabled(false);
                    c = https ? c.httpDisabled(true).httpsPort(port) : c.port(port);
                    WireMockServer server = new WireMockServer(configure.apply(c));
                    server.start();
                    server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(200).withBody(ip)));
                    pods.servers.add(server);
                    pods.ips.add(ip);
                }
                return pods;
            } catch (RuntimeException e) {
                pods.close();
                last = new IOException("port " + port + " taken on a loopback address", e);
            }
        }
        throw new IllegalStateException("could not start pods on a shared port", last);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The static resolver's address list for these pods, without ports (the target's port applies). */
    public String addresses() {
        return String.join(",", ips);
    }

    public WireMockServer server(String ip) {
        return servers.get(ips.indexOf(ip));
    }

    public InetSocketAddress socketAddress(int i) {
        return new InetSocketAddress(ips.get(i), port);
    }

    /** Requests each pod has received, in pod order. */
    public List<Integer> requestCounts() {
        List<Integer> counts = new ArrayList<>();
        for (WireMockServer s : servers) {
            counts.add(s.getAllServeEvents().size());
        }
        return counts;
    }

    /** Server-side TCP connections in ESTABLISHED state on all pods' addresses (Linux, from /proc/net/tcp). */
    public int establishedConnections() {
        int n = 0;
        for (String ip : ips) {
            n += TcpTable.established(new InetSocketAddress(ip, port));
        }
        return n;
    }

    @Override
    public void close() {
        for (WireMockServer s : servers) {
            try {
                s.stop();
            } catch (RuntimeException ignored) {
                // already stopped
            }
        }
    }

    /**
     * Lowers the HTTP/2 stream limit (h2c) of a running WireMock server's plain-http connector: WireMock has no
     * option for it, so this reaches Jetty's connection factory by reflection.
     *
     * @param server the server
     * @param max    the most concurrent streams per connection
     * @throws ReflectiveOperationException if WireMock's or Jetty's internals changed
     */
    public static void limitStreams(WireMockServer server, int max) throws ReflectiveOperationException {
        Field httpServer = WireMockServer.class.getDeclaredField("httpServer");
        httpServer.setAccessible(true);
        Object jetty = httpServer.get(server);
        Field connectorField = jetty.getClass().getSuperclass().getDeclaredField("httpConnector");
        connectorField.setAccessible(true);
        Object connector = connectorField.get(jetty);
        Method factories = connector.getClass().getMethod("getConnectionFactories");
        int changed = 0;
        for (Object factory : (Iterable<?>) factories.invoke(connector)) {
            for (Class<?> c = factory.getClass(); c != null; c = c.getSuperclass()) {
                if (c.getSimpleName().equals("AbstractHTTP2ServerConnectionFactory")) {
                    c.getMethod("setMaxConcurrentStreams", int.class).invoke(factory, max);
                    changed++;
                    break;
                }
            }
        }
        if (changed == 0) {
            throw new IllegalStateException("the server does not speak h2c: no HTTP/2 connection factory found");
        }
    }
}
