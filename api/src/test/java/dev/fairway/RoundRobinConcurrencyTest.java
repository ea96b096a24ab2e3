package dev.fairway;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exact round robin through the whole client, under concurrency, against real servers. */
class RoundRobinConcurrencyTest {

    @Test
    void eightThreadsBehindAStartGateSpreadExactly() throws Exception {
        int threads = 8;
        int perThread = 125;
        try (Pods pods = Pods.start(5);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .picker("round_robin").resolver("static").resolverOption("addresses", pods.addresses()).build();
             ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
            client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()); // resolve first
            Map<InetSocketAddress, AtomicInteger> served = new ConcurrentHashMap<>();
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                        assertEquals(200, r.statusCode());
                        served.computeIfAbsent(FairwayClient.servedBy(r).orElseThrow(), k -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                }));
            }
            ready.await();
            go.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
            List<Integer> counts = new ArrayList<>();
            served.values().forEach(c -> counts.add(c.get()));
            assertEquals(5, counts.size(), "every backend served: " + served);
            assertEquals(threads * perThread, counts.stream().mapToInt(Integer::intValue).sum());
            assertTrue(Collections.max(counts) - Collections.min(counts) <= 1, "per-backend counts differ by at most 1: " + served);
            List<Integer> seenByServers = pods.requestCounts();
            assertEquals(threads * perThread + 1, seenByServers.stream().mapToInt(Integer::intValue).sum(), "servers saw every request once");
        }
    }
}
