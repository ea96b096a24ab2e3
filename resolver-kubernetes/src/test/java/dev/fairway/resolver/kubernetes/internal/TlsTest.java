package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.spi.Resolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In-cluster access against an HTTPS API server whose certificate names only {@code localhost}: the CA file is the only
 * trust anchor, host names are verified, and the token is sent.
 */
class TlsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    private static Tls tls;
    private static Tls other;
    private static ScriptedApiServer api;
    private final Env env = new Env();
    private final Recorder recorder = new Recorder();
    private Resolver resolver;

    @BeforeAll
    static void certificates() throws Exception {
        tls = Tls.create(dir, "api", "dns:localhost");
        other = Tls.create(dir, "other", "dns:localhost,ip:127.0.0.1");
        api = ScriptedApiServer.https(tls.serverContext());
        api.token = "pod-token";
        api.list = K8s.list("100", List.of(K8s.slice("a", "orders", "90", "http", 8080, List.of(K8s.ready("10.0.0.1")))));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @AfterEach
    void tearDown() {
        if (resolver != null) {
            resolver.close();
        }
        env.close();
    }

    private void startInPod(String host, Path ca) throws IOException {
        startInPod(host, ca, () -> { });
    }

    private void startInPod(String host, Path ca, IoAction beforeStart) throws IOException {
        env.variables.put("KUBERNETES_SERVICE_HOST", host);
        env.variables.put("KUBERNETES_SERVICE_PORT", String.valueOf(api.port()));
        Map<String, Object> options = Map.of("token_file", Env.write(dir, "token", "pod-token").toString(), "ca_file", ca.toString(),
                "backoff_initial", "50ms", "backoff_max", "200ms");
        resolver = new KubernetesResolverProvider().create(env.context("orders.shop.svc.cluster.local", 80, options), env.env);
        beforeStart.run();
        resolver.start(recorder);
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    @Test
    void inThePodItTrustsTheServiceAccountCaAndSendsTheToken() throws Exception {
        startInPod("localhost", tls.pem);
        recorder.awaitAuthorities(WAIT, "10.0.0.1:8080");
        assertTrue(api.requests().stream().allMatch(r -> "Bearer pod-token".equals(r.authorization())), api.requests().toString());
    }

    @Test
    void anotherCaIsNotTrusted() throws Exception {
        startInPod("localhost", other.pem);
        IOException e = recorder.awaitError(x -> true, WAIT);
        assertTrue(e.getMessage().contains("PKIX") || e.getMessage().contains("certification path")
                || e.getMessage().contains("SSLHandshake"), e.getMessage());
        assertEquals(List.of(), recorder.sets(), "nothing is published from an untrusted server");
    }

    @Test
    void theHostNameIsVerified() throws Exception {
        startInPod("127.0.0.1", tls.pem);                                 // the certificate names localhost only
        IOException e = recorder.awaitError(x -> true, WAIT);
        assertTrue(e.getMessage().contains("No subject alternative") || e.getMessage().contains("SSLHandshake")
                || e.getMessage().contains("No name matching"), e.getMessage());
        assertEquals(List.of(), recorder.sets());
    }

    @Test
    void aMissingCaFileIsAnErrorNamingTheOption() throws Exception {
        Path gone = java.nio.file.Files.copy(tls.pem, dir.resolve("gone.crt"));
        startInPod("localhost", gone, () -> java.nio.file.Files.delete(gone));   // there when built, gone when started
        IOException e = recorder.awaitError(x -> true, WAIT);
        assertTrue(e.getMessage().contains("fairway.resolver.ca_file = '" + gone + "' cannot be read"), e.getMessage());
    }
}
