package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.ResolverProvider;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeClock;
import dev.fairway.testing.ServiceDeclarations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class DnsResolverProviderTest {

    private final DnsResolverProvider provider = new DnsResolverProvider();

    @Test
    void declaresItsNamePriorityAndOptionsWithDefaults() {
        assertEquals("dns", provider.name());
        assertEquals(5, provider.priority());
        assertTrue(provider.isAvailable());
        assertEquals(List.of("refresh_interval", "refresh_jitter", "backoff_initial", "backoff_max", "min_refresh_interval"),
                provider.options().stream().map(Option::key).toList());
        OptionValues defaults = OptionValues.defaults(provider.options());
        assertEquals(Duration.ofSeconds(30), defaults.get(DnsResolverProvider.REFRESH_INTERVAL));
        assertEquals(0.1, defaults.get(DnsResolverProvider.REFRESH_JITTER));
        assertEquals(Duration.ofSeconds(1), defaults.get(DnsResolverProvider.BACKOFF_INITIAL));
        assertEquals(Duration.ofSeconds(30), defaults.get(DnsResolverProvider.BACKOFF_MAX));
        assertEquals(Duration.ofSeconds(1), defaults.get(DnsResolverProvider.MIN_REFRESH_INTERVAL));
    }

    @ParameterizedTest
    @CsvSource({
            "refresh_interval, -1s",
            "refresh_interval, 50ms",
            "refresh_interval, 2h",
            "refresh_interval, often",
            "refresh_jitter, 0.9",
            "refresh_jitter, -0.1",
            "backoff_initial, 5ms",
            "backoff_max, 61m",
            "min_refresh_interval, 2h",
    })
    void rejectsBadValuesNamingTheKey(String key, String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.of("fairway.resolver.", provider.options(), Map.of(key, value)));
        assertTrue(e.getMessage().startsWith("fairway.resolver." + key + " = '" + value + "'"), e.getMessage());
    }

    @Test
    void acceptsTheRangeLimits() {
        OptionValues v = OptionValues.of("fairway.resolver.", provider.options(), Map.of("refresh_interval", "100ms",
                "refresh_jitter", "0.5", "backoff_initial", "10ms", "backoff_max", "1h", "min_refresh_interval", "0s"));
        assertEquals(Duration.ofMillis(100), v.get(DnsResolverProvider.REFRESH_INTERVAL));
        assertEquals(0.5, v.get(DnsResolverProvider.REFRESH_JITTER));
        assertEquals(Duration.ZERO, v.get(DnsResolverProvider.MIN_REFRESH_INTERVAL));
        provider.validate(v);
    }

    @Test
    void rejectsABackoffInitialLongerThanTheMaximum() {
        OptionValues bad = OptionValues.of("fairway.resolver.", provider.options(),
                Map.of("backoff_initial", "5s", "backoff_max", "2s"));
        IllegalArgumentException atValidate = assertThrows(IllegalArgumentException.class, () -> provider.validate(bad));
        IllegalArgumentException atCreate = assertThrows(IllegalArgumentException.class, () -> provider.create(
                new ResolverContext(new Target("http", "orders.svc", 80), bad, new FakeClock(), new FakeClock(),
                        Runnable::run, 1)));
        for (IllegalArgumentException e : List.of(atValidate, atCreate)) {
            assertTrue(e.getMessage().contains("fairway.resolver.backoff_initial = 5s"), e.getMessage());
            assertTrue(e.getMessage().contains("fairway.resolver.backoff_max = 2s"), e.getMessage());
        }
        OptionValues equal = OptionValues.of("fairway.resolver.", provider.options(),
                Map.of("backoff_initial", "2s", "backoff_max", "2s"));
        provider.validate(equal);
    }

    @Test
    void resolvesThroughTheSystemResolver() throws Exception {
        for (String host : List.of("localhost", "127.0.0.2")) {
            List<BackendAddress> addresses = resolveForReal(host);
            assertFalse(addresses.isEmpty());
            for (BackendAddress a : addresses) {
                assertTrue(a.socketAddress().getAddress().isLoopbackAddress(), host + " gave " + addresses);
                assertEquals(8080, a.socketAddress().getPort());
            }
            if (host.equals("127.0.0.2")) {
                assertEquals(List.of(BackendAddress.of(InetAddress.getByName("127.0.0.2"), 8080)), addresses);
            }
        }
    }

    private List<BackendAddress> resolveForReal(String host) throws Exception {
        FakeClock clock = new FakeClock();
        CompletableFuture<List<BackendAddress>> result = new CompletableFuture<>();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        OptionValues options = OptionValues.defaults(provider.options());
        try (Resolver resolver = provider.create(new ResolverContext(new Target("http", host, 8080), options, clock,
                clock, executor, 11))) {
            resolver.start(new Resolver.Listener() {
                @Override
                public void onAddresses(List<BackendAddress> addresses) {
                    result.complete(addresses);
                }

                @Override
                public void onError(IOException error) {
                    result.completeExceptionally(error);
                }
            });
            clock.runDueTasks();
            return result.get(5, TimeUnit.SECONDS);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void isDiscoveredOnTheModulePathAndTheClassPath() {
        getClass().getModule().addUses(ResolverProvider.class);
        List<ResolverProvider> found = ServiceLoader.load(ResolverProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("dns")).toList();
        assertEquals(1, found.size(), "providers named dns: " + found);
        ResolverProvider dns = found.get(0);
        assertEquals(DnsResolverProvider.class.getName(), dns.getClass().getName());

        String path = System.getProperty("test.fairway.path");
        Module module = dns.getClass().getModule();
        if ("module".equals(path)) {
            assertTrue(module.isNamed(), "on the module path the provider must come from its module");
            assertEquals("dev.fairway.resolver.dns", module.getName());
            assertEquals(List.of(), module.getDescriptor().exports().stream().toList(), "exports nothing");
        } else if ("classpath".equals(path)) {
            assertFalse(module.isNamed(), "on the class path the provider must come from META-INF/services");
        } else {
            fail("system property test.fairway.path must be 'module' or 'classpath', was " + path);
        }
    }

    @Test
    void providesClauseAndServicesFileAgree() {
        ServiceDeclarations.assertConsistent(DnsResolverProvider.class);
        assertEquals(List.of(), ServiceDeclarations.mismatches(DnsResolverProvider.class));
    }
}
