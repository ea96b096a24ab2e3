package dev.fairway.health.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Sends one HTTP request per probe and passes when the status is one of the expected ones. The body is read and
 * discarded, so the connection can be reused; after {@value #MAX_BODY} bytes the probe stops reading, judges the
 * status alone and lets the connection go (a body that never ends within the timeout still fails the probe).
 */
final class HttpProbe implements Probe {

    /** The most body bytes a probe reads. */
    static final int MAX_BODY = 64 * 1024;

    private final HttpClient client;
    private final HttpRequest request;
    private final StatusRanges expected;
    private final String description;
    private final Duration timeout;

    /**
     * A probe.
     *
     * @param client   the client pinned to the backend
     * @param uri      the probe URI, on the target's authority
     * @param method   the method, sent without a body
     * @param expected the statuses that pass
     * @param headers  extra request headers
     * @param timeout  the request timeout
     */
    HttpProbe(HttpClient client, URI uri, String method, StatusRanges expected, List<ProbeHeader> headers, Duration timeout) {
        this.client = Objects.requireNonNull(client, "client");
        this.expected = Objects.requireNonNull(expected, "expected");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).timeout(timeout);
        headers.forEach(h -> b.header(h.name(), h.value()));
        this.request = b.build();
        this.description = method + " " + pathOf(uri);
    }

    /** The path and query of {@code uri}, as written: {@code /healthz?full=1}. */
    static String pathOf(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public CompletableFuture<ProbeResult> start() {
        return Probe.linked(client.sendAsync(request, info -> BoundedBody.discarding(MAX_BODY)), (response, failure) -> {
            if (failure != null) {
                return failed(description, failure, timeout);
            }
            String answered = description + " answered " + response.statusCode()
                    + (response.body() ? " (body over " + MAX_BODY + " bytes, not read further)" : "");
            return expected.contains(response.statusCode()) ? ProbeResult.passed(answered) : ProbeResult.failed(answered);
        });
    }

    /**
     * The result of a request that failed: "timed out after ..." for the request timeout, otherwise "failed:" and
     * the exception.
     *
     * @param description the probe's description
     * @param failure     the failure, possibly wrapped
     * @param timeout     the request timeout
     * @return the failed result
     */
    static ProbeResult failed(String description, Throwable failure, Duration timeout) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
            return ProbeResult.failed(description + " timed out after " + Durations.format(timeout));
        }
        return ProbeResult.failed(description + " failed: " + ActiveHealthCheck.describe(cause));
    }
}
