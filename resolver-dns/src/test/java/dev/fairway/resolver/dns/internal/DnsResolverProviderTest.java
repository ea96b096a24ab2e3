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
import java.lang.module.ModuleDescriptor;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

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
        assertEquals(List.of("refresh_interval", "ttl_min", "ttl_max", "refresh_jitter", "backoff_initial", "backoff_max",
                        "min_refresh_interval", "address_policy", "empty_answer", "min_addresses", "mode", "name_servers",
                        "query_timeout", "query_attempts"),
                provider.options().stream().map(Option::key).toList());
        OptionValues defaults = OptionValues.defaults(provider.options());
        assertEquals(RefreshInterval.TTL, defaults.get(DnsOptions.REFRESH_INTERVAL));
        assertEquals(Duration.ofSeconds(1), defaults.get(DnsOptions.TTL_MIN));
        assertEquals(Duration.ofSeconds(30), defaults.get(DnsOptions.TTL_MAX));
        assertEquals(0.1, defaults.get(DnsOptions.REFRESH_JITTER));
        assertEquals(Duration.ofSeconds(1), defaults.get(DnsOptions.BACKOFF_INITIAL));
        assertEquals(Duration.ofSeconds(30), defaults.get(DnsOptions.BACKOFF_MAX));
        assertEquals(Duration.ofSeconds(1), defaults.get(DnsOptions.MIN_REFRESH_INTERVAL));
        assertEquals(AddressPolicy.PREFER_IPV4, defaults.get(DnsOptions.ADDRESS_POLICY));
        assertEquals(new EmptyAnswerRule(3), defaults.get(DnsOptions.EMPTY_ANSWER));
        assertEquals(1, defaults.get(DnsOptions.MIN_ADDRESSES));
        assertEquals(DnsOptions.Mode.DIRECT, defaults.get(DnsOptions.MODE));
        assertEquals(List.of(), defaults.get(DnsOptions.NAME_SERVERS));
        assertEquals(Duration.ofSeconds(1), defaults.get(DnsOptions.QUERY_TIMEOUT));
        assertEquals(2, defaults.get(DnsOptions.QUERY_ATTEMPTS));
    }

    @Test
    void theSrvProviderDeclaresItsNamePriorityAndOptionsWithDefaults() {
        DnsSrvResolverProvider srv = new DnsSrvResolverProvider();
        assertEquals("dns_srv", srv.name());
        assertEquals(5, srv.priority());
        assertTrue(srv.isAvailable(), "needs nothing beyond java.base");
        assertEquals(List.of("refresh_interval", "ttl_min", "ttl_max", "refresh_jitter", "backoff_initial", "backoff_max",
                        "min_refresh_interval", "address_policy", "empty_answer", "min_addresses", "service", "protocol",
                        "ports", "name_servers", "query_timeout", "query_attempts"),
                srv.options().stream().map(Option::key).toList());
        OptionValues defaults = OptionValues.defaults(srv.options());
        assertEquals("", defaults.get(DnsOptions.SERVICE));
        assertEquals("tcp", defaults.get(DnsOptions.PROTOCOL));
        assertEquals("1-65535", defaults.get(DnsOptions.PORTS).toString());
        OptionValues given = OptionValues.of("fairway.resolver.", srv.options(), Map.of("service", "_Grpc", "protocol", "UDP",
                "ports", " 8443, 8000 - 8099,443"));
        assertEquals("grpc", given.get(DnsOptions.SERVICE));
        assertEquals("udp", given.get(DnsOptions.PROTOCOL));
        SrvPorts ports = given.get(DnsOptions.PORTS);
        assertEquals("8443,8000-8099,443", ports.toString());
        assertTrue(ports.allows(443) && ports.allows(8000) && ports.allows(8099) && ports.allows(8443));
        assertTrue(!ports.allows(0) && !ports.allows(22) && !ports.allows(8100) && !ports.allows(65535));
        assertTrue(!defaults.get(DnsOptions.PORTS).allows(0) && defaults.get(DnsOptions.PORTS).allows(65535));
        srv.validate(given);
        for (String bad : List.of("0", "65536", "22-21", "", "ssh", "1-2-3", "8000,", "99999999999")) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> OptionValues.of("fairway.resolver.", srv.options(), Map.of("ports", bad)));
            assertTrue(e.getMessage().startsWith("fairway.resolver.ports = '" + bad + "' is not allowed: use ports and ranges from"
                    + " 1 to 65535"), e.getMessage());
        }
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
            "address_policy, ipv5_only",
            "address_policy, ipv4",
            "empty_answer, sometimes",
            "empty_answer, believe_after:0",
            "min_addresses, 0",
            "min_addresses, 65",
            "mode, dnssec",
            "name_servers, dns.example",
            "name_servers, 10.0.0.1:0",
            "query_timeout, 5ms",
            "query_timeout, 31s",
            "query_attempts, 0",
            "query_attempts, 11",
    })
    void rejectsBadValuesNamingTheKey(String key, String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.of("fairway.resolver.", provider.options(), Map.of(key, value)));
        assertTrue(e.getMessage().startsWith("fairway.resolver." + key + " = '" + value + "' is not allowed: use "), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
            "service, _http_",
            "service, a.b",
            "service, -x",
            "protocol, ''",
            "protocol, t c p",
    })
    void theSrvProviderRejectsBadLabels(String key, String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.of("fairway.resolver.", new DnsSrvResolverProvider().options(), Map.of(key, value)));
        assertTrue(e.getMessage().startsWith("fairway.resolver." + key + " = '" + value + "' is not allowed: use a DNS label"),
                e.getMessage());
    }

    @Test
    void acceptsTheRangeLimits() {
        OptionValues v = OptionValues.of("fairway.resolver.", provider.options(), Map.ofEntries(
                Map.entry("refresh_interval", "100ms"), Map.entry("refresh_jitter", "0.5"), Map.entry("backoff_initial", "10ms"),
                Map.entry("backoff_max", "1h"), Map.entry("min_refresh_interval", "0s"), Map.entry("address_policy", "IPV6-only"),
                Map.entry("empty_answer", "believe_after:100"), Map.entry("min_addresses", "64"), Map.entry("mode", "direct"),
                Map.entry("name_servers", "127.0.0.1:1,[::1]:65535"), Map.entry("query_timeout", "10ms"),
                Map.entry("query_attempts", "10")));
        assertEquals(Optional.of(Duration.ofMillis(100)), v.get(DnsOptions.REFRESH_INTERVAL).fixed());
        assertEquals(0.5, v.get(DnsOptions.REFRESH_JITTER));
        assertEquals(Duration.ZERO, v.get(DnsOptions.MIN_REFRESH_INTERVAL));
        assertEquals(AddressPolicy.IPV6_ONLY, v.get(DnsOptions.ADDRESS_POLICY));
        assertEquals(2, v.get(DnsOptions.NAME_SERVERS).size());
        provider.validate(v);
    }

    @Test
    void directQueryOptionsNeedModeDirect() {
        for (Map<String, String> given : List.of(Map.of("mode", "system", "name_servers", "10.0.0.53"),
                Map.of("mode", "system", "query_timeout", "2s"), Map.of("mode", "system", "query_attempts", "3"))) {
            OptionValues v = OptionValues.of("fairway.resolver.", provider.options(), given);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.validate(v));
            String key = given.keySet().stream().filter(k -> !k.equals("mode")).findFirst().orElseThrow();
            assertTrue(e.getMessage().startsWith("fairway.resolver." + key + " = '"), e.getMessage());
            assertTrue(e.getMessage().contains("applies only to direct queries: add fairway.resolver.mode=direct"), e.getMessage());
        }
        provider.validate(OptionValues.of("fairway.resolver.", provider.options(),
                Map.of("mode", "direct", "name_servers", "10.0.0.53", "query_timeout", "2s", "query_attempts", "3")));
        provider.validate(OptionValues.of("fairway.resolver.", provider.options(),
                Map.of("name_servers", "10.0.0.53", "query_timeout", "2s", "query_attempts", "3")));   // direct is the default
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

    @ParameterizedTest
    @CsvSource({"dns, dev.fairway.resolver.dns.internal.DnsResolverProvider",
            "dns_srv, dev.fairway.resolver.dns.internal.DnsSrvResolverProvider"})
    void isDiscoveredOnTheModulePathAndTheClassPath(String name, String className) {
        getClass().getModule().addUses(ResolverProvider.class);
        List<ResolverProvider> found = ServiceLoader.load(ResolverProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals(name)).toList();
        assertEquals(1, found.size(), "providers named " + name + ": " + found);
        ResolverProvider dns = found.get(0);
        assertEquals(className, dns.getClass().getName());

        String path = System.getProperty("test.fairway.path");
        Module module = dns.getClass().getModule();
        if ("module".equals(path)) {
            assertTrue(module.isNamed(), "on the module path the provider must come from its module");
            assertEquals("dev.fairway.resolver.dns", module.getName());
            assertEquals(List.of(), module.getDescriptor().exports().stream().toList(), "exports nothing");
            assertEquals(Set.of("java.base", "dev.fairway.spi"), module.getDescriptor().requires().stream()
                    .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()), "its own DNS client: no JNDI");
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

    @Test
    void createRejectsWhatValidateRejects() {
        OptionValues bad = OptionValues.of("fairway.resolver.", provider.options(),
                Map.of("mode", "system", "name_servers", "10.0.0.53"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.create(
                new ResolverContext(new Target("http", "orders.svc", 80), bad, new FakeClock(), new FakeClock(), Runnable::run, 1)));
        assertTrue(e.getMessage().contains("applies only to direct queries"), e.getMessage());
    }
}
