package com.example.fairway.integrations.spring;

import dev.fairway.FairwayClient;

import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import java.util.Objects;

/**
 * Spring's {@link RestClient} over a {@link FairwayClient}: {@link JdkClientHttpRequestFactory} takes any
 * {@link java.net.http.HttpClient}, and a {@code FairwayClient} is one.
 *
 * <p>Spring sends with {@code sendAsync} and {@code BodyHandlers.ofInputStream()}, so a request stays in flight on its
 * backend until the body stream is read or closed: {@code retrieve().body(...)} and {@code toEntity(...)} do that;
 * with {@code exchange(...)} or a body of type {@code InputStream}, close it yourself.
 */
public final class FairwayRestClients {

    private FairwayRestClients() {
    }

    /**
     * A {@code RestClient} whose requests go through Fairway.
     *
     * @param client  the Fairway client; it keeps its own connect timeout, version and redirect policy (Spring adds
     *                none of its own)
     * @param baseUrl the logical base URL, like {@code http://orders:8080}; its host is resolved by Fairway
     * @return the rest client
     */
    public static RestClient create(FairwayClient client, String baseUrl) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(baseUrl, "baseUrl");
        return RestClient.builder()
                .requestFactory(new JdkClientHttpRequestFactory(client))
                .baseUrl(baseUrl)
                .build();
    }
}
