package dev.fairway;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins a JDK behaviour that Fairway works around (measured on JDK 21 to 25): a {@link HttpClient} built with a
 * {@code connectTimeout} keeps each connection's first exchange reachable from its internals (the connection keeps
 * its connect timer, which holds the exchange) after the client has terminated, and the internals stay reachable from
 * the JDK's cleaner until the client's facade is unreachable. A body handler (or any dependent of the exchange) that
 * refers back to the client therefore makes the client uncollectable for good. Without a connect timeout the same
 * client is collected. Fairway's leaves are referred to by their exchanges, so a terminated leaf drops its client
 * ({@code Leaves.released}); {@code LeakTest} runs with the default connect timeout.
 *
 * <p>If this test fails because the first case is collected too, the JDK has fixed it: the work-around may stay (it
 * costs nothing) but docs/operations.md's note should say from which version.
 */
class JdkRetentionTest {

    private static final int CLIENTS = 20;

    @Test
    void aTerminatedClientWithAConnectTimeoutStaysReachableThroughAHandlerThatReferencesIt() throws Exception {
        List<WeakReference<HttpClient>> withTimeout = terminatedClients(true);
        List<WeakReference<HttpClient>> without = terminatedClients(false);
        // without a connect timeout: collected, waited for with a deadline
        Await.until("terminated clients without a connect timeout collected", Duration.ofSeconds(20), () -> {
            System.gc();
            return alive(without) == 0;
        });
        // with one: still all reachable after as many collections again and a few more (the cycle runs through a root)
        for (int i = 0; i < 5; i++) {
            System.gc();
        }
        assertEquals(CLIENTS, alive(withTimeout), "terminated clients with a connect timeout still reachable");
    }

    private static long alive(List<WeakReference<HttpClient>> refs) {
        return refs.stream().filter(r -> r.get() != null).count();
    }

    private static List<WeakReference<HttpClient>> terminatedClients(boolean connectTimeout) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            URI uri = URI.create("http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":"
                    + server.getAddress().getPort() + "/");
            List<WeakReference<HttpClient>> refs = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
                if (connectTimeout) {
                    builder.connectTimeout(Duration.ofSeconds(2));
                }
                HttpClient client = builder.build();
                HttpClient[] self = {client};
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(uri).build(), info -> {
                    // refers back to the client, as Fairway's exchanges refer to their leaf
                    assertTrue(self[0] != null);
                    return HttpResponse.BodySubscribers.discarding();
                });
                assertEquals(200, response.statusCode());
                client.shutdown();
                assertTrue(client.awaitTermination(Duration.ofSeconds(10)), "client terminated");
                refs.add(new WeakReference<>(client));
            }
            return refs;
        } finally {
            server.stop(0);
        }
    }
}
