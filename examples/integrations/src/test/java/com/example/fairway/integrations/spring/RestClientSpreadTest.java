package com.example.fairway.integrations.spring;

import com.example.fairway.integrations.Pods;

import dev.fairway.BackendSnapshot;
import dev.fairway.FairwayClient;

import org.junit.jupiter.api.Test;
import org.springframework.web.client.RestClient;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RestClientSpreadTest {

    @Test
    void restClientRequestsSpreadEvenlyOverEveryPod() throws Exception {
        try (Pods pods = Pods.start(3); FairwayClient fairway = pods.fairwayClient()) {
            RestClient rest = FairwayRestClients.create(fairway, pods.baseUrl());

            Map<String, Integer> answeredBy = new TreeMap<>();
            for (int i = 0; i < 30; i++) {
                String ip = rest.get().uri("/orders/{id}", i).retrieve().body(String.class);
                answeredBy.merge(ip, 1, Integer::sum);
            }

            assertEquals(pods.evenly(10), pods.served(), "requests each pod served");
            assertEquals(pods.evenly(10), answeredBy, "which pod each response came from");
            // Fairway sent them (the host name resolves nowhere else), and every body was read: nothing left in flight
            assertEquals(30, fairway.snapshot().stream().flatMap(t -> t.backends().stream())
                    .mapToLong(BackendSnapshot::requests).sum());
            assertEquals(0, fairway.snapshot().getFirst().inFlight());
        }
    }
}
