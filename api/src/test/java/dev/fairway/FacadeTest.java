package dev.fairway;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The facade keeps the caller's view: URIs, requests, redirects, cookies, timeouts, and the in-flight accounting
 * that ends with the body.
 */
class FacadeTest {

    private Pods pods;
    private FairwayClient client;
    private String base;

    @BeforeEach
    void start() {
        pods = Pods.start(3);
        base = "http://orders.fairway.test:" + pods.port;
        client = newClient(HttpClient.Redirect.NEVER, null);
    }

    private FairwayClient newClient(HttpClient.Redirect redirect, CookieManager cookies) {
        FairwayClient.Builder b = FairwayClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(redirect)
                .resolver("static").resolverOption("addresses", pods.addresses())
                .seed(7);
        if (cookies != null) {
            b.cookieHandler(cookies);
        }
        return b.build();
    }

    @AfterEach
    void stop() {
        client.close();
        pods.close();
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).build();
    }

    @Test
    void webSocketsAreRefusedWithAReason() {
        try (FairwayClient client = FairwayClient.newBuilder().resolver("static").resolverOption("addresses", "127.0.0.2").build()) {
            UnsupportedOperationException e = org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                    client::newWebSocketBuilder);
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("does not open WebSockets"), e.getMessage());
        }
    }

    @Test
    void responseShowsTheCallersUriAndRequestAndWhichBackendServed() throws Exception {
        HttpRequest request = request("/orders/42?x=1");
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertEquals(request.uri(), response.uri());
        assertEquals(request, response.request());
        assertTrue(response.previousResponse().isEmpty());
        String servedBy = FairwayClient.servedBy(response).orElseThrow().getAddress().getHostAddress();
        assertEquals(response.body(), servedBy, "the pod that answered is the one servedBy names");
        assertTrue(pods.ips.contains(servedBy));
        var seen = pods.server(servedBy).getAllServeEvents().get(0).getRequest();
        assertEquals("/orders/42?x=1", seen.getUrl());
        assertEquals("orders.fairway.test:" + pods.port, seen.getHeader("Host"));
    }

    @Test
    void requestsRotateOverAllBackends() throws Exception {
        for (int i = 0; i < 30; i++) {
            client.send(request("/"), HttpResponse.BodyHandlers.discarding());
        }
        assertEquals(List.of(10, 10, 10), pods.requestCounts());
    }

    @Test
    void servedByNamesTheBackendByAddressWhateverTheResolverKeptOfTheName() throws Exception {
        ScriptedResolver resolver = new ScriptedResolver();
        // as the dns resolver in system mode publishes: addresses that remember the host name they were found for
        resolver.publishAll(List.of(new dev.fairway.spi.BackendAddress(new java.net.InetSocketAddress(
                java.net.InetAddress.getByAddress("orders.fairway.test", new byte[] {127, 0, 0, 2}), pods.port), 1, java.util.Map.of())));
        try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver).build()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://orders.fairway.test:" + pods.port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("/127.0.0.2:" + pods.port, FairwayClient.servedBy(r).orElseThrow().toString());
        }
        // IPv6 (loopback, a server of its own): no host name, and no "%0" for an address without a scope
        com.sun.net.httpserver.HttpServer v6 = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getByName("::1"), 0), 10);
        v6.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        v6.start();
        try {
            int port = v6.getAddress().getPort();
            resolver.publishAll(List.of(new dev.fairway.spi.BackendAddress(new java.net.InetSocketAddress(
                    java.net.InetAddress.getByAddress("orders.fairway.test", java.net.InetAddress.getByName("::1").getAddress()), port),
                    1, java.util.Map.of())));
            try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).resolver(resolver).build()) {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create("http://orders.fairway.test:" + port + "/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                assertEquals("/[0:0:0:0:0:0:0:1]:" + port, FairwayClient.servedBy(r).orElseThrow().toString());
            }
        } finally {
            v6.stop(0);
        }
    }

    @Test
    void servedByIsEmptyForAPlainClientsResponse() throws Exception {
        try (HttpClient plain = HttpClient.newHttpClient()) {
            HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.2:" + pods.port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(FairwayClient.servedBy(r).isEmpty());
        }
    }

    @Test
    void redirectsAreFollowedAtTheFacadeEachHopBalancedAndCredentialsNotCarriedAcrossOrigins() throws Exception {
        client.close();
        client = newClient(HttpClient.Redirect.NORMAL, null);
        for (var s : pods.servers) {
            s.stubFor(get(urlEqualTo("/start")).willReturn(aResponse().withStatus(302).withHeader("Location", "/middle")));
            s.stubFor(get(urlEqualTo("/middle")).willReturn(aResponse().withStatus(307)
                    .withHeader("Location", "http://other.fairway.test:" + pods.port + "/end")));
            s.stubFor(get(urlEqualTo("/end")).willReturn(aResponse().withStatus(200).withBody("end")));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/start"))
                .header("Authorization", "Bearer secret").header("X-Trace", "t1").build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertEquals("end", response.body());
        assertEquals(URI.create("http://other.fairway.test:" + pods.port + "/end"), response.uri());
        HttpResponse<String> middle = response.previousResponse().orElseThrow();
        assertEquals(URI.create(base + "/middle"), middle.uri());
        assertEquals(307, middle.statusCode());
        HttpResponse<String> first = middle.previousResponse().orElseThrow();
        assertEquals(request, first.request());
        assertEquals(302, first.statusCode());
        assertTrue(first.previousResponse().isEmpty());

        List<String> hops = new ArrayList<>();
        String authAtEnd = null;
        String authAtMiddle = null;
        for (var s : pods.servers) {
            for (var e : s.getAllServeEvents()) {
                hops.add(e.getRequest().getUrl() + "@" + e.getRequest().getHeader("Host"));
                if (e.getRequest().getUrl().equals("/end")) {
                    authAtEnd = e.getRequest().getHeader("Authorization");
                    assertEquals("t1", e.getRequest().getHeader("X-Trace"));
                }
                if (e.getRequest().getUrl().equals("/middle")) {
                    authAtMiddle = e.getRequest().getHeader("Authorization");
                }
            }
        }
        assertEquals(3, hops.size(), hops.toString());
        assertEquals("Bearer secret", authAtMiddle, "same origin keeps Authorization");
        assertEquals(null, authAtEnd, "another origin never gets Authorization");
        assertTrue(hops.contains("/end@other.fairway.test:" + pods.port), hops.toString());
        assertTrue(!FairwayClient.servedBy(first).equals(FairwayClient.servedBy(middle)),
                "the two hops to the same target were balanced again, so round robin sent them to different pods");
    }

    @Test
    void redirectPolicyNeverReturnsTheRedirect() throws Exception {
        for (var s : pods.servers) {
            s.stubFor(get(urlEqualTo("/start")).willReturn(aResponse().withStatus(302).withHeader("Location", "/end")));
        }
        HttpResponse<String> response = client.send(request("/start"), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, response.statusCode());
        assertEquals(List.of(1), pods.requestCounts().stream().filter(c -> c > 0).toList());
    }

    @Test
    void seeOtherTurnsPostIntoGetWithoutBody() throws Exception {
        client.close();
        client = newClient(HttpClient.Redirect.NORMAL, null);
        for (var s : pods.servers) {
            s.stubFor(post(urlEqualTo("/form")).willReturn(aResponse().withStatus(303).withHeader("Location", "/done")));
            s.stubFor(get(urlEqualTo("/done")).willReturn(aResponse().withStatus(200).withBody("done")));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/form")).POST(HttpRequest.BodyPublishers.ofString("a=1")).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals("done", response.body());
        assertEquals("GET", response.request().method());
        assertEquals("POST", response.previousResponse().orElseThrow().request().method());
    }

    @Test
    void cookiesAreStoredAndSentForTheLogicalHost() throws Exception {
        CookieManager cookies = new CookieManager(null, java.net.CookiePolicy.ACCEPT_ALL);
        client.close();
        client = newClient(HttpClient.Redirect.NEVER, cookies);
        for (var s : pods.servers) {
            s.stubFor(get(urlEqualTo("/login")).willReturn(aResponse().withStatus(200).withHeader("Set-Cookie", "session=abc; Path=/")));
        }
        client.send(request("/login"), HttpResponse.BodyHandlers.discarding());
        assertEquals("orders.fairway.test", cookies.getCookieStore().getCookies().get(0).getDomain().replaceFirst("^\\.", ""));

        client.send(request("/next"), HttpResponse.BodyHandlers.discarding());
        String cookieHeader = null;
        for (var s : pods.servers) {
            for (var e : s.getAllServeEvents()) {
                if (e.getRequest().getUrl().equals("/next")) {
                    cookieHeader = e.getRequest().getHeader("Cookie");
                }
            }
        }
        assertEquals("session=abc", cookieHeader, "the cookie reaches another backend of the same logical host");
    }

    @Test
    void requestTimeoutFailsWithHttpTimeoutExceptionAndReleasesLoad() {
        for (var s : pods.servers) {
            s.stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(2_000)));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/slow")).timeout(Duration.ofMillis(200)).build();
        IOException e = assertThrows(IOException.class, () -> client.send(request, HttpResponse.BodyHandlers.ofString()));
        assertInstanceOf(HttpTimeoutException.class, e);
        Await.until("in-flight released", Duration.ofSeconds(5), () -> Introspect.inFlight(client) == 0);
    }

    @Test
    void loadIsHeldUntilTheBodyCompletesNotWhenHeadersArrive() throws Exception {
        for (var s : pods.servers) {
            s.stubFor(get(urlEqualTo("/big")).willReturn(aResponse().withStatus(200).withBody(new byte[4 << 20])));
        }
        HttpResponse<InputStream> response = client.send(request("/big"), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(1, Introspect.inFlight(client), "headers arrived, 4 MiB body unread: still in flight");
        try (InputStream body = response.body()) {
            assertEquals(4 << 20, body.readAllBytes().length);
        }
        Await.until("in-flight released after the body was read", Duration.ofSeconds(5), () -> Introspect.inFlight(client) == 0);
    }

    @Test
    void closingAnUnreadInputStreamReleasesLoad() throws Exception {
        for (var s : pods.servers) {
            s.stubFor(get(urlEqualTo("/big")).willReturn(aResponse().withStatus(200).withBody(new byte[4 << 20])));
        }
        HttpResponse<InputStream> response = client.send(request("/big"), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(1, Introspect.inFlight(client));
        response.body().close();
        Await.until("in-flight released after close", Duration.ofSeconds(5), () -> Introspect.inFlight(client) == 0);
    }

    @Test
    void publisherBodyReleasesLoadWhenCancelled() throws Exception {
        for (var s : pods.servers) {
            s.stubFor(get(urlEqualTo("/big")).willReturn(aResponse().withStatus(200).withBody(new byte[4 << 20])));
        }
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = client.send(request("/big"), HttpResponse.BodyHandlers.ofPublisher());
        assertEquals(1, Introspect.inFlight(client));
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        response.body().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(1);
                subscription.cancel();
                cancelled.complete(null);
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
            }

            @Override
            public void onError(Throwable throwable) {
            }

            @Override
            public void onComplete() {
            }
        });
        cancelled.get(5, TimeUnit.SECONDS);
        Await.until("in-flight released after cancel", Duration.ofSeconds(5), () -> Introspect.inFlight(client) == 0);
    }

    @Test
    void cancellingSendAsyncBeforeTheResponseReleasesLoad() throws Exception {
        for (var s : pods.servers) {
            s.stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(3_000)));
        }
        CompletableFuture<HttpResponse<String>> future = client.sendAsync(request("/slow"), HttpResponse.BodyHandlers.ofString());
        Await.until("request in flight", Duration.ofSeconds(5), () -> Introspect.inFlight(client) == 1);
        assertTrue(future.cancel(true));
        assertThrows(CancellationException.class, future::join);
        Await.until("in-flight released after cancel", Duration.ofSeconds(5), () -> Introspect.inFlight(client) == 0);
    }

    @Test
    void nullArgumentsFailAtTheCall() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> client.sendAsync(request("/"), null));
        assertEquals("responseBodyHandler", e.getMessage());
        assertThrows(NullPointerException.class, () -> client.sendAsync(null, HttpResponse.BodyHandlers.discarding()));
    }

    @Test
    void sendRethrowsWithTheCallersStack() throws Exception {
        for (var s : pods.servers) {
            s.stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(2_000)));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/slow")).timeout(Duration.ofMillis(100)).build();
        HttpTimeoutException e = assertThrows(HttpTimeoutException.class, () -> client.send(request, HttpResponse.BodyHandlers.discarding()));
        assertTrue(e.getStackTrace()[0].getClassName().startsWith("dev.fairway"), "stack of the calling thread");
        assertFalse(e.getCause() == null, "the original failure is the cause");
        ExecutionException async = assertThrows(ExecutionException.class,
                () -> client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).get());
        assertInstanceOf(HttpTimeoutException.class, async.getCause());
    }
    @Test
    void interruptingABlockingSendCancelsTheExchangeAndReleasesLoad() throws Exception {
        for (var s : pods.servers) {
            s.stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(3_000)));
        }
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofPlatform().name("blocking-caller").start(() -> {
            try {
                client.send(request("/slow"), HttpResponse.BodyHandlers.ofString());
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        Await.until("request in flight", Duration.ofSeconds(5), () -> Introspect.inFlight(client) == 1);
        caller.interrupt();
        assertInstanceOf(InterruptedException.class, outcome.get(2, TimeUnit.SECONDS), "send throws at once, not after 3 s");
        Await.until("in-flight released after the interrupt", Duration.ofSeconds(5), () -> Introspect.inFlight(client) == 0);
        assertEquals(200, client.send(request("/"), HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    void aThreadInterruptedBeforeSendSendsNothing() {
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> client.send(request("/"), HttpResponse.BodyHandlers.discarding()));
        assertFalse(Thread.currentThread().isInterrupted(), "the interrupt is consumed, as HttpClient.send does");
        assertEquals(List.of(0, 0, 0), pods.requestCounts());
    }

    /**
     * Counts the tasks handed to an executor because of how an exchange was called, not because the socket had
     * something to say: {@code sendAsync} starting the exchange on the executor ({@code MultiExchange.responseAsync}),
     * and the JDK calling the {@code getBody} of a body subscriber it does not trust (any but its own) on the executor
     * ({@code ResponseSubscribers.getBodyAsync}). {@code HttpClient.send} with the JDK's own subscribers hands off
     * neither. The other hand-offs (the selector thread passing reads and writes on) depend on timing and are not
     * counted.
     */
    private static final class CallingStyleHandOffs implements java.util.concurrent.Executor {
        private final ExecutorService pool;
        final AtomicInteger count = new AtomicInteger();

        CallingStyleHandOffs(ExecutorService pool) {
            this.pool = pool;
        }

        @Override
        public void execute(Runnable task) {
            boolean callingStyle = StackWalker.getInstance().walk(frames -> frames.anyMatch(f ->
                    f.getClassName().equals("jdk.internal.net.http.MultiExchange") && f.getMethodName().equals("responseAsync")
                            || f.getClassName().equals("jdk.internal.net.http.ResponseSubscribers") && f.getMethodName().equals("getBodyAsync")));
            if (callingStyle) {
                count.incrementAndGet();
            }
            pool.execute(task);
        }
    }

    /**
     * Fairway's {@code send} keeps the JDK's {@code send} behaviour: the exchange runs on the calling thread until it
     * must wait for the socket, and the JDK's own body subscribers reach the leaf unwrapped. Otherwise every request
     * would take one or two more thread hand-offs than a plain client's (pinned here for the JDK too).
     */
    @Test
    void blockingSendHandsNothingToTheExecutorThatAPlainClientsSendDoesNot() throws Exception {
        try (ExecutorService pool = Executors.newCachedThreadPool()) {
            CallingStyleHandOffs fairwayTasks = new CallingStyleHandOffs(pool);
            CallingStyleHandOffs plainTasks = new CallingStyleHandOffs(pool);
            try (FairwayClient fairway = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                         .resolver("static").resolverOption("addresses", "127.0.0.2").executor(fairwayTasks).build();
                 HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                         .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.2", pods.port))).executor(plainTasks).build()) {
                HttpRequest request = request("/");
                int requests = 20;
                for (int i = 0; i < requests; i++) {
                    assertEquals(200, fairway.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
                    assertEquals(200, fairway.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
                    assertEquals(200, plain.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
                }
                assertEquals(0, plainTasks.count.get(), "the JDK's send with its own subscriber");
                assertEquals(0, fairwayTasks.count.get(), "Fairway's send with the JDK's subscribers");

                for (int i = 0; i < requests; i++) {
                    plain.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(5, TimeUnit.SECONDS);
                }
                assertTrue(plainTasks.count.get() >= requests, "the JDK's sendAsync starts each exchange on the executor: "
                        + plainTasks.count.get() + " hand-offs for " + requests + " requests");
                fairwayTasks.count.set(0);
                HttpResponse.BodyHandler<String> notTheJdks = info -> HttpResponse.BodySubscribers.mapping(
                        HttpResponse.BodySubscribers.ofString(java.nio.charset.StandardCharsets.UTF_8), String::trim);
                for (int i = 0; i < requests; i++) {
                    assertEquals(200, fairway.send(request, notTheJdks).statusCode());
                }
                // a subscriber of the caller's that Fairway must wrap (mapping is not among the unwrapped): one hand-off
                assertTrue(fairwayTasks.count.get() >= requests, "a wrapped subscriber's getBody runs on the executor: "
                        + fairwayTasks.count.get() + " hand-offs for " + requests + " requests");
            }
        }
    }
}
