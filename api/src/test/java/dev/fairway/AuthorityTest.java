package dev.fairway;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins the table of docs/authority.md against real servers: for each scheme and protocol, where a leaf connects, the
 * {@code Host} / {@code :authority} the server sees, and (https) the SNI name, while the caller always sees the
 * logical URIs.
 */
@Timeout(120)
class AuthorityTest {

    static final String LOGICAL = "orders.fairway.test";
    static final InetAddress POD = address("127.0.0.2");

    @TempDir
    static Path dir;

    static TlsMaterial orders;

    @BeforeAll
    static void setUp() throws Exception {
        TlsTest.assertNoJvmWideFlags();
        orders = TlsMaterial.generate(dir, new TlsMaterial.Spec("orders", "CN=" + LOGICAL, "dns:" + LOGICAL)).get(0);
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What one pod logged for one request. {@code host} is the {@code Host} header; WireMock (Jetty 11) does not turn
     * an HTTP/2 {@code :authority} into one, but builds the request URL from it, so {@code urlAuthority} (the
     * authority of {@link LoggedRequest#getAbsoluteUrl()}) is what the server took the authority to be.
     */
    record Observed(String pod, String protocol, String host, String absoluteUrl) {
        String urlAuthority() {
            return URI.create(absoluteUrl).getRawAuthority();
        }

        /** The authority as the server understood it: the {@code Host} header, else the URL's (HTTP/2). */
        String authority() {
            return host != null ? host : urlAuthority();
        }
    }

    static FairwayClient.Builder builder(String addresses, HttpClient.Version version) {
        return FairwayClient.newBuilder()
                .resolver("static").resolverOption("addresses", addresses)
                .version(version)
                .connectTimeout(Duration.ofSeconds(5));
    }

    static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build();
    }

    /**
     * Sends {@code count} requests to {@code scheme://orders.fairway.test:<port>/r/<i>} and returns, per request, what
     * the pod that served it logged; asserts the caller's view (logical URIs) and that the pod which logged the request
     * is the one {@link FairwayClient#servedBy} reports.
     */
    static List<Observed> sendAndObserve(FairwayClient client, Pods pods, String scheme, int count,
                                         HttpClient.Version expectedVersion) throws Exception {
        List<Observed> observed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            URI uri = URI.create(scheme + "://" + LOGICAL + ":" + pods.port + "/r/" + i);
            HttpResponse<String> response = client.send(get(uri), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals(uri, response.uri(), "response.uri() is logical");
            assertEquals(uri, response.request().uri(), "response.request().uri() is logical");
            assertEquals(expectedVersion, response.version(), "protocol of " + uri);
            if (scheme.equals("https")) {
                ExtendedSSLSession session = (ExtendedSSLSession) response.sslSession().orElseThrow();
                assertEquals(List.of(new SNIHostName(LOGICAL)), session.getRequestedServerNames(), "SNI the client sent");
                assertEquals(LOGICAL, session.getPeerHost(), "name the certificate was verified against");
            }
            InetSocketAddress servedBy = FairwayClient.servedBy(response).orElseThrow();
            String pod = servedBy.getAddress().getHostAddress();
            assertEquals(pod, response.body(), "the pod bound to the reported IP answered");
            observed.add(observe(pods.server(pod), pod, "/r/" + i));
        }
        Set<String> podsUsed = new LinkedHashSet<>();
        observed.forEach(o -> podsUsed.add(o.pod()));
        assertEquals(Set.copyOf(pods.ips), podsUsed, "requests spread over every pod: " + observed);
        System.out.println(scheme + ", asked " + client.version() + ", got " + expectedVersion + ": " + observed);
        return observed;
    }

    private static Observed observe(WireMockServer server, String pod, String path) {
        List<ServeEvent> events = server.getAllServeEvents();
        for (ServeEvent e : events) {
            LoggedRequest r = e.getRequest();
            if (r.getUrl().equals(path) || r.getUrl().endsWith(path) && r.getUrl().contains("://")) {
                return new Observed(pod, r.getProtocol(), r.getHeader("Host"), r.getAbsoluteUrl());
            }
        }
        throw new AssertionError("pod " + pod + " logged no request for " + path + " among " + events.size());
    }

    @Test
    void theJvmKeepsHostRestricted() {
        // the https HTTP/1.1 row below depends on it; the flag variant runs in its own JVM
        assertNull(System.getProperty("jdk.httpclient.allowRestrictedHeaders"));
        assertThrows(IllegalArgumentException.class,
                () -> HttpRequest.newBuilder(URI.create("http://x.invalid/")).header("Host", "x.invalid"));
    }

    /** http, HTTP/1.1: connects to the pod IP; the server sees the logical authority (absolute form via the leaf's proxy). */
    @Test
    void httpHttp11SendsTheLogicalAuthority() throws Exception {
        try (Pods pods = Pods.start(2);
             FairwayClient client = builder(pods.addresses(), HttpClient.Version.HTTP_1_1).build()) {
            for (Observed o : sendAndObserve(client, pods, "http", 4, HttpClient.Version.HTTP_1_1)) {
                assertEquals("HTTP/1.1", o.protocol(), o.toString());
                assertEquals(LOGICAL + ":" + pods.port, o.host(), "Host seen by " + o);
                assertEquals(LOGICAL + ":" + pods.port, o.urlAuthority(), "authority of the request URL seen by " + o);
            }
        }
        // the request line itself, as a raw server reads it: absolute form with the logical authority
        try (TlsProbeServer server = TlsProbeServer.plain(POD);
             FairwayClient client = builder("127.0.0.2", HttpClient.Version.HTTP_1_1).build()) {
            URI uri = URI.create("http://" + LOGICAL + ":" + server.port() + "/raw?q=1");
            HttpResponse<String> response = client.send(get(uri), HttpResponse.BodyHandlers.ofString());
            assertEquals(uri, response.uri());
            TlsProbeServer.Seen seen = server.seen().get(0);
            assertEquals("GET " + uri + " HTTP/1.1", seen.requestLine());
            assertEquals(LOGICAL + ":" + server.port(), seen.host());
            assertEquals(new InetSocketAddress(POD, server.port()), seen.local(), "connected to the backend IP");
        }
    }

    /**
     * http, HTTP/2 (h2c): the JDK upgrades a plain connection with an HTTP/1.1 request carrying {@code Upgrade: h2c};
     * the leaf addresses the pod directly, so both the upgrade request's {@code Host} and later streams'
     * {@code :authority} are the backend {@code ip:port}.
     */
    @Test
    void httpH2cSendsTheBackendAuthority() throws Exception {
        try (Pods pods = Pods.start(2, c -> c.http2PlainDisabled(false));
             FairwayClient client = builder(pods.addresses(), HttpClient.Version.HTTP_2).build()) {
            List<Observed> observed = sendAndObserve(client, pods, "http", 6, HttpClient.Version.HTTP_2);
            for (Observed o : observed) {
                assertEquals(o.pod() + ":" + pods.port, o.authority(), "Host / :authority seen by " + o);
                assertEquals(o.pod() + ":" + pods.port, o.urlAuthority(), "authority of the request URL seen by " + o);
            }
            // first request per connection is the HTTP/1.1 upgrade request, the rest are HTTP/2 streams
            assertEquals(2, observed.stream().filter(o -> o.protocol().equals("HTTP/1.1")).count(), observed::toString);
            assertEquals(4, observed.stream().filter(o -> o.protocol().equals("HTTP/2.0")).count(), observed::toString);
        }
    }

    /**
     * http, HTTP/2 requested but the server refuses the h2c upgrade (answers in HTTP/1.1): the exchange stays HTTP/1.1
     * and, as the leaf was chosen for HTTP/2, the server still sees the backend {@code ip:port}.
     */
    @Test
    void httpH2cRefusedStaysHttp11WithTheBackendAuthority() throws Exception {
        try (Pods pods = Pods.start(2, c -> c.http2PlainDisabled(true));
             FairwayClient client = builder(pods.addresses(), HttpClient.Version.HTTP_2).build()) {
            for (Observed o : sendAndObserve(client, pods, "http", 4, HttpClient.Version.HTTP_1_1)) {
                assertEquals("HTTP/1.1", o.protocol(), o.toString());
                assertEquals(o.pod() + ":" + pods.port, o.host(), "Host seen by " + o);
            }
        }
    }

    /** https, HTTP/1.1: the leaf addresses the pod directly, so the JDK sends {@code Host: ip:port}; SNI is logical. */
    @Test
    void httpsHttp11SendsTheBackendAuthorityAndLogicalSni() throws Exception {
        try (Pods pods = Pods.start(2, TlsTest.serving(orders), true);
             FairwayClient client = builder(pods.addresses(), HttpClient.Version.HTTP_1_1).sslContext(orders.trustingContext()).build()) {
            for (Observed o : sendAndObserve(client, pods, "https", 4, HttpClient.Version.HTTP_1_1)) {
                assertEquals("HTTP/1.1", o.protocol(), o.toString());
                assertEquals(o.pod() + ":" + pods.port, o.host(), "Host seen by " + o);
                assertEquals(o.pod() + ":" + pods.port, o.urlAuthority(), "authority of the request URL seen by " + o);
            }
        }
        try (TlsProbeServer server = TlsProbeServer.tls(POD, orders.serverContext());
             FairwayClient client = builder("127.0.0.2", HttpClient.Version.HTTP_1_1).sslContext(orders.trustingContext()).build()) {
            URI uri = URI.create("https://" + LOGICAL + ":" + server.port() + "/raw?q=1");
            HttpResponse<String> response = client.send(get(uri), HttpResponse.BodyHandlers.ofString());
            assertEquals(uri, response.uri());
            assertEquals(uri, response.request().uri());
            TlsProbeServer.Seen seen = server.seen().get(0);
            assertEquals("GET /raw?q=1 HTTP/1.1", seen.requestLine());
            assertEquals("127.0.0.2:" + server.port(), seen.host());
            assertEquals(LOGICAL, seen.sni().orElse(null), "SNI");
        }
    }

    /** https, HTTP/2 (ALPN): {@code :authority} is the backend {@code ip:port}; SNI and certificate name are logical. */
    @Test
    void httpsHttp2SendsTheBackendAuthority() throws Exception {
        try (Pods pods = Pods.start(2, TlsTest.serving(orders), true);
             FairwayClient client = builder(pods.addresses(), HttpClient.Version.HTTP_2).sslContext(orders.trustingContext()).build()) {
            for (Observed o : sendAndObserve(client, pods, "https", 4, HttpClient.Version.HTTP_2)) {
                assertEquals("HTTP/2.0", o.protocol(), o.toString());
                assertEquals(o.pod() + ":" + pods.port, o.authority(), ":authority seen by " + o);
                assertTrue(o.absoluteUrl().startsWith("https://" + o.pod() + ":" + pods.port + "/"), o.toString());
            }
        }
    }

    /** https, HTTP/2 requested but the server offers no h2 in ALPN: HTTP/1.1 with {@code Host: ip:port}. */
    @Test
    void httpsWithoutH2AlpnStaysHttp11WithTheBackendAuthority() throws Exception {
        try (Pods pods = Pods.start(2, c -> TlsTest.serving(orders).apply(c).http2TlsDisabled(true), true);
             FairwayClient client = builder(pods.addresses(), HttpClient.Version.HTTP_2).sslContext(orders.trustingContext()).build()) {
            for (Observed o : sendAndObserve(client, pods, "https", 4, HttpClient.Version.HTTP_1_1)) {
                assertEquals("HTTP/1.1", o.protocol(), o.toString());
                assertEquals(o.pod() + ":" + pods.port, o.host(), "Host seen by " + o);
            }
        }
    }

    /**
     * https, HTTP/1.1 in a JVM started with {@code -Djdk.httpclient.allowRestrictedHeaders=host}: the leaf sends the
     * logical {@code Host}. A separate JVM, because the JDK reads the flag once per JVM.
     */
    @Test
    void httpsHttp11SendsTheLogicalHostWhenTheJvmAllowsIt() throws Exception {
        Path out = dir.resolve("flag-probe.txt");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdk.httpclient.allowRestrictedHeaders=host", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", childClassPath(), TlsHostFlagProbe.class.getName(), orders.keystore().toString());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertTrue(child.waitFor(90, TimeUnit.SECONDS), "the probe JVM did not finish in 90 s");
        } finally {
            child.destroyForcibly();
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), output);
        Map<String, String> seen = new HashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                seen.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        String port = seen.get("port");
        String logical = LOGICAL + ":" + port;
        assertEquals("host", seen.get("property"), output);
        assertEquals("200", seen.get("status"), output);
        assertEquals("https://" + logical + "/flag", seen.get("uri"), output);
        assertEquals("https://" + logical + "/flag", seen.get("requestUri"), output);
        assertEquals("/127.0.0.2:" + port, seen.get("servedBy"), output);
        assertEquals("GET /flag HTTP/1.1", seen.get("requestLine"), output);
        assertEquals(logical, seen.get("host"), "Host seen with the flag: " + output);
        assertEquals(LOGICAL, seen.get("sni"), output);
        // a request that asks for HTTP/2 gets no Host from Fairway (HTTP/2 must not carry one), so when it ends up on
        // HTTP/1.1 (no h2 in ALPN) the server sees the backend authority even with the flag
        assertEquals("HTTP_1_1", seen.get("h2RequestVersion"), output);
        assertEquals("127.0.0.2:" + port, seen.get("h2RequestHost"), output);
        assertEquals("https://" + logical + "/flag-h2", seen.get("h2RequestUri"), output);
    }

    /** The test classes and every dependency, on the class path of the probe JVM (module path or not here). */
    private static String childClassPath() {
        Set<String> entries = new LinkedHashSet<>();
        String basedir = System.getProperty("basedir");
        if (basedir != null) {
            entries.add(Path.of(basedir, "target", "test-classes").toString());
            entries.add(Path.of(basedir, "target", "classes").toString());
        }
        for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
            String value = System.getProperty(property);
            if (value != null && !value.isEmpty()) {
                entries.addAll(List.of(value.split(File.pathSeparator)));
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
