package dev.fairway.benchmarks;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.ConnectionAcceptor;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.StringJoiner;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The backends of {@link PeerHarness}: one Armeria server in a child JVM listening on {@code 127.0.0.2},
 * {@code 127.0.0.3}, … with two shared ports, one cleartext (HTTP/1.1, and HTTP/2 by prior knowledge or by
 * {@code Upgrade: h2c}) and one TLS (HTTP/2 or HTTP/1.1, chosen by ALPN). Every request to any path is answered with a
 * fixed {@code 200} and the 3-byte body {@code ok\n}, on the event loop that read it. HTTP/1.1 request lines in
 * absolute form ({@code GET http://backends.test:port/ HTTP/1.1}, as Fairway's plain-HTTP/1.1 leaves send them) are
 * accepted; Armeria rejects them unless configured so.
 *
 * <p>Started as {@code PeerHarness serve --backends n --keystore file --storepass secret --server-threads t}: it prints
 * {@code ports <cleartext> <tls>} once it listens, then answers each {@code stats} line on its standard input with one
 * line of counters ({@code stats key=value …}: its process CPU time, the connections it accepted and holds, the
 * requests it served per protocol and per backend), and stops when its standard input ends.
 *
 * <p>The key and certificate come from the PKCS#12 file the harness generated (alias {@code backend}).
 */
final class PeerServer {

    private PeerServer() {
    }

    /**
     * Serves until standard input ends.
     *
     * @param n        how many backends (listening addresses)
     * @param keystore the PKCS#12 file with the key and certificate, alias {@code backend}
     * @param password its password
     * @param threads  the server's event loop threads (its worker group)
     * @throws Exception if the key cannot be read or the ports cannot be bound
     */
    static void serve(int n, Path keystore, char[] password, int threads) throws Exception {
        if (n < 1 || n > 200) {
            throw new IllegalArgumentException("--backends " + n + " is out of range: use 1 to 200");
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, password);
        }
        PrivateKey key = (PrivateKey) store.getKey("backend", password);
        X509Certificate certificate = (X509Certificate) store.getCertificate("backend");
        if (key == null || certificate == null) {
            throw new GeneralSecurityException(keystore + " has no key entry 'backend'");
        }
        LongAdder connections = new LongAdder();
        LongAdder[] byProtocol = new LongAdder[SessionProtocol.values().length];
        for (int i = 0; i < byProtocol.length; i++) {
            byProtocol[i] = new LongAdder();
        }
        LongAdder[] hits = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            hits[i] = new LongAdder();
        }
        Server server = null;
        for (int attempt = 0; server == null; attempt++) {
            int cleartext = freePort();
            int tls = freePort();
            ServerBuilder builder = Server.builder()
                    .workerGroup(threads)
                    .tls(key, certificate)
                    .disableServerHeader()
                    .disableDateHeader()
                    .gracefulShutdownTimeout(Duration.ZERO, Duration.ZERO)
                    // Armeria answers an absolute-form request line (GET http://host:port/ HTTP/1.1, what Fairway's
                    // plain-HTTP/1.1 leaves send) with 400 "Invalid request path" and closes the connection unless
                    // told how to map it to a path; RFC 9112 section 3.2.2 asks servers to accept that form.
                    .absoluteUriTransformer(PeerServer::originForm)
                    .connectionAcceptor(ConnectionAcceptor.of(context -> {
                        connections.increment();
                        return true;
                    }))
                    .serviceUnder("/", (ctx, req) -> {
                        byProtocol[ctx.sessionProtocol().ordinal()].increment();
                        int backend = ((InetSocketAddress) ctx.localAddress()).getAddress().getAddress()[3] - 2;
                        if (backend >= 0 && backend < n) {
                            hits[backend].increment();
                        }
                        return HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ok\n");
                    });
            for (int i = 0; i < n; i++) {
                builder.port(new InetSocketAddress(LoadHarness.loopback(i), cleartext), SessionProtocol.HTTP);
                builder.port(new InetSocketAddress(LoadHarness.loopback(i), tls), SessionProtocol.HTTPS);
            }
            Server candidate = builder.build();
            try {
                candidate.start().join();
                server = candidate;
                System.out.println("ports " + cleartext + " " + tls);
                System.out.flush();
            } catch (CompletionException e) {
                candidate.stop().join();
                if (attempt == 5) {
                    throw e; // a port probed free was taken meanwhile, six times over
                }
            }
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        BufferedReader commands = new BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.US_ASCII));
        try {
            for (String line; (line = commands.readLine()) != null; ) {
                if (line.trim().equals("stats")) {
                    StringJoiner s = new StringJoiner(" ", "stats ", "");
                    s.add("cpu_ns=" + os.getProcessCpuTime());
                    s.add("connections=" + connections.sum());
                    s.add("open=" + server.numConnections());
                    for (SessionProtocol p : SessionProtocol.values()) {
                        s.add(p.uriText() + "=" + byProtocol[p.ordinal()].sum());
                    }
                    StringJoiner perBackend = new StringJoiner(",");
                    for (LongAdder h : hits) {
                        perBackend.add(Long.toString(h.sum()));
                    }
                    s.add("hits=" + perBackend);
                    System.out.println(s);
                    System.out.flush();
                }
            }
        } catch (IOException e) {
            // no parent to serve any more
        }
        server.stop().join();
    }

    /** {@code http://host:port/path?query} as {@code /path?query}. */
    static String originForm(String absoluteUri) {
        int authority = absoluteUri.indexOf("://");
        if (authority < 0) {
            return absoluteUri;
        }
        int path = absoluteUri.indexOf('/', authority + 3);
        int query = absoluteUri.indexOf('?', authority + 3);
        if (path < 0 || (query >= 0 && query < path)) {
            return "/" + (query < 0 ? "" : absoluteUri.substring(query));
        }
        return absoluteUri.substring(path);
    }

    /** A port that is free on every loopback backend address at the time of asking (the caller retries if not). */
    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(LoadHarness.loopback(0), 0));
            return probe.getLocalPort();
        }
    }
}
