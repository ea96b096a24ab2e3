package dev.fairway.internal;

import dev.fairway.FairwayListener;
import dev.fairway.ProviderRegistry;
import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthCheckContext;
import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Provider;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.net.Authenticator;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A ClientConfig built by name holds each value under its own name; a forgotten component fails, naming it. */
class ClientConfigTest {

    private static <P extends Provider<?, ?>> ClientConfig.Selected<P> selected(P provider) {
        return new ClientConfig.Selected<>(provider, OptionValues.of("fairway.x.", List.of(), Map.of()));
    }

    /** Every component set to a value no other component of its type has. */
    private static ClientConfig.Builder complete() throws Exception {
        HealthCheckProvider health = new HealthCheckProvider() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public HealthCheck create(HealthCheckContext context) {
                throw new UnsupportedOperationException();
            }
        };
        return ClientConfig.builder()
                .connectTimeout(Duration.ofSeconds(1))
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(SSLContext.getDefault())
                .sslParameters(new SSLParameters())
                .executor(Runnable::run)
                .redirect(HttpClient.Redirect.NORMAL)
                .cookieHandler(new CookieManager())
                .resolveTimeout(Duration.ofSeconds(2))
                .resolver(selected(ProviderRegistry.resolvers().get("static")))
                .picker(selected(ProviderRegistry.pickers().get("round_robin")))
                .health(selected(health))
                .lifetime(selected(ProviderRegistry.lifetimePolicies().get("never")))
                .listeners(List.of(event -> { }))
                .ticker(() -> 42)
                .scheduler((task, delay) -> null)
                .seed(3)
                .priority(4)
                .authenticator(new Authenticator() { })
                .localAddress(InetAddress.getLoopbackAddress())
                .leafFactory(HttpClient.Builder::build)
                .maxConcurrency(5)
                .maxQueued(7)
                .maxTargets(9)
                .refusedAddresses(java.util.Set.of())
                .queueTimeout(Duration.ofSeconds(6))
                .idleTimeout(Duration.ofSeconds(7))
                .panicThreshold(0.25)
                .outliers(OutlierDetection.of(Map.of()))
                .subsetSize(8)
                .subsetKey(9)
                .jmx(false);
    }

    @Test
    void eachValueIsReadUnderTheNameItWasSetBy() throws Exception {
        ClientConfig c = complete().build();
        assertEquals(Optional.of(Duration.ofSeconds(1)), c.connectTimeout());
        assertEquals(HttpClient.Version.HTTP_1_1, c.version());
        assertTrue(c.sslContext().isPresent() && c.sslParameters().isPresent() && c.executor().isPresent());
        assertEquals(HttpClient.Redirect.NORMAL, c.redirect());
        assertTrue(c.cookieHandler().isPresent());
        assertEquals(Duration.ofSeconds(2), c.resolveTimeout());
        assertEquals("static", c.resolver().provider().name());
        assertEquals("round_robin", c.picker().provider().name());
        assertEquals("test", c.health().orElseThrow().provider().name());
        assertEquals("never", c.lifetime().provider().name());
        assertEquals(1, c.listeners().size());
        assertEquals(42, c.ticker().orElseThrow().read());
        assertTrue(c.scheduler().isPresent());
        assertEquals(3, c.seed());
        assertEquals(4, c.priority());
        assertTrue(c.authenticator().isPresent());
        assertEquals(Optional.of(InetAddress.getLoopbackAddress()), c.localAddress());
        assertEquals(5, c.maxConcurrency());
        assertEquals(Duration.ofSeconds(6), c.queueTimeout());
        assertEquals(Duration.ofSeconds(7), c.idleTimeout());
        assertEquals(0.25, c.panicThreshold());
        assertEquals(OutlierDetection.of(Map.of()), c.outliers());
        assertEquals(8, c.subsetSize());
        assertEquals(9, c.subsetKey());
        assertEquals(false, c.jmx());
    }

    @Test
    void theLeafFactoryIsKeptAsGiven() throws Exception {
        Function<HttpClient.Builder, HttpClient> factory = HttpClient.Builder::build;
        assertSame(factory, complete().leafFactory(factory).build().leafFactory());
    }

    @Test
    void optionalComponentsStartEmpty() throws Exception {
        ClientConfig c = complete().connectTimeout(null).sslContext(null).sslParameters(null).executor(null)
                .cookieHandler(null).health(null).ticker(null).scheduler(null).authenticator(null).localAddress(null)
                .build();
        for (Optional<?> o : List.of(c.connectTimeout(), c.sslContext(), c.sslParameters(), c.executor(), c.cookieHandler(),
                c.health(), c.ticker(), c.scheduler(), c.authenticator(), c.localAddress())) {
            assertTrue(o.isEmpty(), o.toString());
        }
    }

    @Test
    void aRequiredComponentLeftUnsetIsNamed() throws Exception {
        assertEquals("ClientConfig.idleTimeout was not set",
                assertThrows(IllegalStateException.class, () -> complete().idleTimeout(null).build()).getMessage());
        assertEquals("ClientConfig.picker was not set",
                assertThrows(IllegalStateException.class, () -> complete().picker(null).build()).getMessage());
        assertEquals("ClientConfig.version was not set",
                assertThrows(IllegalStateException.class, () -> ClientConfig.builder().build()).getMessage());
    }

    @Test
    void listenersAreCopied() throws Exception {
        List<FairwayListener> listeners = new java.util.ArrayList<>(List.of(event -> { }));
        ClientConfig.Builder b = complete().listeners(listeners);
        listeners.clear();
        assertEquals(1, b.build().listeners().size());
    }
}
