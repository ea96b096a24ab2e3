package dev.fairway;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a backend costs at idle, measured: DESIGN budgets one selector thread and a few file descriptors per leaf.
 * After close, everything is given back.
 */
class LeafCostTest {

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Client-side threads: the JDK names each HttpClient's selector thread "HttpClient-N-SelectorManager". */
    private static long threads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("HttpClient-") || t.getName().startsWith("fairway-")).count();
    }

    @Test
    void eachIdleBackendCostsOneThreadAndAFewFileDescriptors() throws Exception {
        int backends = 10;
        try (Pods pods = Pods.start(backends)) {
            // a warm-up client so that JDK-wide one-time threads and descriptors are not counted
            try (FairwayClient warm = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", "127.0.0.2").build()) {
                warm.send(HttpRequest.newBuilder(URI.create("http://warm.fairway.test:" + pods.port + "/")).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            long threads0 = threads();
            long fds0 = openFds();
            FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", pods.addresses()).build();
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            for (int i = 0; i < backends; i++) {
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            }
            Await.until("one idle connection per backend", Duration.ofSeconds(5), pods::establishedConnections, n -> n == backends);
            // Thread and fd counts include the servers' side of the new connections (one fd each, same process).
            long threadsPerBackend = (threads() - threads0) / backends;
            double fdsPerBackend = (double) (openFds() - fds0 - backends) / backends;
            System.out.printf("idle cost per backend: %d thread(s), %.1f file descriptors (client side)%n", threadsPerBackend, fdsPerBackend);
            assertTrue(threadsPerBackend <= 1, "threads per backend: " + threadsPerBackend);
            assertTrue(fdsPerBackend <= 3.5, "file descriptors per backend: " + fdsPerBackend);

            client.close();
            Await.until("threads given back", Duration.ofSeconds(10), LeafCostTest::threads, t -> t <= threads0);
            Await.until("file descriptors given back", Duration.ofSeconds(10), () -> {
                try {
                    return openFds();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, n -> n <= fds0);
            assertEquals(0, pods.establishedConnections());
        }
    }
}
