package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.Resolver;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Against the fabric8 Kubernetes mock API server in CRUD mode, over TLS with a bearer token that the server checks:
 * objects are created, changed and deleted through the fabric8 client, and the resolver sees them through list and
 * watch with the mock's resourceVersions.
 */
class Fabric8MockApiServerTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TOKEN = "sa-token-1";

    /** The CRUD dispatcher, refusing requests without the right bearer token. */
    static final class TokenCheckingDispatcher extends KubernetesCrudDispatcher {
        volatile String token = TOKEN;
        final AtomicInteger refused = new AtomicInteger();

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (!("Bearer " + token).equals(request.getHeader("Authorization"))) {
                refused.incrementAndGet();
                return new MockResponse().setResponseCode(401)
                        .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"Unauthorized\",\"code\":401}");
            }
            return super.dispatch(request);
        }
    }

    @TempDir
    Path dir;
    private final Env env = new Env();
    private final Recorder recorder = new Recorder();
    private final TokenCheckingDispatcher dispatcher = new TokenCheckingDispatcher();
    private MockWebServer web;
    private KubernetesMockServer server;
    private NamespacedKubernetesClient client;
    private Resolver resolver;
    private WatchBridge bridge;
    private Path tokenFile;

    @BeforeEach
    void setUp() throws IOException {
        web = new MockWebServer();
        server = new KubernetesMockServer(new Context(), web, new HashMap<>(), dispatcher, true);
        server.init();
        Config base = server.createClient().getConfiguration();
        client = server.createClient(b -> b.withConfig(new ConfigBuilder(base).withOauthToken(TOKEN).build()));
        client.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName("orders").withNamespace("shop")
                .endMetadata().withNewSpec().addNewPort().withName("http").withPort(80).withNewTargetPort("http-port").endPort().endSpec()
                .build()).create();
        tokenFile = Env.write(dir, "token", TOKEN + "\n");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (resolver != null) {
            resolver.close();
        }
        if (bridge != null) {
            bridge.close();
        }
        client.close();
        server.destroy();
        env.close();
        assertFalse(recorder.overlapped());
    }

    private Path ca() {
        return Path.of(web.getSelfSignedCertificate().certificatePath());
    }

    private static EndpointSlice slice(String name, String service, String... readyIps) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withName(name).withNamespace("shop")
                .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
        for (String ip : readyIps) {
            b.addNewEndpoint().withAddresses(ip).withNewConditions().withReady(true).endConditions().withZone("zone-a").endEndpoint();
        }
        return b.build();
    }

    private void create(EndpointSlice slice) {
        client.discovery().v1().endpointSlices().inNamespace("shop").resource(slice).create();
    }

    private Resolver start(String apiUrl, Map<String, Object> extra) {
        Map<String, Object> options = new HashMap<>(Map.of("api_url", apiUrl, "token_file", tokenFile.toString(),
                "ca_file", ca().toString(), "backoff_initial", "20ms", "backoff_max", "200ms"));
        options.putAll(extra);
        resolver = new KubernetesResolverProvider().create(env.context("orders.shop.svc.cluster.local", 80, options), env.env);
        resolver.start(recorder);
        return resolver;
    }

    @Test
    void listsOverTlsWithTheTokenTrustingOnlyTheGivenCaAndMapsTheServicePort() throws Exception {
        create(slice("orders-a", "orders", "10.0.0.1", "10.0.0.2"));
        create(slice("orders-b", "orders", "10.0.0.2", "10.0.0.3"));
        create(slice("billing-a", "billing", "10.0.9.9"));
        start("https://localhost:" + web.getPort(), Map.of());
        List<BackendAddress> set = recorder.awaitAuthorities(WAIT, "10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080");
        assertTrue(set.stream().allMatch(a -> a.zone().orElseThrow().equals("zone-a")), set.toString());
        assertEquals(0, dispatcher.refused.get(), "every request carried the token");
    }

    @Test
    void aRefusedTokenIsReportedAndTheRotatedOneReadAtOnce() throws Exception {
        create(slice("orders-a", "orders", "10.0.0.1"));
        dispatcher.token = "sa-token-2";                                  // the server moved on; the file still has the old one
        start("https://localhost:" + web.getPort(), Map.of());
        IOException e = recorder.awaitError(x -> x.getMessage().contains("answered 401"), WAIT);
        assertTrue(e.getMessage().contains("the API server refused the token (token_file)"), e.getMessage());
        Files.writeString(tokenFile, "sa-token-2");                        // kubelet writes the new token
        recorder.awaitAuthorities(WAIT, "10.0.0.1:8080");
    }

    @Test
    void followsCreateUpdateAndDeleteThroughTheWatch() throws Exception {
        create(slice("orders-a", "orders", "10.0.0.1"));
        bridge = new WatchBridge(URI.create("https://localhost:" + web.getPort()), ApiClient.sslContext(ca()));
        start(bridge.url(), Map.of());
        recorder.awaitAuthorities(WAIT, "10.0.0.1:8080");

        create(slice("orders-b", "orders", "10.0.0.2", "10.0.0.1"));      // a handover: 10.0.0.1 in two slices
        assertEquals(2, recorder.awaitAuthorities(WAIT, "10.0.0.1:8080", "10.0.0.2:8080").size());

        EndpointSlice changed = new EndpointSliceBuilder(slice("orders-b", "orders", "10.0.0.2", "10.0.0.1"))
                .editLastEndpoint().editConditions().withReady(false).withServing(true).withTerminating(true).endConditions()
                .endEndpoint().build();
        client.discovery().v1().endpointSlices().inNamespace("shop").resource(changed).update();
        // 10.0.0.1 is still ready in orders-a: the best state wins
        assertTrue(recorder.awaitAuthorities(WAIT, "10.0.0.1:8080", "10.0.0.2:8080").stream().noneMatch(BackendAddress::draining));

        client.discovery().v1().endpointSlices().inNamespace("shop").withName("orders-a").delete();
        List<BackendAddress> set = recorder.awaitLatest(s -> s.stream().anyMatch(BackendAddress::draining), WAIT);
        assertEquals(List.of("10.0.0.1:8080"), set.stream().filter(BackendAddress::draining).map(BackendAddress::authority).toList(),
                "the deleted slice took only its own endpoints; 10.0.0.1 now drains");
        assertEquals(2, set.size());
        assertEquals(0, dispatcher.refused.get());
    }
}
