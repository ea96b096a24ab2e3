package dev.fairway.resolver.kubernetes.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Test plumbing only: the fabric8 mock serves watches over WebSocket alone, while the resolver (like kubectl and
 * client-go) reads the API server's chunked HTTP watch. This bridge forwards GETs as they are and turns each WebSocket
 * watch message of the mock into one line of a chunked HTTP response, so that the resolver's watch runs against the
 * mock's CRUD state, resourceVersions and events unchanged.
 */
final class WatchBridge implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpClient client;
    private final URI mock;

    WatchBridge(URI mock, SSLContext trustMock) throws IOException {
        this.mock = mock;
        this.client = HttpClient.newBuilder().sslContext(trustMock).build();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI target = mock.resolve(exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (target.getRawQuery() != null && target.getRawQuery().contains("watch=true")) {
                watch(exchange, target, auth);
                return;
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(target).GET();
            if (auth != null) {
                request.header("Authorization", auth);
            }
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
            exchange.getResponseBody().write(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void watch(HttpExchange exchange, URI target, String auth) throws IOException, InterruptedException {
        URI ws = URI.create(target.toString().replaceFirst("^http", "ws"));
        CompletableFuture<Void> closed = new CompletableFuture<>();
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        StringBuilder message = new StringBuilder();
        WebSocket.Builder builder = client.newWebSocketBuilder();
        if (auth != null) {
            builder.header("Authorization", auth);
        }
        WebSocket socket;
        try {
            socket = builder.buildAsync(ws, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    message.append(data);
                    if (last) {
                        try {
                            out.write((message.toString().strip() + "\n").getBytes(StandardCharsets.UTF_8));
                            out.flush();
                        } catch (IOException e) {
                            closed.complete(null);
                        }
                        message.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                    closed.complete(null);
                    return null;
                }

                @Override
                public void onError(WebSocket webSocket, Throwable error) {
                    closed.complete(null);
                }
            }).join();
        } catch (RuntimeException e) {
            return;                                                    // the stream ends at once
        }
        try {
            closed.join();
        } finally {
            socket.abort();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
