package dev.fairway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS identity of https leaves: a leaf connects to a backend IP, yet the server gets the logical name as SNI and the
 * certificate is verified against the logical name with the caller's trust managers, never against an IP, with no
 * JVM-wide flag. Real TLS on loopback: WireMock pods (HTTP/1.1 and HTTP/2 over ALPN) and a raw TLS server that
 * records SNI.
 */
@Timeout(120)
class TlsTest {

    static final String LOGICAL = "orders.fairway.test";

    @TempDir
    static Path dir;

    static TlsMaterial orders;
    static TlsMaterial other;
    static TlsMaterial podIps;
    static Pods ordersPods;
    static Pods otherPods;
    static Pods ipPods;

    @BeforeAll
    static void generateCertificatesAndStartPods() throws Exception {
        assertNoJvmWideFlags();
        List<TlsMaterial> m = TlsMaterial.generate(dir,
                new TlsMaterial.Spec("orders", "CN=" + LOGICAL, "dns:" + LOGICAL),
                new TlsMaterial.Spec("other", "CN=other.fairway.test", "dns:other.fairway.test"),
                // the subject is no host name either, so that nothing but the IP entries could match
                new TlsMaterial.Spec("pod-ips", "CN=pods", "ip:127.0.0.2,ip:127.0.0.3"));
        orders = m.get(0);
        other = m.get(1);
        podIps = m.get(2);
        ordersPods = Pods.start(2, serving(orders), true);
        otherPods = Pods.start(2, serving(other), true);
        ipPods = Pods.start(2, serving(podIps), true);
    }

    @BeforeEach
    void forgetRequests() {
        for (Pods p : new Pods[] {ordersPods, otherPods, ipPods}) {
            p.servers.forEach(s -> s.resetRequests());
        }
    }

    @AfterAll
    static void stopPods() {
        for (Pods p : new Pods[] {ordersPods, otherPods, ipPods}) {
            if (p != null) {
                p.close();
            }
        }
    }

    static UnaryOperator<WireMockConfiguration> serving(TlsMaterial material) {
        return c -> c.keystorePath(material.keystore().toString()).keystorePassword(TlsMaterial.PASSWORD)
                .keyManagerPassword(TlsMaterial.PASSWORD).keystoreType("PKCS12");
    }

    static void assertNoJvmWideFlags() {
        assertNull(System.getProperty("jdk.internal.httpclient.disableHostnameVerification"),
                "hostname verification must not be disabled JVM-wide in these tests");
        assertNull(System.getProperty("jdk.httpclient.allowRestrictedHeaders"), "no restricted headers allowed JVM-wide");
        assertNull(System.getProperty("javax.net.ssl.trustStore"), "trust comes from each client's SSLContext only");
    }

    static FairwayClient client(Pods pods, SSLContext tls, HttpClient.Version version) {
        return client(pods.addresses(), tls, version);
    }

    static FairwayClient client(String addresses, SSLContext tls, HttpClient.Version version) {
        return FairwayClient.newBuilder()
                .resolver("static").resolverOption("addresses", addresses)
                .sslContext(tls)
                .version(version)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build();
    }

    static URI logical(int port, String path) {
        return URI.create("https://" + LOGICAL + ":" + port + path);
    }

    @Test
    void noJvmWideFlagIsSet() {
        assertNoJvmWideFlags();
        // and the JVM really refuses Host, so nothing in this JVM could have set it
        assertThrows(IllegalArgumentException.class,
                () -> HttpRequest.newBuilder(URI.create("https://x.invalid/")).header("Host", "x.invalid"));
    }

    @ParameterizedTest
    @EnumSource(value = HttpClient.Version.class, names = {"HTTP_1_1", "HTTP_2"})
    void theLogicalNameIsVerifiedOnEveryPodAndRequestsSpread(HttpClient.Version version) throws Exception {
        List<HttpResponse<String>> responses = new ArrayList<>();
        try (FairwayClient client = client(ordersPods, orders.trustingContext(), version)) {
            for (int i = 0; i < 6; i++) {
                URI uri = logical(ordersPods.port, "/orders/" + i);
                HttpResponse<String> response = client.send(get(uri), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
                assertEquals(version, response.version(), "negotiated protocol (ALPN for HTTP/2)");
                assertEquals(uri, response.uri());
                assertEquals(uri, response.request().uri());
                InetSocketAddress servedBy = FairwayClient.servedBy(response).orElseThrow();
                assertEquals(ordersPods.port, servedBy.getPort());
                assertEquals(servedBy.getAddress().getHostAddress(), response.body(), "the pod that answered is the one reported");
                SSLSession session = response.sslSession().orElseThrow(() -> new AssertionError("no TLS session on an https response"));
                Certificate[] peer = session.getPeerCertificates();
                assertEquals(orders.certificate(), peer[0], "the pod presented the orders certificate");
                assertEquals(LOGICAL, session.getPeerHost(), "the session's peer host is the logical name, not the pod IP");
                assertEquals(List.of(new SNIHostName(LOGICAL)), ((ExtendedSSLSession) session).getRequestedServerNames(),
                        "SNI the client requested in this (possibly ALPN h2) handshake");
                responses.add(response);
            }
        }
        Set<String> servedBy = new HashSet<>();
        responses.forEach(r -> servedBy.add(FairwayClient.servedBy(r).orElseThrow().getAddress().getHostAddress()));
        assertEquals(Set.copyOf(ordersPods.ips), servedBy, "requests spread over every pod");
        List<Integer> counts = ordersPods.requestCounts();
        assertTrue(counts.stream().allMatch(n -> n > 0), "every pod logged requests: " + counts);
        String protocol = ordersPods.servers.get(0).getAllServeEvents().get(0).getRequest().getProtocol();
        assertEquals(version == HttpClient.Version.HTTP_2 ? "HTTP/2.0" : "HTTP/1.1", protocol, "protocol the pod saw");
    }

    @ParameterizedTest
    @EnumSource(value = HttpClient.Version.class, names = {"HTTP_1_1", "HTTP_2"})
    void theServerReceivesTheLogicalNameAsSni(HttpClient.Version version) throws Exception {
        try (TlsProbeServer server = TlsProbeServer.tls(InetAddress.getByName("127.0.0.2"), orders.serverContext());
             FairwayClient client = client("127.0.0.2", orders.trustingContext(), version)) {
            URI uri = logical(server.port(), "/sni");
            HttpResponse<String> response = client.send(get(uri), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("ok", response.body());
            assertEquals(uri, response.uri());
            assertEquals(new InetSocketAddress("127.0.0.2", server.port()), FairwayClient.servedBy(response).orElseThrow());
            assertEquals(List.of(LOGICAL), server.sniMatched(), "SNI names the server's matcher was asked about");
            List<TlsProbeServer.Seen> seen = server.seen();
            assertEquals(1, seen.size(), "requests the server got: " + seen);
            assertEquals(LOGICAL, seen.get(0).sni().orElse(null), "SNI of the session that carried the request");
            assertEquals(new InetSocketAddress("127.0.0.2", server.port()), seen.get(0).local(), "connected to the backend IP");
            assertEquals(List.of(), server.failures(), "connection failures on the server side");
        }
    }

    @ParameterizedTest
    @EnumSource(value = HttpClient.Version.class, names = {"HTTP_1_1", "HTTP_2"})
    void aCertificateForAnotherNameIsRejected(HttpClient.Version version) {
        try (FairwayClient client = client(otherPods, other.trustingContext(), version)) {
            // the certificate is trusted, so only the name can fail
            assertNameMismatch(assertThrows(Exception.class,
                    () -> client.send(get(logical(otherPods.port, "/")), HttpResponse.BodyHandlers.ofString())));
        }
        assertEquals(List.of(0, 0), otherPods.requestCounts(), "no request may reach a server that failed verification");
    }

    @ParameterizedTest
    @EnumSource(value = HttpClient.Version.class, names = {"HTTP_1_1", "HTTP_2"})
    void aCertificateForThePodIpsIsRejected(HttpClient.Version version) throws Exception {
        try (FairwayClient client = client(ipPods, podIps.trustingContext(), version)) {
            for (int i = 0; i < 2; i++) { // both pods: each IP is in the certificate, and neither may satisfy the check
                assertNameMismatch(assertThrows(Exception.class,
                        () -> client.send(get(logical(ipPods.port, "/")), HttpResponse.BodyHandlers.ofString())));
            }
        }
        assertEquals(List.of(0, 0), ipPods.requestCounts());
        // control: the same trust accepts the certificate for a pod IP, so the rejection above is about the name
        try (HttpClient plain = HttpClient.newBuilder().sslContext(podIps.trustingContext()).version(version).build()) {
            HttpResponse<String> r = plain.send(get(URI.create("https://127.0.0.3:" + ipPods.port + "/control")),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("127.0.0.3", r.body());
        }
    }

    @ParameterizedTest
    @EnumSource(value = HttpClient.Version.class, names = {"HTTP_1_1", "HTTP_2"})
    void aPlainX509TrustManagerAlsoVerifiesTheLogicalName(HttpClient.Version version) throws Exception {
        TlsMaterial.CountingTrustManager trustOrders = orders.plainTrustManager();
        assertFalse(javax.net.ssl.X509ExtendedTrustManager.class.isInstance(trustOrders));
        try (FairwayClient client = client(ordersPods, TlsMaterial.clientContext(trustOrders), version)) {
            for (int i = 0; i < 2; i++) {
                URI uri = logical(ordersPods.port, "/plain/" + i);
                HttpResponse<String> response = client.send(get(uri), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
                assertEquals(uri, response.uri());
                assertEquals(LOGICAL, response.sslSession().orElseThrow().getPeerHost());
            }
        }
        assertTrue(trustOrders.serverChecks() >= 1, "the caller's trust manager was consulted");

        TlsMaterial.CountingTrustManager trustIps = podIps.plainTrustManager();
        try (FairwayClient client = client(ipPods, TlsMaterial.clientContext(trustIps), version)) {
            assertNameMismatch(assertThrows(Exception.class,
                    () -> client.send(get(logical(ipPods.port, "/")), HttpResponse.BodyHandlers.ofString())));
        }
        assertTrue(trustIps.serverChecks() >= 1, "the chain was trusted; the name check failed after it");

        TlsMaterial.CountingTrustManager trustOther = other.plainTrustManager();
        try (FairwayClient client = client(otherPods, TlsMaterial.clientContext(trustOther), version)) {
            assertNameMismatch(assertThrows(Exception.class,
                    () -> client.send(get(logical(otherPods.port, "/")), HttpResponse.BodyHandlers.ofString())));
        }
        assertTrue(trustOther.serverChecks() >= 1);
        assertEquals(List.of(0, 0), ipPods.requestCounts());
        assertEquals(List.of(0, 0), otherPods.requestCounts());
    }

    @Test
    void anUntrustedCertificateIsRejectedEvenWithTheRightName() {
        // trusting "other" only: the orders pods' certificate names the logical host but is not trusted
        try (FairwayClient client = client(ordersPods, other.trustingContext(), HttpClient.Version.HTTP_2)) {
            Exception e = assertThrows(Exception.class,
                    () -> client.send(get(logical(ordersPods.port, "/")), HttpResponse.BodyHandlers.ofString()));
            assertNotNull(find(e, SSLHandshakeException.class), () -> "expected an SSLHandshakeException in " + chain(e));
            assertTrue(chain(e).contains("PKIX path"), () -> "expected a path validation failure: " + chain(e));
        }
    }

    /** The failure is a TLS handshake failure caused by the certificate not naming the logical host. */
    static void assertNameMismatch(Exception e) {
        assertInstanceOf(java.io.IOException.class, e, () -> "send throws an IOException: " + chain(e));
        assertNotNull(find(e, SSLHandshakeException.class), () -> "expected an SSLHandshakeException in " + chain(e));
        CertificateException certificate = find(e, CertificateException.class);
        assertNotNull(certificate, () -> "expected a CertificateException in " + chain(e));
        // "No subject alternative DNS name matching <name> found" when the certificate has DNS names, "No name matching
        // <name> found" when it has none (only IP addresses); an IP check would say "No subject alternative names
        // matching IP address ..."
        assertTrue(certificate.getMessage().matches("No (subject alternative DNS )?name matching " + LOGICAL.replace(".", "\\.") + " found\\.?"),
                () -> "expected a name mismatch for " + LOGICAL + ": " + chain(e));
        assertFalse(chain(e).contains("127.0.0."), () -> "no IP may take part in the check: " + chain(e));
    }

    static <X extends Throwable> X find(Throwable t, Class<X> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append(" <- ");
        }
        return sb.toString();
    }
}
