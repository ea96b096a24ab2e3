package com.example.fairway.integrations.boot;

import com.example.fairway.integrations.Pods;

import dev.fairway.BackendSnapshot;
import dev.fairway.FairwayClient;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The application's beans, built from src/test/resources/application.properties, against three local pods. */
@SpringBootTest(classes = OrdersApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext // close the context, and with it the FairwayClient bean, after this class
class OrdersApplicationTest {

    private static Pods pods;

    @Autowired
    private FairwayClient fairway;

    @Autowired
    private RestClient ordersRestClient;

    @BeforeAll
    static void startPods() throws IOException {
        pods = Pods.start(3);
    }

    @AfterAll
    static void stopPods() {
        pods.close();
    }

    @DynamicPropertySource
    static void podsPort(DynamicPropertyRegistry registry) {
        registry.add("orders.port", () -> pods.port());
    }

    @Test
    void fairwayClientBeanIsConfiguredFromApplicationProperties() {
        assertEquals(HttpClient.Version.HTTP_1_1, fairway.version());
        assertEquals(Optional.of(Duration.ofSeconds(2)), fairway.connectTimeout());
    }

    @Test
    void restClientBeanSpreadsRequestsEvenlyOverEveryPod() {
        int before = pods.servedTotal();
        for (int i = 0; i < 30; i++) {
            ordersRestClient.get().uri("/orders/{id}", i).retrieve().body(String.class);
        }
        assertEquals(30, pods.servedTotal() - before);
        // other tests of this class send no requests, so the counts are this test's
        assertEquals(pods.evenly(10), pods.served(), "requests each pod served");
        assertEquals(30, fairway.snapshot().stream().flatMap(t -> t.backends().stream())
                .mapToLong(BackendSnapshot::requests).sum());
    }
}
