package dev.fairway.health.internal;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Calls {@code grpc.health.v1.Health/Check} with the Connect protocol's unary JSON encoding and reads the serving
 * status. See {@link GrpcHealthCheckProvider} for how answers map to results.
 */
final class GrpcHealthProbe implements Probe {

    /** The procedure's path. */
    static final String PATH = "/grpc.health.v1.Health/Check";

    /** The largest response body read; a health response is a few bytes. */
    static final int MAX_BODY = 64 * 1024;

    private final HttpClient client;
    private final HttpRequest request;
    private final String service;
    private final boolean unimplementedIsHealthy;
    private final Duration timeout;
    private final String description;

    /**
     * A probe.
     *
     * @param client                 the client pinned to the backend
     * @param root                   the target's root URI
     * @param service                the service name to ask about; empty for the server as a whole
     * @param unimplementedIsHealthy whether a server without health checking passes
     * @param timeout                the request timeout, also sent as {@code Connect-Timeout-Ms}
     */
    GrpcHealthProbe(HttpClient client, URI root, String service, boolean unimplementedIsHealthy, Duration timeout) {
        this.client = Objects.requireNonNull(client, "client");
        this.service = Objects.requireNonNull(service, "service");
        this.unimplementedIsHealthy = unimplementedIsHealthy;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.request = HttpRequest.newBuilder(root.resolve(PATH))
                .POST(HttpRequest.BodyPublishers.ofString("{\"service\":" + Json.quote(service) + "}", StandardCharsets.UTF_8))
                .header("Content-Type", "application/json")
                .header("Connect-Protocol-Version", "1")
                .header("Connect-Timeout-Ms", Long.toString(Math.max(1, timeout.toMillis())))
                .timeout(timeout)
                .build();
        this.description = "POST " + PATH + (service.isEmpty() ? "" : " for service '" + service + "'");
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public CompletableFuture<ProbeResult> start() {
        return Probe.linked(client.sendAsync(request, info -> new BoundedBody(MAX_BODY)), (response, failure) -> {
            if (failure != null) {
                return HttpProbe.failed(description, failure, timeout);
            }
            return interpret(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        });
    }

    /**
     * Maps an answer to a result.
     *
     * @param status the HTTP status
     * @param body   the response body
     * @return the result
     */
    ProbeResult interpret(int status, String body) {
        String answered = description + " answered " + status;
        Map<String, Object> json;
        try {
            json = Json.parseObject(body);
        } catch (IllegalArgumentException e) {
            json = null;
        }
        if (status == 200) {
            if (json == null) {
                return ProbeResult.failed(answered + " with a body that is not a JSON HealthCheckResponse: " + snippet(body));
            }
            String serving = servingStatus(json.get("status"));
            return serving.equals("SERVING") ? ProbeResult.passed(description + " answered SERVING")
                    : ProbeResult.failed(description + " answered " + serving);
        }
        String code = json != null && json.get("code") instanceof String c ? c : null;
        String message = json != null && json.get("message") instanceof String m && !m.isBlank() ? m : null;
        String error = answered + (code != null ? " " + code : "") + (message != null ? ": " + message : "");
        if ("unimplemented".equals(code) || code == null && (status == 404 || status == 501)) {
            String verdict = error + " (the server does not implement gRPC health checking; treated as "
                    + (unimplementedIsHealthy ? "healthy" : "unhealthy") + ", see fairway.health.unimplemented)";
            return unimplementedIsHealthy ? ProbeResult.passed(verdict) : ProbeResult.failed(verdict);
        }
        if ("not_found".equals(code)) {
            return ProbeResult.failed(error + " (the server does not know service '" + service + "')");
        }
        if (code == null && status == 415) {
            return ProbeResult.failed(error + " (the server does not accept Connect's JSON encoding; is it gRPC-only?)");
        }
        return ProbeResult.failed(error);
    }

    /** The serving status as a name; proto3 JSON omits the default (UNKNOWN) and may write enums as numbers. */
    private static String servingStatus(Object value) {
        if (value == null || value == Json.NULL) {
            return "UNKNOWN";
        }
        if (value instanceof String s) {
            return s.isEmpty() ? "UNKNOWN" : s.toUpperCase(Locale.ROOT);
        }
        if (value instanceof BigDecimal n) {
            return switch (n.stripTrailingZeros().toPlainString()) {
                case "0" -> "UNKNOWN";
                case "1" -> "SERVING";
                case "2" -> "NOT_SERVING";
                case "3" -> "SERVICE_UNKNOWN";
                default -> "status " + n.toPlainString();
            };
        }
        return "status " + value;
    }

    private static String snippet(String body) {
        String oneLine = body.replaceAll("\\s+", " ").strip();
        return oneLine.isEmpty() ? "(empty)" : "'" + (oneLine.length() > 80 ? oneLine.substring(0, 80) + "..." : oneLine) + "'";
    }
}
