package dev.fairway.internal;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * An {@link HttpClient} that sends every request to one backend, through that backend's leaves, for health checks.
 * It follows no redirects, keeps no cookies and is shut down with its {@code FairwayClient}, not on its own.
 */
final class PinnedClient extends HttpClient {

    private final Engine engine;
    private final BackendImpl backend;

    PinnedClient(Engine engine, BackendImpl backend) {
        this.engine = engine;
        this.backend = backend;
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return Optional.empty();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return engine.config().connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return Redirect.NEVER;
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return Optional.empty();
    }

    @Override
    public SSLContext sslContext() {
        return engine.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return engine.sslParametersCopy();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return Optional.empty();
    }

    @Override
    public Version version() {
        return engine.config().version();
    }

    @Override
    public Optional<Executor> executor() {
        return engine.config().executor();
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        return MultiExchange.await(sendAsync(request, handler));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return MultiExchange.sendPinned(engine, backend, request, handler);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
        return MultiExchange.sendPinned(engine, backend, request, handler);
    }

    @Override
    public String toString() {
        return "pinned client of " + backend.address().authority();
    }
}
