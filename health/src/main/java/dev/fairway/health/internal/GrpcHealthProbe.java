package dev.fairway.health.internal;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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

    /** The most characters of server-written text (a status name, a Connect code or message, a body) in a reason. */
    static final int MAX_ECHO = 80;

    /** The serving statuses of {@code grpc.health.v1.HealthCheckResponse}, by number. */
    private static final List<String> STATUS_NAMES = List.of("UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN");

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
        return Probe.linked(client.sendAsync(request, info -> BoundedBody.collecting(MAX_BODY)), (response, failure) -> {
            if (failure != null) {
                return HttpProbe.failed(description, failure, timeout);
            }
            return interpret(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        });
    }

    /**
     * Maps an answer to a result. Total: whatever the body holds, the result names at most {@value #MAX_ECHO}
     * printable characters of server-written text, and nothing is thrown.
     *
     * @param status the HTTP status
     * @param body   the response body, at most {@value #MAX_BODY} bytes decoded
     * @return the result
     */
    ProbeResult interpret(int status, String body) {
        String answered = description + " answered " + status;
        Map<String, Object> json;
        String overLimit = "";
        try {
            json = Json.parseObject(body);
        } catch (IllegalArgumentException e) {
            json = null;
            if (e.getMessage().startsWith("JSON over a limit")) {
                overLimit = " (" + e.getMessage() + ")";
            }
        }
        if (status == 200) {
            if (json == null) {
                return ProbeResult.failed(answered + " with a body that is not a JSON HealthCheckResponse" + overLimit + ": "
                        + snippet(body));
            }
            String serving = servingStatus(json.get("status"));
            return serving.equals("SERVING") ? ProbeResult.passed(description + " answered SERVING")
                    : ProbeResult.failed(description + " answered " + serving);
        }
        String code = json != null && json.get("code") instanceof String c ? c : null;
        String message = json != null && json.get("message") instanceof String m && !m.isBlank() ? printable(m) : null;
        String error = answered + (code != null ? " " + printable(code) : "") + (message != null ? ": " + message : "");
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

    /**
     * The serving status as a name; proto3 JSON omits the default (UNKNOWN) and may write enums as numbers. A name the
     * server wrote is clipped to {@value #MAX_ECHO} printable characters.
     */
    private static String servingStatus(Object value) {
        if (value == null || value == Json.NULL) {
            return "UNKNOWN";
        }
        if (value instanceof String s) {
            return s.isEmpty() ? "UNKNOWN" : printable(s.toUpperCase(Locale.ROOT));
        }
        if (value instanceof BigDecimal n) {
            // compareTo, never toPlainString: a number such as 1e1000 would expand to a thousand digits
            for (int i = 0; i < STATUS_NAMES.size(); i++) {
                if (n.compareTo(BigDecimal.valueOf(i)) == 0) {
                    return STATUS_NAMES.get(i);
                }
            }
            return "status " + printable(n.toString());
        }
        return "status of JSON type " + (value instanceof Boolean ? "boolean" : value instanceof List ? "array" : "object");
    }

    /**
     * Server-written text as it may appear in a reason: control characters replaced by {@code ?}, white space runs
     * as one space, at most {@value #MAX_ECHO} characters (then {@code ...}).
     *
     * @param text the text
     * @return the printable form
     */
    static String printable(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_ECHO + 3));
        boolean space = false;
        for (int i = 0; i < text.length() && sb.length() < MAX_ECHO; i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                space = !sb.isEmpty();
                continue;
            }
            if (space) {
                sb.append(' ');
                space = false;
            }
            sb.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.isSurrogate(c) ? '?' : c);
        }
        return sb.length() >= MAX_ECHO ? sb.append("...").toString() : sb.toString();
    }

    private static String snippet(String body) {
        String oneLine = printable(body);
        return oneLine.isEmpty() ? "(empty)" : "'" + oneLine + "'";
    }
}
