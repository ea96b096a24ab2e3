package dev.fairway;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The messages README and docs/ quote are the messages the code gives: each quote is looked up in its page, then the
 * failure it describes is produced and its message must match the quote, where {@code …} (or {@code ...}) stands for
 * any text and a lone {@code N} for a number. Where a quote holds an example value (a host, a port, a limit), the test
 * names it and what it produced instead. The quotes of the guide's message tables must all be checked here: a row
 * added without a check fails {@link #everyQuoteOfTheGuidesMessageTablesIsCheckedHere}.
 */
class DocumentedMessagesTest {

    // --- docs/guide.md, "Errors at build time"
    static final String UNKNOWN_PROVIDER = "picker 'ring_hash' is not available; available: least_conn, least_loaded, peak_ewma,"
            + " random, round_robin, weighted_round_robin";
    static final String MISSING_MODULE = "health 'http' is not available; available: none ('http' is provided by fairway-health:"
            + " add it to the module path or class path)";
    static final String MISSPELT = "picker 'least_con' is not available; available: …; did you mean 'least_conn'?";
    static final String UNKNOWN_OPTION = "unknown option fairway.resolver.refresh (value hidden: an unknown key may be a misspelt"
            + " secret); accepted: fairway.resolver.address_policy, …";
    static final String BAD_VALUE = "fairway.resolver.refresh_interval = '-1s' is not allowed: use ttl (follow each answer's TTL,"
            + " clamped to ttl_min and ttl_max) or a duration from 100ms to 1h, like 5s or 30s";
    static final String MISSING_OPTION = "option fairway.resolver.addresses is required: give …";
    static final String UNKNOWN_KEY = "unknown configuration key fairway.pickr (value hidden: an unknown key may be a misspelt"
            + " secret); known keys: …";
    static final String SETTER_OUT_OF_RANGE = "connectTimeout (fairway.connect_timeout) = 'PT-1S' is not allowed: use a duration"
            + " from 1ms to 24h, like 500ms, 30s, 5m or PT30S";
    static final String PROPERTY_OUT_OF_RANGE = "fairway.connect_timeout = '-1s' is not allowed: use a duration from 1ms to 24h,"
            + " like 500ms, 30s, 5m or PT30S";
    // --- docs/guide.md, "Per-target configuration"
    static final String BAD_PATTERN = "target 'orders shop' is not allowed: use a host name (orders), a host and port"
            + " (orders:8080) or *.suffix (…)";
    static final String BAD_TARGET_OPTION = "fairway.target[orders].picker.choices = 'zero' is not allowed: …";
    // --- docs/guide.md, "When no backend can be used"
    static final String NO_BACKEND_PREFIX = "no backend for http://host:port: ";
    static final String NOT_RESOLVED_YET = "resolver 'dns' has not answered within 10000 ms; …";
    static final String NO_ADDRESSES = "resolver 'x' returned no addresses for host";
    static final String NO_ADDRESSES_REFUSED = "… but [169.254.169.254:80], which fairway.refuse_addresses refuses";
    static final String NONE_USABLE = "all 3 backends are unhealthy, ejected or refusing connections (panic mode is off)";
    static final String SHUT_DOWN_PREFIX = "closed:";
    static final String SHUT_DOWN = "closed: the FairwayClient has been shut down; …";
    static final String SATURATED = "backend 10.0.0.5:8080 of http://orders:8080 is saturated: 100 requests in flight"
            + " (limit 100) and 1000 waiting, the most fairway.max_queued allows; …";
    static final String NO_PREFIX = "no backend for";
    // --- docs/guide.md, "Concurrency per backend", "Limits", "Retries", "Connection lifetime"
    static final String QUEUE_TIMED_OUT = "IOException: backend … is saturated: N requests in flight (limit N) and this request"
            + " waited …";
    static final String QUEUE_TIMED_OUT_SHORT = "IOException: backend … is saturated";
    static final String NONE_ACCEPTED = "no backend of http://orders:8080 accepted a connection; tried 10.0.0.5:8080,"
            + " 10.0.0.6:8080 (the last: …)";
    static final String REFUSAL_REASON = "refused a connection";
    static final String DRAIN_BOUND_BODY = "the connection to 10.0.0.5:8080 of http://orders:8080 was retired (age) and closed"
            + " at its drain bound, fairway.lifetime.drain_grace=PT30S, while this body was still streaming (…)";
    static final String DRAIN_BOUND_HEADERS = "… while the response headers had not arrived";
    // --- docs/operations.md, "Troubleshooting"
    static final String OPS_NOT_RESOLVED = "NoBackendException: … has not answered within 10000 ms";
    static final String OPS_SATURATED = "IOException: backend … is saturated";
    static final String OPS_QUEUE_FULL = "NoBackendException … is saturated: … waiting, the most fairway.max_queued allows";
    static final String OPS_NEVER_DIALED = "resolver 'dns' answered 169.254.169.254:80 for …: a link_local address, never dialed";
    static final String OPS_DRAIN_BOUND = "IOException: the connection … was retired (age) and closed at its drain bound,"
            + " fairway.lifetime.drain_grace=…";

    // ---------------------------------------------------------------------------------------------------- the docs

    /** A page of the docs with its lines joined, so that a quote wrapped over two lines reads as one. */
    static String page(String relative) {
        try {
            return Files.readString(Path.of("..").resolve(relative)).replaceAll("\n[ \t]*", " ");
        } catch (IOException e) {
            throw new AssertionError("cannot read " + relative + " (the tests run in the module's directory)", e);
        }
    }

    /** Asserts {@code page} quotes {@code quote}, in backticks (or in double quotes), and returns it. */
    static String quoted(String page, String quote) {
        String text = page(page);
        assertTrue(text.contains("`" + quote + "`") || text.contains("`" + quote + " ") || text.contains(" " + quote + "`")
                        || text.contains("\"" + quote + "\""),
                () -> page + " no longer quotes '" + quote + "': update the check here with the docs");
        return quote;
    }

    /**
     * The quote as a pattern: its text literally, except {@code …} or {@code ...} (any text) and a lone {@code N}
     * (a number); {@code examples} replaces the quote's example values with those of the failure produced.
     */
    static Pattern pattern(String quote, Map<String, String> examples) {
        String text = quote;
        for (Map.Entry<String, String> e : examples.entrySet()) {
            assertTrue(text.contains(e.getKey()), () -> "the quote '" + quote + "' has no example value '" + e.getKey() + "'");
            text = text.replace(e.getKey(), "\u0000" + e.getValue() + "\u0001");
        }
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("…|\\.\\.\\.|\\bN\\b|\u0000[^\u0001]*\u0001").matcher(text);
        int at = 0;
        while (m.find()) {
            regex.append(Pattern.quote(text.substring(at, m.start())));
            String token = m.group();
            regex.append(token.equals("N") ? "\\d+" : token.startsWith("\u0000")
                    ? Pattern.quote(token.substring(1, token.length() - 1)) : ".*?");
            at = m.end();
        }
        regex.append(Pattern.quote(text.substring(at)));
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /** Asserts {@code actual} begins with what {@code quote} says. */
    static void startsWith(String quote, String actual, Map<String, String> examples) {
        assertTrue(pattern(quote, examples).matcher(actual).lookingAt(),
                () -> "the docs quote '" + quote + "' (examples " + examples + "), the code says: " + actual);
    }

    static void startsWith(String quote, String actual) {
        startsWith(quote, actual, Map.of());
    }

    /** Asserts {@code actual} holds what {@code quote} says, somewhere. */
    static void holds(String quote, String actual, Map<String, String> examples) {
        assertTrue(pattern(quote, examples).matcher(actual).find(),
                () -> "the docs quote '" + quote + "' (examples " + examples + "), the code says: " + actual);
    }

    static void holds(String quote, String actual) {
        holds(quote, actual, Map.of());
    }

    /** {@code SimpleName: message}, as a quote that names the type reads. */
    static String typed(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static String fails(Runnable build) {
        return assertThrows(IllegalArgumentException.class, build::run).getMessage();
    }

    // ------------------------------------------------------------------------------------------- build-time errors

    @Test
    void theBuildTimeErrorsAreTheGuidesWords() {
        String guide = "docs/guide.md";
        startsWith(quoted(guide, UNKNOWN_PROVIDER), fails(() -> FairwayClient.newBuilder().picker("ring_hash").build()));
        startsWith(quoted(guide, MISSING_MODULE), fails(() -> FairwayClient.newBuilder().healthCheck("http").build()));
        startsWith(quoted(guide, MISSPELT), fails(() -> FairwayClient.newBuilder().picker("least_con").build()));
        startsWith(quoted(guide, UNKNOWN_OPTION), fails(() -> FairwayClient.newBuilder().resolverOption("refresh", "5s").build()));
        startsWith(quoted(guide, BAD_VALUE), fails(() -> FairwayClient.newBuilder().resolverOption("refresh_interval", "-1s").build()));
        startsWith(quoted(guide, MISSING_OPTION), fails(() -> FairwayClient.newBuilder().resolver("static").build()));
        Properties typo = new Properties();
        typo.setProperty("fairway.pickr", "round_robin");
        startsWith(quoted(guide, UNKNOWN_KEY), fails(() -> FairwayClient.newBuilder().configure(typo)));
        startsWith(quoted(guide, SETTER_OUT_OF_RANGE), fails(() -> FairwayClient.newBuilder().connectTimeout(Duration.ofSeconds(-1))));
        Properties negative = new Properties();
        negative.setProperty("fairway.connect_timeout", "-1s");
        startsWith(quoted(guide, PROPERTY_OUT_OF_RANGE), fails(() -> FairwayClient.newBuilder().configure(negative)));
    }

    @Test
    void thePerTargetErrorsAreTheGuidesWords() {
        String guide = "docs/guide.md";
        startsWith(quoted(guide, BAD_PATTERN), fails(() -> FairwayClient.newBuilder().targetOption("orders shop", "picker", "random")));
        startsWith(quoted(guide, BAD_TARGET_OPTION), fails(() -> FairwayClient.newBuilder()
                .targetOption("orders", "picker", "least_loaded").targetOption("orders", "picker.choices", "zero").build()));
    }

    // ------------------------------------------------------------------------------------------- no backend

    private static final URI ORDERS = URI.create("http://orders.fairway.test:8080/x");

    private static NoBackendException noBackend(FairwayClient client, HttpRequest request) {
        return assertThrows(NoBackendException.class, () -> client.send(request, HttpResponse.BodyHandlers.discarding()));
    }

    @Test
    void aResolverThatDoesNotAnswerInTimeIsTheGuidesNotResolvedYet() {
        try (FairwayClient client = FairwayClient.newBuilder().resolver(new ScriptedResolver()).resolveTimeout(Duration.ofMillis(100))
                .build()) {
            NoBackendException e = noBackend(client, HttpRequest.newBuilder(ORDERS).build());
            assertEquals(NoBackendException.Reason.NOT_RESOLVED_YET, e.reason());
            startsWith(quoted("docs/guide.md", NO_BACKEND_PREFIX), e.getMessage(), Map.of("http://host:port", "http://orders.fairway.test:8080"));
            holds(quoted("docs/guide.md", NOT_RESOLVED_YET), e.getMessage(), Map.of("'dns'", "'scripted'", "10000", "100"));
            holds(quoted("docs/operations.md", OPS_NOT_RESOLVED), typed(e), Map.of("10000", "100"));
        }
    }

    @Test
    void anAnswerOfRefusedAddressesIsTheGuidesNoAddresses() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger("dev.fairway.internal.TargetPool");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try (FairwayClient client = FairwayClient.newBuilder().resolver("static").resolverOption("addresses", "169.254.169.254")
                .build()) {
            NoBackendException e = noBackend(client, HttpRequest.newBuilder(URI.create("http://orders.fairway.test/x")).build());
            assertEquals(NoBackendException.Reason.NO_ADDRESSES, e.reason());
            Map<String, String> examples = Map.of("'x'", "'static'", " host", " orders.fairway.test");
            holds(quoted("docs/guide.md", NO_ADDRESSES), e.getMessage(), examples);
            holds(quoted("docs/guide.md", NO_ADDRESSES_REFUSED), e.getMessage());
            Await.until("the WARNING", Duration.ofSeconds(5), () -> !warnings.isEmpty());
            holds(quoted("docs/operations.md", OPS_NEVER_DIALED), warnings.get(0), Map.of("'dns'", "'static'"));
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    void nothingUsableWithPanicModeOffIsTheGuidesNoneUsable() {
        try (FairwayClient client = FairwayClient.newBuilder().resolver("static").resolverOption("addresses", "127.0.0.2,127.0.0.3,127.0.0.4")
                .healthCheck(new NoBackendTest.AlwaysUnhealthy()).panicThreshold(0).build()) {
            NoBackendException e = noBackend(client, HttpRequest.newBuilder(ORDERS).build());
            assertEquals(NoBackendException.Reason.NONE_USABLE, e.reason());
            holds(quoted("docs/guide.md", NONE_USABLE), e.getMessage());
        }
    }

    // --- docs/guide.md, "Client-side throttling"
    static final String THROTTLED = "request to http://orders:8080 rejected by client-side throttling: …";
    static final String THROTTLED_IN_FULL = "request to http://orders:8080 rejected by client-side throttling: its backends have"
            + " been refusing (429, 503) or failing requests, so this client now rejects 90 % of them itself"
            + " (fairway.throttle.k = 2.0, over 120 s)";

    @Test
    void aThrottledRequestIsTheGuidesThrottled() throws Exception {
        dev.fairway.testing.FakeClock clock = new dev.fairway.testing.FakeClock(); // one window, however long the test takes
        try (JdkPods pods = JdkPods.start(2);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).ticker(clock)
                     .resolver("static").resolverOption("addresses", pods.addresses()).throttleOption("k", 2).build()) {
            pods.statuses.set(0, 503);
            pods.statuses.set(1, 503);
            NoBackendException last = null;
            for (int i = 0; i < 200; i++) {
                try {
                    client.send(HttpRequest.newBuilder(URI.create("http://orders.fairway.test:" + pods.port + "/")).build(),
                            HttpResponse.BodyHandlers.discarding());
                } catch (NoBackendException e) {
                    last = e;
                }
            }
            assertTrue(last != null && last.reason() == NoBackendException.Reason.THROTTLED, String.valueOf(last));
            Map<String, String> target = Map.of("http://orders:8080", "http://orders.fairway.test:" + pods.port);
            startsWith(quoted("docs/guide.md", THROTTLED), last.getMessage(), target);
            assertEquals(quoted("docs/guide.md", THROTTLED_IN_FULL).replace("http://orders:8080", "http://orders.fairway.test:" + pods.port),
                    last.getMessage(), "after 200 refused requests the rejection rate is at its cap");
        }
    }

    // --- docs/kubernetes.md, "Draining"
    static final String ALL_DRAINING = "all N backends are draining";

    @Test
    void everyBackendDrainingIsKubernetesMdsNoneUsable() throws Exception {
        ScriptedResolver resolver = new ScriptedResolver();
        List<dev.fairway.spi.BackendAddress> draining = new ArrayList<>();
        for (String ip : List.of("127.0.0.2", "127.0.0.3")) {
            draining.add(new dev.fairway.spi.BackendAddress(new java.net.InetSocketAddress(java.net.InetAddress.getByName(ip), 8080), 1,
                    Map.of(dev.fairway.spi.BackendAddress.DRAINING, "true")));
        }
        resolver.publishAll(draining);
        try (FairwayClient client = FairwayClient.newBuilder().resolver(resolver).build()) {
            NoBackendException e = noBackend(client, HttpRequest.newBuilder(ORDERS).build());
            assertEquals(NoBackendException.Reason.NONE_USABLE, e.reason());
            holds(quoted("docs/kubernetes.md", ALL_DRAINING), e.getMessage());
        }
    }

    @Test
    void aRequestAfterShutdownIsTheGuidesClientShutDown() {
        FairwayClient client = FairwayClient.newBuilder().resolver("static").resolverOption("addresses", "127.0.0.2").build();
        client.shutdown();
        NoBackendException e = noBackend(client, HttpRequest.newBuilder(ORDERS).build());
        assertEquals(NoBackendException.Reason.CLIENT_SHUT_DOWN, e.reason());
        startsWith(quoted("docs/guide.md", SHUT_DOWN_PREFIX), e.getMessage());
        startsWith(quoted("docs/guide.md", SHUT_DOWN), e.getMessage());
    }

    @Test
    void aSaturatedBackendIsTheGuidesSaturatedInBothForms() throws Exception {
        try (Pods pods = Pods.start(1)) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/hold")).willReturn(aResponse().withStatus(200).withFixedDelay(3_000)));
            URI hold = URI.create("http://orders.fairway.test:" + pods.port + "/hold");
            FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", pods.addresses())
                    .maxConcurrencyPerBackend(1).maxQueuedPerBackend(1).build();
            try {
                client.sendAsync(HttpRequest.newBuilder(hold).build(), HttpResponse.BodyHandlers.discarding());
                Await.until("one in flight", Duration.ofSeconds(5), () -> client.inFlight() == 1);
                // the one place is taken: a request with a timeout waits in the queue, then fails
                IOException waited = assertThrows(IOException.class, () -> client.send(
                        HttpRequest.newBuilder(hold).timeout(Duration.ofMillis(100)).build(), HttpResponse.BodyHandlers.discarding()));
                holds(quoted("docs/guide.md", QUEUE_TIMED_OUT), typed(waited));
                startsWith(quoted("docs/guide.md", QUEUE_TIMED_OUT_SHORT), typed(waited));
                startsWith(quoted("docs/operations.md", OPS_SATURATED), typed(waited));
                // a request that fills the queue, then one that finds it full and fails at once
                client.sendAsync(HttpRequest.newBuilder(hold).build(), HttpResponse.BodyHandlers.discarding());
                Await.until("one queued", Duration.ofSeconds(5), () -> client.snapshot().get(0).backends().get(0).queued() == 1);
                NoBackendException full = noBackend(client, HttpRequest.newBuilder(hold).build());
                assertEquals(NoBackendException.Reason.SATURATED, full.reason());
                String authority = "127.0.0.2:" + pods.port;
                startsWith(quoted("docs/guide.md", SATURATED), full.getMessage(), Map.of("10.0.0.5:8080", authority,
                        "http://orders:8080", "http://orders.fairway.test:" + pods.port, "100 requests in flight (limit 100)",
                        "1 requests in flight (limit 1)", "1000 waiting", "1 waiting"));
                assertTrue(!full.getMessage().startsWith(quoted("docs/guide.md", NO_PREFIX)), full.getMessage());
                holds(quoted("docs/operations.md", OPS_QUEUE_FULL), "NoBackendException " + full.getMessage());
            } finally {
                client.shutdownNow();
                client.close();
            }
        }
    }

    @Test
    void backendsThatAllRefuseAreTheGuidesNoneAccepted() {
        List<FairwayEvent> events = new CopyOnWriteArrayList<>();
        // nothing listens on port 9 of these addresses: connecting is refused
        try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1).listener(events::add)
                .resolver("static").resolverOption("addresses", "127.0.0.9,127.0.0.10").panicThreshold(0).build()) {
            ConnectException e = assertThrows(ConnectException.class, () -> client.send(
                    HttpRequest.newBuilder(URI.create("http://orders.fairway.test:9/")).build(), HttpResponse.BodyHandlers.discarding()));
            holds(quoted("docs/guide.md", NONE_ACCEPTED), e.getMessage(), Map.of("http://orders:8080", "http://orders.fairway.test:9",
                    "10.0.0.5:8080, 10.0.0.6:8080", e.getMessage().contains("tried 127.0.0.9:9,") ? "127.0.0.9:9, 127.0.0.10:9"
                            : "127.0.0.10:9, 127.0.0.9:9"));
            FairwayEvent.Ejected ejected = events.stream().filter(ev -> ev instanceof FairwayEvent.Ejected)
                    .map(ev -> (FairwayEvent.Ejected) ev).findFirst().orElseThrow(() -> new AssertionError("no Ejected: " + events));
            startsWith(quoted("docs/guide.md", REFUSAL_REASON), ejected.reason());
        }
    }

    // ------------------------------------------------------------------------------------------- the drain bound

    /** The messages of a failure and its causes, one a line. */
    private static String chain(Throwable e) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(typed(t)).append('\n');
        }
        return messages.toString();
    }

    /** The failure in {@code chain} that {@code quote} describes. */
    private static String line(String chain, String fragment) {
        return chain.lines().filter(l -> l.contains(fragment)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + fragment + "' in " + chain));
    }

    @Test
    void aBodyCutAtTheDrainBoundFailsInTheGuidesWords() throws Exception {
        try (Pods pods = Pods.start(1)) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/stream")).willReturn(aResponse().withStatus(200)
                    .withBody(new byte[64 * 1024]).withChunkedDribbleDelay(64, 30_000)));
            try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", pods.addresses())
                    .lifetimePolicyOption("max_age", "300ms").lifetimePolicyOption("max_age_jitter", 0)
                    .lifetimePolicyOption("drain_grace", "300ms").build()) {
                URI stream = URI.create("http://orders.fairway.test:" + pods.port + "/stream");
                HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(stream).build(), HttpResponse.BodyHandlers.ofInputStream());
                IOException e;
                try (InputStream body = response.body()) {
                    e = assertThrows(IOException.class, body::readAllBytes);
                }
                String explained = line(chain(e), "drain bound");
                Map<String, String> examples = Map.of("10.0.0.5:8080", "127.0.0.2:" + pods.port,
                        "http://orders:8080", "http://orders.fairway.test:" + pods.port, "PT30S", "PT0.3S");
                holds(quoted("docs/guide.md", DRAIN_BOUND_BODY), explained, examples);
                startsWith(quoted("docs/operations.md", OPS_DRAIN_BOUND), explained);
            }
        }
    }

    @Test
    void headersCutAtTheDrainBoundFailInTheGuidesWords() throws Exception {
        try (Pods pods = Pods.start(1)) {
            pods.servers.get(0).stubFor(get(urlEqualTo("/stall")).willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));
            pods.servers.get(0).stubFor(get(urlEqualTo("/short")).willReturn(aResponse().withStatus(200)));
            try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .resolver("static").resolverOption("addresses", pods.addresses())
                    .lifetimePolicyOption("max_age", "300ms").lifetimePolicyOption("max_age_jitter", 0)
                    .lifetimePolicyOption("drain_grace", "300ms").build()) {
                URI base = URI.create("http://orders.fairway.test:" + pods.port + "/");
                CompletableFuture<HttpResponse<String>> stalled = client.sendAsync(HttpRequest.newBuilder(base.resolve("stall")).build(),
                        HttpResponse.BodyHandlers.ofString());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!stalled.isDone() && System.nanoTime() < deadline) { // short requests warm and promote a successor
                    assertEquals(200, client.send(HttpRequest.newBuilder(base.resolve("short")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode());
                }
                ExecutionException e = assertThrows(ExecutionException.class, () -> stalled.get(30, TimeUnit.SECONDS));
                holds(quoted("docs/guide.md", DRAIN_BOUND_HEADERS), line(chain(e.getCause()), "drain bound"));
            }
        }
    }

    // ------------------------------------------------------------------------------------------- the JDK's words

    /** Words of the JDK the guide quotes, and the class that relies on them (its test produces each from the JDK). */
    @Test
    void theJdksWordsTheGuideQuotesAreTheOnesTheClassifierReadsAndItsTestPins() throws IOException {
        String classifier = Files.readString(Path.of("src/main/java/dev/fairway/internal/SendFailure.java"));
        String test = Files.readString(Path.of("src/test/java/dev/fairway/internal/SendFailureTest.java"));
        for (String words : List.of("too many concurrent streams", "request not processed by peer", "closed")) {
            quoted("docs/guide.md", words);
            assertTrue(classifier.contains("\"" + words + "\""), () -> "SendFailure no longer reads '" + words + "'");
        }
        assertTrue(test.contains("SendFailure.NOT_SENT_UNPROCESSED") && test.contains("SendFailure.STREAM_LIMIT"),
                "SendFailureTest produces both failures from the JDK and pins their outcomes");
    }

    // ------------------------------------------------------------------------------------------- completeness

    /** The backticked quotes of the guide's message tables, which the tests above must all check. */
    @Test
    void everyQuoteOfTheGuidesMessageTablesIsCheckedHere() throws IllegalAccessException {
        Set<String> checked = new TreeSet<>();
        for (var field : DocumentedMessagesTest.class.getDeclaredFields()) {
            if (field.getType() == String.class && java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                checked.add((String) field.get(null));
            }
        }
        List<String> guide;
        try {
            guide = Files.readAllLines(Path.of("../docs/guide.md"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        List<String> unchecked = new ArrayList<>();
        for (String header : List.of("| input | message starts with |", "| reason | when | message (after `no backend for http://host:port: `) |")) {
            int start = guide.indexOf(header);
            assertTrue(start >= 0, "the table '" + header + "' is gone from the guide");
            for (String row : guide.subList(start + 2, guide.size())) {
                if (!row.startsWith("|")) {
                    break;
                }
                String[] cells = row.split("(?<!\\\\)\\|");
                String[] parts = cells[cells.length - 1].split("`");   // the message column, the last
                for (int i = 1; i < parts.length; i += 2) {
                    String quote = parts[i];
                    if (quote.contains(" ") && checked.stream().noneMatch(c -> c.trim().equals(quote.trim()))) { // a message, not a name
                        unchecked.add(quote);
                    }
                }
            }
        }
        assertTrue(unchecked.isEmpty(), "quoted in the guide's message tables, checked nowhere: " + unchecked);
    }

    // ------------------------------------------------------------------------------------------- README, integrations, TLS

    @Test
    void theLaptopRecipesOutputIsTheReadmes() throws Exception {
        String quote = quoted("README.md", "6 x 200 from /127.0.0.2:8000");
        String tryJava = Files.readString(Path.of("../examples/laptop/Try.java"));
        assertTrue(tryJava.contains("System.out.println(times + \" x \" + answer)")
                && tryJava.contains("response.statusCode() + \" from \" + FairwayClient.servedBy(response).orElseThrow()"),
                "Try.java prints '<times> x <status> from <servedBy>'");
        try (JdkPods pods = JdkPods.start(1);
             FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .resolver("static").resolverOption("addresses", "127.0.0.2").build()) {
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create("http://orders.local:" + pods.port + "/")).build(),
                    HttpResponse.BodyHandlers.discarding());
            String line = 6 + " x " + (response.statusCode() + " from " + FairwayClient.servedBy(response).orElseThrow());
            holds(quote, line, Map.of(":8000", ":" + pods.port));
        }
    }

    @Test
    void theStartUpFailuresIntegrationsMdQuotesAreTheBuildersMessages() {
        String page = "docs/integrations.md";
        Properties timeout = new Properties();
        timeout.setProperty("fairway.connect_timeout", "-1s");
        startsWith(quoted(page, "fairway.connect_timeout = '-1s' is not allowed"), fails(() -> FairwayClient.newBuilder().configure(timeout)));
        Properties typo = new Properties();
        typo.setProperty("fairway.pickr", "round_robin");
        startsWith(quoted(page, "unknown configuration key fairway.pickr"), fails(() -> FairwayClient.newBuilder().configure(typo)));
        Properties option = new Properties();
        option.setProperty("fairway.resolver", "static");
        option.setProperty("fairway.resolver.addresses", "127.0.0.2");
        option.setProperty("fairway.resolver.adresses", "127.0.0.2");
        startsWith(quoted(page, "unknown option fairway.resolver.adresses"), fails(() -> FairwayClient.newBuilder().configure(option).build()));
        Properties picker = new Properties();
        picker.setProperty("fairway.picker", "ring_hash");
        startsWith(quoted(page, "picker 'ring_hash' is not available"), fails(() -> FairwayClient.newBuilder().configure(picker).build()));
    }

    /** The JDK's words for a certificate that does not name the host, as authority.md quotes them and TlsTest pins them. */
    @Test
    void theCertificateMismatchesAuthorityMdQuotesAreTheOnesTlsTestPins() throws IOException {
        String tlsTest = Files.readString(Path.of("src/test/java/dev/fairway/TlsTest.java"));
        assertTrue(tlsTest.contains("\"No (subject alternative DNS )?name matching \" + LOGICAL.replace(\".\", \"\\\\.\") + \" found\\\\.?\"")
                && tlsTest.contains("LOGICAL = \"orders.fairway.test\""), "TlsTest pins the JDK's words for a name mismatch");
        Pattern pinned = Pattern.compile("No (subject alternative DNS )?name matching orders\\.fairway\\.test found\\.?");
        for (String quote : List.of("No subject alternative DNS name matching orders.fairway.test found", "No name matching orders.fairway.test found")) {
            assertTrue(pinned.matcher(quoted("docs/authority.md", quote)).matches(), quote);
        }
        String symptom = quoted("docs/operations.md", "SSLHandshakeException … No subject alternative DNS name matching …");
        assertTrue(pinned.matcher(symptom.substring(symptom.indexOf("No "), symptom.lastIndexOf(" …")) + " orders.fairway.test found").matches(),
                symptom);
    }
}
