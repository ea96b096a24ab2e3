package dev.fairway.internal;

import dev.fairway.spi.BackendAddress;

import javax.net.ssl.SSLSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/**
 * A leaf's response as the caller sees it: the caller's request and URI, the previous hop of a redirect chain,
 * and the backend that served it.
 *
 * @param <T> the body type
 */
public final class FacadeResponse<T> implements HttpResponse<T> {

    private final HttpResponse<T> leaf;
    private final HttpRequest request;
    private final HttpResponse<T> previous;
    private final BackendAddress servedBy;
    private final boolean withBody;

    FacadeResponse(HttpResponse<T> leaf, HttpRequest request, HttpResponse<T> previous, BackendAddress servedBy,
                   boolean withBody) {
        this.leaf = leaf;
        this.request = request;
        this.previous = previous;
        this.servedBy = servedBy;
        this.withBody = withBody;
    }

    /**
     * The backend that served this response.
     *
     * @return the backend's address
     */
    public BackendAddress servedBy() {
        return servedBy;
    }

    @Override
    public int statusCode() {
        return leaf.statusCode();
    }

    @Override
    public HttpRequest request() {
        return request;
    }

    @Override
    public Optional<HttpResponse<T>> previousResponse() {
        return Optional.ofNullable(previous);
    }

    @Override
    public HttpHeaders headers() {
        return leaf.headers();
    }

    @Override
    public T body() {
        return withBody ? leaf.body() : null;
    }

    @Override
    public Optional<SSLSession> sslSession() {
        return leaf.sslSession();
    }

    @Override
    public URI uri() {
        return request.uri();
    }

    @Override
    public HttpClient.Version version() {
        return leaf.version();
    }

    @Override
    public String toString() {
        return "(" + request.method() + " " + request.uri() + ") " + statusCode() + " from " + servedBy.authority();
    }
}
