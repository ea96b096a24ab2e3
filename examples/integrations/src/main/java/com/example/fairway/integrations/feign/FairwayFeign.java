package com.example.fairway.integrations.feign;

import dev.fairway.FairwayClient;

import feign.Feign;
import feign.Request;
import feign.http2client.Http2Client;

import java.net.http.HttpClient.Redirect;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * OpenFeign over a {@link FairwayClient}, through feign-java11's {@link Http2Client}.
 *
 * <p>The pitfall: for every request, {@code Http2Client} compares the request's {@link Request.Options} with the
 * client it was given, and if they differ it builds a <em>new plain</em> {@code java.net.http.HttpClient} (copying
 * the SSL context and parameters, version, authenticator, cookie handler, executor and proxy) and sends through that,
 * bypassing Fairway. They differ when
 * <ul>
 *   <li>{@code options.isFollowRedirects()} is not {@code client.followRedirects() == Redirect.ALWAYS}
 *       ({@code NORMAL} counts as not following), or</li>
 *   <li>{@code options.connectTimeoutMillis()} is not {@code client.connectTimeout()} in milliseconds (a client
 *       without a connect timeout always differs).</li>
 * </ul>
 * Feign's default {@code Options} (connect timeout 10 s, follow redirects) differ from a default {@code FairwayClient}
 * (2 s, {@code NEVER}) on both counts. {@link #options(FairwayClient, Duration)} builds options that match.
 */
public final class FairwayFeign {

    private FairwayFeign() {
    }

    /**
     * Feign options that make {@code Http2Client} use the given client itself.
     *
     * @param client      the Fairway client
     * @param readTimeout Feign's read timeout, which {@code Http2Client} sets as each request's
     *                    {@link java.net.http.HttpRequest#timeout() timeout} (Feign's default is 60 s); it may be
     *                    anything
     * @return options with the client's connect timeout and redirect policy
     * @throws IllegalArgumentException if the client has no connect timeout ({@code Http2Client} would then always
     *                                  bypass it)
     */
    public static Request.Options options(FairwayClient client, Duration readTimeout) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Duration connectTimeout = client.connectTimeout().orElseThrow(() -> new IllegalArgumentException(
                "the FairwayClient has no connect timeout, so feign's Http2Client would bypass it on every request: "
                        + "give the client one (fairway.connect_timeout)"));
        return new Request.Options(connectTimeout.toMillis(), TimeUnit.MILLISECONDS,
                readTimeout.toMillis(), TimeUnit.MILLISECONDS,
                client.followRedirects() == Redirect.ALWAYS);
    }

    /**
     * A Feign client for {@code api} whose requests go through Fairway.
     *
     * @param client the Fairway client
     * @param api    the Feign interface
     * @param url    the logical base URL, like {@code http://orders:8080}
     * @param <T>    the interface type
     * @return the Feign client
     */
    public static <T> T target(FairwayClient client, Class<T> api, String url) {
        return Feign.builder()
                .client(new Http2Client(client))
                .options(options(client, Duration.ofSeconds(60)))
                .target(api, url);
    }
}
