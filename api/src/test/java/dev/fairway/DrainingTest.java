package dev.fairway;

import dev.fairway.spi.BackendAddress;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An address its resolver marks as draining ({@link BackendAddress#DRAINING}, a terminating pod) takes no new request
 * from the next resolution on, while the exchanges already on it finish; published again without the mark, it is back.
 */
class DrainingTest {

    @Test
    void aDrainingBackendTakesNoNewRequestsWhileItsExchangeFinishes() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        ScriptedResolver resolver = new ScriptedResolver();
        try (JdkPods pods = JdkPods.start(2);
             FairwayClient client = FairwayClient.newBuilder().resolver(resolver).build()) {
            pods.servers.get(0).createContext("/hold", exchange -> {
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(200, 4);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write("done".getBytes());
                }
            });
            BackendAddress first = address("127.0.0.2", pods.port, false);
            BackendAddress second = address("127.0.0.3", pods.port, false);
            resolver.publishAll(List.of(first));
            URI root = URI.create("http://orders.fairway.test:" + pods.port + "/");
            CompletableFuture<HttpResponse<String>> longOne = client.sendAsync(HttpRequest.newBuilder(root.resolve("/hold")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Await.until("the long request in flight on 127.0.0.2", Duration.ofSeconds(10),
                    () -> client.snapshot().get(0).backends().get(0).inFlight() == 1);

            resolver.publishAll(List.of(address("127.0.0.2", pods.port, true), second)); // 127.0.0.2 is terminating
            int servedBefore = pods.served.get(0);
            for (int i = 0; i < 20; i++) {
                assertEquals("127.0.0.3", client.send(HttpRequest.newBuilder(root).build(), HttpResponse.BodyHandlers.ofString()).body());
            }
            assertEquals(servedBefore, pods.served.get(0), "no new request reached the draining backend");

            hold.countDown();
            assertEquals("done", longOne.get(10, TimeUnit.SECONDS).body(), "its exchange in flight finished");

            resolver.publishAll(List.of(address("127.0.0.2", pods.port, true)));
            NoBackendException e = assertThrows(NoBackendException.class,
                    () -> client.send(HttpRequest.newBuilder(root).build(), HttpResponse.BodyHandlers.ofString()));
            assertEquals(NoBackendException.Reason.NONE_USABLE, e.reason());
            assertTrue(e.getMessage().contains("all 1 backends are draining"), e.getMessage());

            resolver.publishAll(List.of(first, second)); // no longer draining: back in rotation
            boolean reachedFirst = false;
            for (int i = 0; i < 20 && !reachedFirst; i++) {
                reachedFirst = client.send(HttpRequest.newBuilder(root).build(), HttpResponse.BodyHandlers.ofString()).body().equals("127.0.0.2");
            }
            assertTrue(reachedFirst, "127.0.0.2 takes requests again once published without the draining mark");
        }
    }

    private static BackendAddress address(String ip, int port, boolean draining) throws Exception {
        return new BackendAddress(new InetSocketAddress(InetAddress.getByName(ip), port), 1,
                draining ? Map.of(BackendAddress.DRAINING, "true") : Map.of());
    }
}
