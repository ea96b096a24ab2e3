package dev.fairway.resolver.kubernetes.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted Kubernetes API server for the cases a CRUD mock cannot produce: 410 on a watch, bookmarks, a watch that
 * stalls, a refused token, an outage. The JDK's HTTP(S) server; the test sets the answers and drives each watch
 * stream line by line.
 */
final class ScriptedApiServer implements AutoCloseable {

    /** One request as the server saw it. */
    record Request(String path, Map<String, String> query, String authorization) {
    }

    /** An open watch stream, driven by the test. */
    static final class Watch {
        final Request request;
        private final OutputStream out;
        private final CountDownLatch ended = new CountDownLatch(1);

        Watch(Request request, OutputStream out) {
            this.request = request;
            this.out = out;
        }

        /** Sends one event line. */
        void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Sends raw bytes, without a newline. */
        void sendRaw(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Ends the stream cleanly, as the API server does at timeoutSeconds. */
        void end() {
            ended.countDown();
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final BlockingQueue<Watch> watches = new LinkedBlockingQueue<>();
    private final List<Request> requests = new ArrayList<>();
    volatile String token;                      // null: no check
    volatile String service = K8s.service("orders", "http:80:8080");
    volatile String list = K8s.list("100", List.of());
    volatile int listStatus = 200;
    volatile int watchStatus = 200;
    private boolean closed;

    private ScriptedApiServer(HttpServer server) {
        this.server = server;
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    static ScriptedApiServer http() throws IOException {
        return new ScriptedApiServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50));
    }

    static ScriptedApiServer https(SSLContext context) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        return new ScriptedApiServer(server);
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String host) {
        return (server instanceof HttpsServer ? "https" : "http") + "://" + host + ":" + port();
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The next watch the resolver opens, waiting up to {@code timeout}. */
    Watch nextWatch(Duration timeout) throws InterruptedException {
        Watch w = watches.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (w == null) {
            throw new AssertionError("no watch request within " + timeout + "; requests: " + requests());
        }
        return w;
    }

    private void handle(HttpExchange exchange) throws IOException {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        Request request = new Request(exchange.getRequestURI().getPath(), query,
                exchange.getRequestHeaders().getFirst("Authorization"));
        synchronized (this) {
            requests.add(request);
        }
        try (exchange) {
            String expected = token;
            if (expected != null && !("Bearer " + expected).equals(request.authorization())) {
                reply(exchange, 401, "{\"kind\":\"Status\",\"message\":\"Unauthorized\",\"code\":401}");
                return;
            }
            if (request.path().startsWith("/api/v1/namespaces/shop/services/")) {
                String s = service;
                reply(exchange, s == null ? 404 : 200, s == null ? "{\"kind\":\"Status\",\"message\":\"not found\",\"code\":404}" : s);
            } else if (request.path().equals("/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices")) {
                if ("true".equals(query.get("watch"))) {
                    if (watchStatus != 200) {
                        reply(exchange, watchStatus, "{\"kind\":\"Status\",\"message\":\"scripted " + watchStatus + "\",\"code\":"
                                + watchStatus + "}");
                        return;
                    }
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, 0);
                    Watch w = new Watch(request, exchange.getResponseBody());
                    watches.add(w);
                    w.ended.await();
                } else {
                    reply(exchange, listStatus, listStatus == 200 ? list : "{\"kind\":\"Status\",\"message\":\"scripted\"}");
                }
            } else {
                reply(exchange, 404, "{}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Stops at once, dropping open connections: the API server becomes unreachable. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Watch w;
        while ((w = watches.poll()) != null) {
            w.end();
        }
        server.stop(0);
        executor.shutdownNow();
    }
}
