package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.ResolverProvider;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeClock;
import dev.fairway.testing.ServiceDeclarations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.module.ModuleDescriptor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class KubernetesResolverProviderTest {

    private static final Map<String, String> IN_POD = Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443");
    private final KubernetesResolverProvider provider = new KubernetesResolverProvider();

    @Test
    void declaresItsNamePriorityAndOptionsWithDefaults() {
        assertEquals("kubernetes", provider.name());
        assertEquals(5, provider.priority());
        assertTrue(provider.isAvailable());
        assertEquals(List.of("cluster_domain", "namespace_file", "port_mode", "service_refresh", "api_url", "token_file",
                        "token_refresh", "ca_file", "request_timeout", "watch_timeout", "stall_timeout", "backoff_initial",
                        "backoff_max", "max_slices", "max_endpoints", "max_line_bytes", "max_response_bytes"),
                provider.options().stream().map(Option::key).toList());
        OptionValues d = OptionValues.defaults(provider.options());
        assertEquals("cluster.local", d.get(KubernetesOptions.CLUSTER_DOMAIN));
        assertEquals("/var/run/secrets/kubernetes.io/serviceaccount/namespace", d.get(KubernetesOptions.NAMESPACE_FILE));
        assertEquals("/var/run/secrets/kubernetes.io/serviceaccount/token", d.get(KubernetesOptions.TOKEN_FILE));
        assertEquals("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", d.get(KubernetesOptions.CA_FILE));
        assertEquals(KubernetesOptions.PortMode.SERVICE, d.get(KubernetesOptions.PORT_MODE));
        assertEquals(Duration.ofMinutes(1), d.get(KubernetesOptions.TOKEN_REFRESH));
        assertEquals(Duration.ofMinutes(2), d.get(KubernetesOptions.STALL_TIMEOUT));
        assertEquals(Duration.ofMinutes(5), d.get(KubernetesOptions.WATCH_TIMEOUT));
        assertEquals(1000, d.get(KubernetesOptions.MAX_SLICES));
        assertEquals(10_000, d.get(KubernetesOptions.MAX_ENDPOINTS));
        assertEquals(4 << 20, d.get(KubernetesOptions.MAX_LINE_BYTES));
        assertEquals("", d.get(KubernetesOptions.API_URL));
    }

    @ParameterizedTest
    @CsvSource({
            "cluster_domain, cluster_local",
            "cluster_domain, -x.local",
            "api_url, ftp://127.0.0.1:8001",
            "api_url, 127.0.0.1:8001",
            "api_url, http://127.0.0.1:8001/api",
            "api_url, http://user@127.0.0.1:8001",
            "api_url, http://127.0.0.1:8001?x=1",
            "port_mode, target",
            "token_refresh, 2m",
            "token_refresh, 500ms",
            "stall_timeout, 50ms",
            "max_slices, 0",
            "max_endpoints, 1000001",
            "max_line_bytes, 100",
            "backoff_initial, 5ms",
    })
    void rejectsBadValuesNamingTheKeyTheValueAndWhatIsAllowed(String key, String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.of("fairway.resolver.", provider.options(), Map.of(key, value)));
        assertTrue(e.getMessage().startsWith("fairway.resolver." + key + " = '" + value + "' is not allowed: use "), e.getMessage());
    }

    @Test
    void acceptsGoodValues() {
        OptionValues v = OptionValues.of("fairway.resolver.", provider.options(), Map.of("api_url", "http://127.0.0.1:8001/",
                "cluster_domain", "K8s.Example.", "port_mode", "endpoint", "token_file", ""));
        assertEquals("http://127.0.0.1:8001", v.get(KubernetesOptions.API_URL));
        assertEquals("k8s.example", v.get(KubernetesOptions.CLUSTER_DOMAIN));
        provider.validate(v, name -> null);
    }

    @Test
    void anApiUrlSchemeInCapitalsIsTakenInLowerCaseSoThatTlsUsesTheGivenCa() {
        OptionValues v = OptionValues.of("fairway.resolver.", provider.options(), Map.of("api_url", "HTTPS://Kube.Example:6443/"));
        assertEquals("https://Kube.Example:6443", v.get(KubernetesOptions.API_URL));
    }

    @Test
    void outsideAPodApiUrlIsRequiredAtValidation() {
        OptionValues defaults = OptionValues.defaults(provider.options());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.validate(defaults, name -> null));
        assertTrue(e.getMessage().startsWith("fairway.resolver.api_url = '' (in the cluster) is not allowed here: KUBERNETES_SERVICE_HOST"
                + " is not set"), e.getMessage());
        assertTrue(e.getMessage().contains("http://127.0.0.1:8001"), e.getMessage());
        provider.validate(defaults, IN_POD::get);
    }

    @Test
    void givenFilesMustBeReadableAtValidation(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        for (String key : List.of("token_file", "ca_file", "namespace_file")) {
            String absent = dir.resolve("absent-" + key).toString();
            OptionValues v = OptionValues.of("fairway.resolver.", provider.options(), Map.of("api_url", "http://127.0.0.1:8001", key, absent));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.validate(v, name -> null));
            assertTrue(e.getMessage().startsWith("fairway.resolver." + key + " = '" + absent + "' is not allowed: no readable file is there;"
                    + " give the path of "), e.getMessage());
        }
        String present = Env.write(dir, "token", "t").toString();
        provider.validate(OptionValues.of("fairway.resolver.", provider.options(), Map.of("api_url", "http://127.0.0.1:8001",
                "token_file", present, "ca_file", present, "namespace_file", present)), name -> null);
    }

    @Test
    void rejectsABackoffInitialLongerThanTheMaximumAtValidateAndCreate() {
        OptionValues bad = OptionValues.of("fairway.resolver.", provider.options(), Map.of("backoff_initial", "5s", "backoff_max", "2s"));
        IllegalArgumentException atValidate = assertThrows(IllegalArgumentException.class, () -> provider.validate(bad, IN_POD::get));
        IllegalArgumentException atCreate = assertThrows(IllegalArgumentException.class, () -> provider.create(context("orders.shop", bad),
                IN_POD::get));
        for (IllegalArgumentException e : List.of(atValidate, atCreate)) {
            assertTrue(e.getMessage().contains("fairway.resolver.backoff_initial = 5s is longer than fairway.resolver.backoff_max = 2s"),
                    e.getMessage());
        }
    }

    @Test
    void createRejectsAHostThatNamesNoService() {
        OptionValues v = OptionValues.defaults(provider.options());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider.create(context("orders.shop.example.com", v), IN_POD::get));
        assertTrue(e.getMessage().startsWith("host 'orders.shop.example.com' names no Kubernetes Service"), e.getMessage());
        assertNotNull(provider.create(context("orders.shop.svc.cluster.local", v), IN_POD::get));
    }

    private static ResolverContext context(String host, OptionValues options) {
        FakeClock clock = new FakeClock();
        return new ResolverContext(new Target("http", host, 80), options, clock, clock, Runnable::run, 1);
    }

    @Test
    void isDiscoveredOnTheModulePathAndTheClassPath() {
        getClass().getModule().addUses(ResolverProvider.class);
        List<ResolverProvider> found = ServiceLoader.load(ResolverProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("kubernetes")).toList();
        assertEquals(1, found.size(), "providers named kubernetes: " + found);
        assertEquals(KubernetesResolverProvider.class.getName(), found.get(0).getClass().getName());
        String path = System.getProperty("test.fairway.path");
        Module module = found.get(0).getClass().getModule();
        if ("module".equals(path)) {
            assertTrue(module.isNamed(), "on the module path the provider must come from its module");
            assertEquals("dev.fairway.resolver.kubernetes", module.getName());
            assertEquals(Set.of(), module.getDescriptor().exports(), "exports nothing");
            assertEquals(Set.of("java.base", "dev.fairway.spi"), module.getDescriptor().requires().stream()
                    .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()), "the JDK alone, through the SPI");
        } else if ("classpath".equals(path)) {
            assertFalse(module.isNamed(), "on the class path the provider must come from META-INF/services");
        } else {
            fail("system property test.fairway.path must be 'module' or 'classpath', was " + path);
        }
    }

    @Test
    void providesClauseAndServicesFileAgree() {
        ServiceDeclarations.assertConsistent(KubernetesResolverProvider.class);
        assertEquals(List.of(), ServiceDeclarations.mismatches(KubernetesResolverProvider.class));
    }
}
