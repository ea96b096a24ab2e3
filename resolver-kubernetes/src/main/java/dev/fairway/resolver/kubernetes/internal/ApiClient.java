package dev.fairway.resolver.kubernetes.internal;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * The few requests the resolver makes to the API server, with the JDK's {@link HttpClient}: JSON GETs with a
 * bounded body, and watches read line by line with a bounded line. The client trusts only the configured CA (its
 * own {@link SSLContext}, host names verified as {@code HttpClient} always does) and adds the bearer token.
 *
 * <p>Thread-safe.
 */
final class ApiClient implements AutoCloseable {

    private final URI base;
    private final HttpClient http;
    private final TokenSource token;
    private final Duration requestTimeout;
    private final int maxResponseBytes;

    ApiClient(URI base, Optional<Path> caFile, TokenSource token, Duration requestTimeout, int maxResponseBytes,
              Executor executor) throws IOException {
        this.base = base;
        this.token = token;
        this.requestTimeout = requestTimeout;
        this.maxResponseBytes = maxResponseBytes;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(requestTimeout)
                .executor(executor);
        if (base.getScheme().equals("https")) {
            builder.sslContext(sslContext(caFile.orElseThrow()));
        }
        this.http = builder.build();
    }

    /** An {@link SSLContext} whose only trust anchors are the PEM certificates of {@code caFile}. */
    static SSLContext sslContext(Path caFile) throws IOException {
        String key = KubernetesOptions.PREFIX + KubernetesOptions.CA_FILE.key() + " = '" + caFile + "'";
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(caFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IOException(key + " cannot be read (" + e + "): mount the service-account CA there, or set"
                    + " ca_file to the PEM file of the API server's CA", e);
        } catch (GeneralSecurityException e) {
            throw new IOException(key + " holds no valid PEM certificate (" + e.getMessage() + ")", e);
        }
        if (certificates.isEmpty()) {
            throw new IOException(key + " holds no certificate: give the PEM file of the API server's CA");
        }
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certificates) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException(key + ": the trust store cannot be built (" + e + ")", e);
        }
    }

    URI base() {
        return base;
    }

    /**
     * GETs a JSON object.
     *
     * @param path the path and query, starting with {@code /}
     * @return the object; fails with {@link ApiException} for another status than 200, with an {@link IOException}
     *         for a body over {@code max_response_bytes} or malformed JSON
     */
    CompletableFuture<Map<String, Object>> get(String path) {
        HttpRequest request;
        try {
            request = request(path).timeout(requestTimeout).build();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return http.sendAsync(request, info -> new BoundedBody(maxResponseBytes, request.uri()))
                .thenCompose(response -> {
                    String body = new String(response.body(), StandardCharsets.UTF_8);
                    if (response.statusCode() != 200) {
                        return CompletableFuture.failedFuture(refused(request.uri(), response.statusCode(), body));
                    }
                    try {
                        return CompletableFuture.completedFuture(Json.parseObject(body));
                    } catch (Json.MalformedJsonException e) {
                        return CompletableFuture.failedFuture(new IOException("GET " + request.uri() + ": " + e.getMessage(), e));
                    }
                });
    }

    /**
     * Opens a watch and feeds its lines to {@code lines}.
     *
     * @param path  the path and query, starting with {@code /}
     * @param lines the line reader, which also decides when the watch ends
     * @return the future of the response (its body is empty for 200; completes at the end of the stream), or a
     *         failed one; for another status than 200 it fails with {@link ApiException}
     */
    CompletableFuture<HttpResponse<Void>> watch(String path, WatchLines lines) {
        HttpRequest request;
        try {
            request = request(path).build();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return http.sendAsync(request, info -> {
            if (info.statusCode() == 200) {
                return HttpResponse.BodySubscribers.fromSubscriber(lines, s -> null);
            }
            return HttpResponse.BodySubscribers.mapping(new BoundedBody(64 * 1024, request.uri()), bytes -> {
                throw new java.io.UncheckedIOException(refused(request.uri(), info.statusCode(),
                        new String(bytes, StandardCharsets.UTF_8)));
            });
        });
    }

    /** Makes the next request read the token file again (after a 401). */
    void refreshToken() {
        token.invalidate();
    }

    private HttpRequest.Builder request(String path) throws IOException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).GET().header("Accept", "application/json");
        Optional<String> t = token.get();
        t.ifPresent(value -> builder.header("Authorization", "Bearer " + value));
        return builder;
    }

    private static ApiException refused(URI uri, int status, String body) {
        String reason = body;
        try {
            Map<String, Object> statusObject = Json.parseObject(body);
            reason = Json.string(statusObject, "message").orElse(body);
        } catch (Json.MalformedJsonException e) {
            // not a Status object: the body as it is
        }
        reason = reason.length() > 300 ? reason.substring(0, 300) + "…" : reason;
        String hint = switch (status) {
            case 401 -> ": the API server refused the token (token_file)";
            case 403 -> ": the service account lacks a permission; see docs/kubernetes.md for the Role";
            default -> "";
        };
        return new ApiException(status, "GET " + uri + " answered " + status + hint + (reason.isBlank() ? "" : " (" + reason.strip() + ")"));
    }

    @Override
    public void close() {
        http.shutdownNow();
    }

    /** Collects a body up to a bound, and fails beyond it. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final URI uri;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        BoundedBody(int max, URI uri) {
            this.max = max;
            this.uri = uri;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (bytes.size() + b.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new IOException("GET " + uri + ": the response is longer than "
                            + KubernetesOptions.PREFIX + KubernetesOptions.MAX_RESPONSE_BYTES.key() + " = " + max
                            + " bytes: raise it"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}
