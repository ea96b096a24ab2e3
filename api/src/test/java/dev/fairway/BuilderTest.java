package dev.fairway;

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
import java.util.Optional;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
        assertTrue(m.contains("fairway-balancer-leastconn provides least_loaded, least_conn and peak_ewma"), m);
        m = fails(() -> FairwayClient.newBuilder().healthCheck("http").build());
        assertTrue(m.contains("health 'http' is not available; available: none") && m.contains("fairway-health"), m);
    }

    @Test
    void unknownOptionListsTheAcceptedOnes() {
        String m = fails(() -> FairwayClient.newBuilder().resolverOption("refresh", "5s").build());
        assertTrue(m.startsWith("unknown option fairway.resolver.refresh = '5s'; accepted: "), m);
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
    void durationsMustBePositive() {
        assertTrue(fails(() -> FairwayClient.newBuilder().connectTimeout(Duration.ZERO)).contains("positive"));
        assertTrue(fails(() -> FairwayClient.newBuilder().connectTimeout(Duration.ofSeconds(-1))).contains("PT-1S"));
        assertTrue(fails(() -> FairwayClient.newBuilder().resolveTimeout(Duration.ZERO)).contains("resolveTimeout"));
        assertTrue(fails(() -> FairwayClient.newBuilder().priority(0)).contains("priority 0"));
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
        assertTrue(m.startsWith("unknown configuration key fairway.pickr = 'random'; known keys: "), m);
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
