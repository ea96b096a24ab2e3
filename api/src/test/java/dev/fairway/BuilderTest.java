package dev.fairway;

import dev.fairway.internal.ClientKeys;
import dev.fairway.internal.StaticResolverProvider;
import dev.fairway.testing.ServiceDeclarations;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLParameters;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input fails at build() (or earlier) with a message naming the key, the value and what is allowed. */
class BuilderTest {

    private static String fails(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void unknownProviderNameListsTheAvailableOnes() {
        String m = fails(() -> FairwayClient.newBuilder().picker("ring_hash").build());
        assertTrue(m.startsWith("picker 'ring_hash' is not available; available: least_conn, least_loaded, peak_ewma, random,"
                + " round_robin, weighted_round_robin"), m);
        m = fails(() -> FairwayClient.newBuilder().healthCheck("http").build());
        assertTrue(m.contains("health 'http' is not available; available: none")
                && m.contains("'http' is provided by fairway-health: add it to the module path or class path"), m);
        m = fails(() -> FairwayClient.newBuilder().resolver("kubernetes").build());
        assertTrue(m.contains("'kubernetes' is provided by fairway-resolver-kubernetes"), m);
    }

    @Test
    void aMistypedProviderNameGetsTheNearestKnownOne() {
        String m = fails(() -> FairwayClient.newBuilder().picker("least_con").build());
        assertTrue(m.endsWith("; did you mean 'least_conn'?"), m);
        m = fails(() -> FairwayClient.newBuilder().picker("round-robin").build());
        assertTrue(m.endsWith("; did you mean 'round_robin'?"), m);
        m = fails(() -> FairwayClient.newBuilder().healthCheck("htp").build());
        assertTrue(m.endsWith("; did you mean 'http' (provided by fairway-health, not on the path)?"), m);
        m = fails(() -> FairwayClient.newBuilder().picker("ring_hash").build());
        assertTrue(!m.contains("did you mean"), "nothing close: no guess, " + m);
        m = fails(() -> FairwayClient.newBuilder().resolver("k8s").build());
        assertTrue(m.endsWith("; did you mean 'kubernetes' (provided by fairway-resolver-kubernetes, not on the path)?"), m);
        m = fails(() -> FairwayClient.newBuilder().resolver("xds").build());
        assertTrue(!m.contains("did you mean"), "a short name two edits from 'dns' is no typo of it: " + m);
        m = fails(() -> FairwayClient.newBuilder().healthCheck("grpc").build());
        assertTrue(m.endsWith("; did you mean 'grpc_health' (provided by fairway-health, not on the path)?"), m);
    }

    @Test
    void unknownOptionListsTheAcceptedOnes() {
        String m = fails(() -> FairwayClient.newBuilder().resolverOption("refresh", "5s").build());
        assertTrue(m.startsWith("unknown option fairway.resolver.refresh (value hidden: an unknown key may be a misspelt secret); accepted: "), m);
        assertTrue(m.contains("fairway.resolver.refresh_interval"), m);
    }

    @Test
    void badValueNamesKeyValueAndWhatIsAllowed() {
        String m = fails(() -> FairwayClient.newBuilder().resolverOption("refresh_interval", "-1s").build());
        assertTrue(m.startsWith("fairway.resolver.refresh_interval = '-1s' is not allowed: use ttl (follow each answer's TTL,"
                + " clamped to ttl_min and ttl_max) or a duration from 100ms to 1h"), m);
        m = fails(() -> FairwayClient.newBuilder().lifetimePolicyOption("drain_grace", "soon").build());
        assertTrue(m.startsWith("fairway.lifetime.drain_grace = 'soon' is not allowed"), m);
    }

    @Test
    void optionCombinationsAreCheckedAtBuild() {
        String m = fails(() -> FairwayClient.newBuilder().resolverOption("backoff_initial", "10s").resolverOption("backoff_max", "2s").build());
        assertTrue(m.contains("backoff_initial") && m.contains("backoff_max"), m);
    }

    @Test
    void staticResolverValidatesItsAddressesAtBuild() {
        String m = fails(() -> FairwayClient.newBuilder().resolver("static").build());
        assertTrue(m.startsWith("option fairway.resolver.addresses is required"), m);
        m = fails(() -> FairwayClient.newBuilder().resolver("static").resolverOption("addresses", "127.0.0.2,orders.svc").build());
        assertTrue(m.startsWith("fairway.resolver.addresses = '127.0.0.2,orders.svc' is not allowed") && m.contains("'orders.svc' is not an IP address"), m);
        m = fails(() -> FairwayClient.newBuilder().resolver("static").resolverOption("addresses", "127.0.0.2:70000").build());
        assertTrue(m.contains("port '70000'"), m);
        FairwayClient.newBuilder().resolver("static").resolverOption("addresses", "127.0.0.2, 127.0.0.3:8443, [::1]:80, ::1").build().close();
    }

    @Test
    void settersFailAtOnceNamingMethodKeyValueAndWhatIsAllowed() {
        assertEquals("connectTimeout (fairway.connect_timeout) = 'PT0S' is not allowed: use a duration from 1ms to 24h,"
                + " like 500ms, 30s, 5m or PT30S", fails(() -> FairwayClient.newBuilder().connectTimeout(Duration.ZERO)));
        assertTrue(fails(() -> FairwayClient.newBuilder().connectTimeout(Duration.ofSeconds(-1)))
                .startsWith("connectTimeout (fairway.connect_timeout) = 'PT-1S' is not allowed"));
        assertTrue(fails(() -> FairwayClient.newBuilder().resolveTimeout(Duration.ZERO))
                .startsWith("resolveTimeout (fairway.resolve_timeout) = 'PT0S' is not allowed"));
        assertEquals("priority = '0' is not allowed: use an integer from 1 to 256", fails(() -> FairwayClient.newBuilder().priority(0)));
    }

    /**
     * One client key: its property, the setter that sets it and the name the setter's message gives, values both
     * must reject (as the property's text and as the setter's typed value) and boundary values both must accept.
     */
    private record ClientKey<T>(String key, String method, BiConsumer<FairwayClient.Builder, T> setter,
                                Function<T, String> text, List<T> bad, List<T> good) {
        static ClientKey<Duration> duration(String key, String method, BiConsumer<FairwayClient.Builder, Duration> setter,
                                            Duration max) {
            Duration min = Duration.ofMillis(1);
            return new ClientKey<>(key, method, setter, Duration::toString,
                    List.of(Duration.ZERO, Duration.ofSeconds(-1), min.minusNanos(1), max.plusNanos(1)), List.of(min, max));
        }
    }

    private static final List<ClientKey<?>> CLIENT_KEYS = List.of(
            ClientKey.duration("connect_timeout", "connectTimeout", FairwayClient.Builder::connectTimeout, Duration.ofDays(1)),
            new ClientKey<>("version", "version", FairwayClient.Builder::version, v -> v.name().toLowerCase(Locale.ROOT),
                    List.of(), List.of(HttpClient.Version.values())),
            new ClientKey<>("follow_redirects", "followRedirects", FairwayClient.Builder::followRedirects,
                    v -> v.name().toLowerCase(Locale.ROOT), List.of(), List.of(HttpClient.Redirect.values())),
            ClientKey.duration("resolve_timeout", "resolveTimeout", FairwayClient.Builder::resolveTimeout, Duration.ofHours(1)),
            new ClientKey<>("max_concurrency", "maxConcurrencyPerBackend", FairwayClient.Builder::maxConcurrencyPerBackend,
                    String::valueOf, List.of(0, -1, 100_001), List.of(1, 100_000)),
            new ClientKey<>("max_queued", "maxQueuedPerBackend", FairwayClient.Builder::maxQueuedPerBackend,
                    String::valueOf, List.of(-1, 1_000_001), List.of(0, 1_000_000)),
            ClientKey.duration("queue_timeout", "queueTimeout", FairwayClient.Builder::queueTimeout, Duration.ofHours(1)),
            ClientKey.duration("idle_timeout", "idleTimeout", FairwayClient.Builder::idleTimeout, Duration.ofDays(30)),
            new ClientKey<>("panic_threshold", "panicThreshold", FairwayClient.Builder::panicThreshold, String::valueOf,
                    List.of(-0.01, 1.01, Double.NaN), List.of(0.0, 1.0)),
            new ClientKey<>("subset_size", "subsetSize", FairwayClient.Builder::subsetSize, String::valueOf,
                    List.of(-1, 100_001), List.of(0, 100_000)),
            new ClientKey<>("subset_key", "subsetKey", FairwayClient.Builder::subsetKey, s -> s, List.of(""), List.of("a", " pod-7 ")),
            new ClientKey<>("jmx", "jmx", FairwayClient.Builder::jmx, String::valueOf, List.of(), List.of(true, false)));

    private static FairwayClient.Builder configured(String key, String value) {
        Properties p = new Properties();
        p.setProperty("fairway." + key, value);
        return FairwayClient.newBuilder().configure(p);
    }

    @Test
    void setterAndPropertyOfEachClientKeyShareOneCheck() {
        assertEquals(Set.of("connect_timeout", "version", "follow_redirects", "resolve_timeout", "max_concurrency", "max_queued", "queue_timeout",
                "idle_timeout", "panic_threshold", "subset_size", "subset_key", "jmx"),
                CLIENT_KEYS.stream().map(ClientKey::key).collect(Collectors.toSet()));
        for (ClientKey<?> k : CLIENT_KEYS) {
            sameCheck(k);
        }
    }

    private static <T> void sameCheck(ClientKey<T> k) {
        String property = "fairway." + k.key();
        for (T value : k.bad()) {
            String text = k.text().apply(value);
            String fromProperty = fails(() -> configured(k.key(), text));
            String fromSetter = fails(() -> k.setter().accept(FairwayClient.newBuilder(), value));
            assertTrue(fromProperty.startsWith(property + " = '" + text + "' is not allowed: use "), fromProperty);
            assertEquals(k.method() + " (" + property + ")" + fromProperty.substring(property.length()), fromSetter);
        }
        for (T value : k.good()) {
            assertDoesNotThrow(() -> configured(k.key(), k.text().apply(value)), property + " = " + value);
            assertDoesNotThrow(() -> k.setter().accept(FairwayClient.newBuilder(), value), k.method() + "(" + value + ")");
        }
    }

    @Test
    void typedClientKeysRejectTextOutsideTheirTypeNamingTheChoices() {
        assertEquals("fairway.version = 'http_3' is not allowed: use one of http_1_1, http_2",
                fails(() -> configured("version", "http_3")));
        assertEquals("fairway.follow_redirects = 'sometimes' is not allowed: use one of never, always, normal",
                fails(() -> configured("follow_redirects", "sometimes")));
        assertEquals("fairway.jmx = 'yes' is not allowed: use true or false", fails(() -> configured("jmx", "yes")));
        assertTrue(fails(() -> configured("max_concurrency", "lots")).startsWith("fairway.max_concurrency = 'lots' is not allowed: use an integer from 1 to 100000"));
        assertTrue(fails(() -> configured("idle_timeout", "1x")).startsWith("fairway.idle_timeout = '1x' is not allowed: use a duration from 1ms to 720h"));
    }

    @Test
    void defaultsAreUnchanged() {
        try (FairwayClient client = FairwayClient.newBuilder().resolver("static").resolverOption("addresses", "127.0.0.2").build()) {
            assertEquals(Optional.of(Duration.ofSeconds(2)), client.connectTimeout());
            assertEquals(HttpClient.Version.HTTP_2, client.version());
            assertEquals(HttpClient.Redirect.NEVER, client.followRedirects());
        }
        assertEquals(Duration.ofSeconds(2), ClientKeys.CONNECT_TIMEOUT.defaultValue());
        assertEquals(Duration.ofSeconds(10), ClientKeys.RESOLVE_TIMEOUT.defaultValue());
        assertEquals(100, ClientKeys.MAX_CONCURRENCY.defaultValue());
        assertEquals(Duration.ofSeconds(10), ClientKeys.QUEUE_TIMEOUT.defaultValue());
        assertEquals(Duration.ofMinutes(15), ClientKeys.IDLE_TIMEOUT.defaultValue());
        assertEquals(0.5, ClientKeys.PANIC_THRESHOLD.defaultValue());
        assertEquals(0, ClientKeys.SUBSET_SIZE.defaultValue());
        assertEquals(true, ClientKeys.JMX.defaultValue());
    }

    @Test
    void healthOptionsWithoutAHealthCheckAreRejected() {
        String m = fails(() -> FairwayClient.newBuilder().healthCheckOption("path", "/healthz").build());
        assertTrue(m.contains("fairway.health.path") && m.contains("fairway.health is none"), m);
    }

    @Test
    void proxyIsRefusedAtTheCall() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> FairwayClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", 3128))));
        assertTrue(e.getMessage().contains("does not support a proxy"), e.getMessage());
    }

    @Test
    void configurationFromPropertiesSelectsProvidersAndClientSettings() throws Exception {
        try (Pods pods = Pods.start(2)) {
            Properties p = new Properties();
            p.setProperty("fairway.resolver", "static");
            p.setProperty("fairway.resolver.addresses", pods.addresses());
            p.setProperty("fairway.picker", "round_robin");
            p.setProperty("fairway.connect_timeout", "2s");
            p.setProperty("fairway.version", "http_1_1");
            p.setProperty("fairway.follow_redirects", "normal");
            p.setProperty("fairway.lifetime.drain_grace", "1s");
            p.setProperty("unrelated.key", "ignored");
            try (FairwayClient client = FairwayClient.newBuilder().configure(p).build()) {
                assertEquals(HttpClient.Version.HTTP_1_1, client.version());
                assertEquals(Optional.of(Duration.ofSeconds(2)), client.connectTimeout());
                assertEquals(HttpClient.Redirect.NORMAL, client.followRedirects());
                URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
                for (int i = 0; i < 4; i++) {
                    client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                }
                assertEquals(java.util.List.of(2, 2), pods.requestCounts());
            }
        }
    }

    @Test
    void unknownConfigurationKeyFailsAtConfigure() {
        Properties p = new Properties();
        p.setProperty("fairway.pickr", "random");
        String m = fails(() -> FairwayClient.newBuilder().configure(p));
        assertTrue(m.startsWith("unknown configuration key fairway.pickr (value hidden: an unknown key may be a misspelt secret); known keys: "), m);
        assertTrue(m.contains("fairway.picker"), m);
        Properties bad = new Properties();
        bad.setProperty("fairway.connect_timeout", "fast");
        m = fails(() -> FairwayClient.newBuilder().configure(bad));
        assertTrue(m.startsWith("fairway.connect_timeout = 'fast' is not allowed"), m);
    }

    @Test
    void codeAfterConfigurationWins() {
        Properties p = new Properties();
        p.setProperty("fairway.version", "http_1_1");
        try (FairwayClient client = FairwayClient.newBuilder().configure(p).version(HttpClient.Version.HTTP_2)
                .resolver("static").resolverOption("addresses", "127.0.0.2").build()) {
            assertEquals(HttpClient.Version.HTTP_2, client.version());
        }
    }

    @Test
    void systemPropertiesAreReadOnlyWhenAsked() {
        String key = "fairway.picker";
        System.setProperty(key, "random");
        try {
            // without configureFromSystemProperties the default applies, so an unknown value would not matter
            System.setProperty(key, "no_such_picker");
            FairwayClient.newBuilder().resolver("static").resolverOption("addresses", "127.0.0.2").build().close();
            String m = fails(() -> FairwayClient.newBuilder().configureFromSystemProperties().build());
            assertTrue(m.startsWith("picker 'no_such_picker' is not available"), m);
        } finally {
            System.clearProperty(key);
        }
    }

    @Test
    void isAnHttpClientBuilder() {
        HttpClient.Builder builder = FairwayClient.newBuilder();
        builder.connectTimeout(Duration.ofSeconds(3)).version(HttpClient.Version.HTTP_1_1);
        ((FairwayClient.Builder) builder).resolver("static").resolverOption("addresses", "127.0.0.2");
        try (HttpClient client = builder.build()) {
            assertInstanceOf(FairwayClient.class, client);
            assertEquals(Optional.of(Duration.ofSeconds(3)), client.connectTimeout());
            assertTrue(client.proxy().isEmpty());
            assertTrue(client.executor().isEmpty());
        }
    }

    @Test
    void sslParametersAreCopied() {
        SSLParameters p = new SSLParameters(new String[] {"TLS_AES_128_GCM_SHA256"}, new String[] {"TLSv1.3"});
        FairwayClient.Builder b = FairwayClient.newBuilder().sslParameters(p).resolver("static").resolverOption("addresses", "127.0.0.2");
        p.setProtocols(new String[] {"TLSv1.2"});
        try (FairwayClient client = b.build()) {
            assertArrayEquals(new String[] {"TLSv1.3"}, client.sslParameters().getProtocols());
        }
    }

    @Test
    void builtInProvidersAreDeclaredBothWaysAndFoundOnThePathUnderTest() {
        ServiceDeclarations.assertConsistent(StaticResolverProvider.class);
        String path = System.getProperty("test.fairway.path");
        assertTrue("module".equals(path) || "classpath".equals(path), "test.fairway.path is set by the build: " + path);
        boolean modulePath = path.equals("module");
        for (Object provider : java.util.List.of(ProviderRegistry.resolvers().get("static"), ProviderRegistry.lifetimePolicies().get("never"),
                ProviderRegistry.resolvers().get("dns"), ProviderRegistry.pickers().get("round_robin"))) {
            Module module = provider.getClass().getModule();
            assertEquals(modulePath, module.isNamed(), provider.getClass() + " is in " + module);
        }
        if (modulePath) {
            assertEquals("dev.fairway", ProviderRegistry.resolvers().get("static").getClass().getModule().getName());
            assertEquals("dev.fairway.resolver.dns", ProviderRegistry.resolvers().get("dns").getClass().getModule().getName());
            assertEquals("dev.fairway.balancer.roundrobin", ProviderRegistry.pickers().get("round_robin").getClass().getModule().getName());
        }
    }
}
