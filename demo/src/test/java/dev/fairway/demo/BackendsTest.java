package dev.fairway.demo;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The health endpoint fails on demand while every other path keeps answering; probes are counted apart. */
class BackendsTest {

    @Test
    void aFailingHealthEndpointLeavesOtherPathsServing() throws Exception {
        InetAddress ip = InetAddress.getByName("127.0.0.41");
        try (Backends backends = Backends.start(List.of(ip));
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            URI base = URI.create("http://127.0.0.41:" + backends.port());
            assertEquals(200, status(client, base.resolve(Backends.HEALTH_PATH)));
            backends.healthy(ip, false);
            assertEquals(503, status(client, base.resolve(Backends.HEALTH_PATH)));
            assertEquals(200, status(client, base.resolve("/orders")));
            assertEquals(Map.of(ip, 1L), backends.served(), "probes are not served requests");
            assertEquals(Map.of(ip, 2L), backends.probes());
            backends.reset();
            assertEquals(200, status(client, base.resolve(Backends.HEALTH_PATH)), "reset makes it healthy again");
            assertEquals(Map.of(ip, 0L), backends.served());
        }
    }

    private static int status(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
