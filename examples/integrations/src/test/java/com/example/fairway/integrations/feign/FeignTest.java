package com.example.fairway.integrations.feign;

import com.example.fairway.integrations.Pods;

import dev.fairway.BackendSnapshot;
import dev.fairway.FairwayClient;

import feign.Feign;
import feign.Request;
import feign.RetryableException;
import feign.Retryer;
import feign.http2client.Http2Client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpClient.Redirect;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FeignTest {

    @Test
    void feignRequestsSpreadEvenlyOverEveryPod() throws Exception {
        try (Pods pods = Pods.start(3); FairwayClient fairway = pods.fairwayClient()) {
            OrdersApi orders = FairwayFeign.target(fairway, OrdersApi.class, pods.baseUrl());

            Map<String, Integer> answeredBy = new TreeMap<>();
            for (int i = 0; i < 30; i++) {
                answeredBy.merge(orders.order(i), 1, Integer::sum);
            }

            assertEquals(pods.evenly(10), pods.served(), "requests each pod served");
            assertEquals(pods.evenly(10), answeredBy, "which pod each response came from");
            assertEquals(30, requestsThroughFairway(fairway));
        }
    }

    /** Http2Client compares "follow redirects" with {@code followRedirects() == ALWAYS}: NORMAL counts as not following. */
    @ParameterizedTest
    @EnumSource(Redirect.class)
    void matchingOptionsKeepFeignOnFairwayWhateverTheRedirectPolicy(Redirect policy) throws Exception {
        try (Pods pods = Pods.start(3);
             FairwayClient fairway = FairwayClient.newBuilder()
                     .resolver("static").resolverOption("addresses", pods.addresses())
                     .version(HttpClient.Version.HTTP_1_1)
                     .followRedirects(policy)
                     .connectTimeout(Duration.ofMillis(1500))
                     .build()) {
            OrdersApi orders = FairwayFeign.target(fairway, OrdersApi.class, pods.baseUrl());
            for (int i = 0; i < 6; i++) {
                orders.order(i);
            }
            assertEquals(pods.evenly(2), pods.served());
            assertEquals(6, requestsThroughFairway(fairway));
        }
    }

    /**
     * The pitfall, pinned: with options that differ from the client, feign-java11 sends through a plain HttpClient of
     * its own, which cannot resolve the logical host; Fairway sees nothing. If Feign ever stops doing this, this test
     * fails and docs/integrations.md needs updating.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"feign defaults (10 s, follow)", "only redirects differ", "only connect timeout differs"})
    void optionsThatDifferFromTheClientBypassFairway(String which) throws Exception {
        try (Pods pods = Pods.start(3); FairwayClient fairway = pods.fairwayClient()) {
            long connectMillis = fairway.connectTimeout().orElseThrow().toMillis();
            Request.Options options = switch (which) {
                case "feign defaults (10 s, follow)" -> new Request.Options();
                case "only redirects differ" -> new Request.Options(connectMillis, TimeUnit.MILLISECONDS, 60, TimeUnit.SECONDS, true);
                default -> new Request.Options(connectMillis + 1, TimeUnit.MILLISECONDS, 60, TimeUnit.SECONDS, false);
            };
            OrdersApi orders = Feign.builder()
                    .client(new Http2Client(fairway))
                    .options(options)
                    .retryer(Retryer.NEVER_RETRY)
                    .target(OrdersApi.class, pods.baseUrl());

            RetryableException failure = assertThrows(RetryableException.class, () -> orders.order(1));

            // the plain client tried to resolve orders.fairway.test itself, and failed
            assertInstanceOf(ConnectException.class, failure.getCause(), failure::toString);
            assertInstanceOf(UnresolvedAddressException.class, rootCause(failure), failure::toString);
            assertEquals(0, pods.servedTotal());
            assertEquals(0, requestsThroughFairway(fairway));
        }
    }

    private static long requestsThroughFairway(FairwayClient fairway) {
        return fairway.snapshot().stream().flatMap(t -> t.backends().stream()).mapToLong(BackendSnapshot::requests).sum();
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root;
    }
}
