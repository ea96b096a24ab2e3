package com.example.fairway.integrations.boot;

import com.example.fairway.integrations.spring.FairwayRestClients;

import dev.fairway.FairwayClient;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.web.client.RestClient;

/**
 * A Spring Boot application that calls the {@code orders} service through Fairway: one {@link FairwayClient} bean
 * configured from the {@code fairway.*} entries of {@code application.properties}, and a {@link RestClient} over it.
 *
 * <p>A bad {@code fairway.*} value makes {@code build()} throw {@link IllegalArgumentException} naming the key, so the
 * application fails at start-up rather than at its first request.
 */
@SpringBootApplication
public class OrdersApplication {

    /**
     * The Fairway client, closed with the application context ({@code close()} waits for requests in flight).
     *
     * @param environment Spring's environment, holding the {@code fairway.*} keys
     * @return the client
     */
    @Bean(destroyMethod = "close")
    FairwayClient fairwayClient(ConfigurableEnvironment environment) {
        return FairwayClient.newBuilder()
                .configure(FairwayProperties.from(environment))
                .build();
    }

    /**
     * The rest client for the orders service.
     *
     * @param fairwayClient the Fairway client
     * @param baseUrl       {@code orders.base-url}, the logical URL such as {@code http://orders:8080}
     * @return the rest client
     */
    @Bean
    RestClient ordersRestClient(FairwayClient fairwayClient, @Value("${orders.base-url}") String baseUrl) {
        return FairwayRestClients.create(fairwayClient, baseUrl);
    }

    /**
     * Runs the application.
     *
     * @param args Spring Boot's arguments ({@code --fairway.picker=round_robin} and the like)
     */
    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }
}
