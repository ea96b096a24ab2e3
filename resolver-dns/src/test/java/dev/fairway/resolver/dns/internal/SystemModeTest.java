package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Target;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolverProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code dns} in system mode, through the JVM's resolver, which a test-only {@link InetAddressResolverProvider}
 * ({@code dev.fairway.testdns.TestDns}) serves: from its module's {@code provides} clause on the module path, from a
 * {@code META-INF/services} file on the class path. The surefire executions turn the JVM's positive address cache off
 * ({@code sun.net.inetaddr.ttl=0}), so that changed answers show at the next refresh; failures stay cached for
 * {@code networkaddress.cache.negative.ttl} (10 s, set in the JDK's {@code java.security}, which wins over the
 * system property).
 */
class SystemModeTest {

    private static final String TEST_DNS = "dev.fairway.testdns.TestDns";

    private static Class<?> testDns() {
        try {
            return Class.forName(TEST_DNS, true, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(TEST_DNS + " is not on the module path or class path: the surefire executions of"
                    + " resolver-dns/pom.xml put target/test-dns there", e);
        }
    }

    static void answer(String name, String... ips) throws Exception {
        List<InetAddress> addresses = new ArrayList<>();
        for (String ip : ips) {
            addresses.add(InetAddress.getByName(ip));              // literals: no look-up
        }
        try {
            testDns().getMethod("answer", String.class, List.class).invoke(null, name, addresses);
        } catch (InvocationTargetException e) {
            throw new AssertionError(e.getCause());
        }
    }

    static long lookups(String name) throws Exception {
        return (long) testDns().getMethod("lookups", String.class).invoke(null, name);
    }

    private static Live live(String host, Map<String, String> extra) {
        Map<String, String> options = new java.util.HashMap<>(Map.of("mode", "system", "refresh_interval", "200ms",
                "backoff_initial", "50ms", "backoff_max", "200ms"));
        options.putAll(extra);
        return new Live(new DnsResolverProvider(), new Target("http", host, 8080), options);
    }

    @Test
    void theJvmResolvesThroughTheTestProviderFromTheRightPlace() throws Exception {
        answer("origin.sys.test", "127.0.0.9");
        assertEquals(List.of(InetAddress.getByName("127.0.0.9")), List.of(InetAddress.getAllByName("origin.sys.test")));
        assertTrue(lookups("origin.sys.test") >= 1, "the JVM asked the test provider");
        Module module = testDns().getModule();
        String path = System.getProperty("test.fairway.path");
        if ("module".equals(path)) {
            assertTrue(module.isNamed(), "on the module path the provider comes from its module");
            assertEquals("dev.fairway.testdns", module.getName());
            assertEquals(List.of(TEST_DNS), module.getDescriptor().provides().stream()
                    .filter(p -> p.service().equals(InetAddressResolverProvider.class.getName()))
                    .flatMap(p -> p.providers().stream()).toList());
        } else if ("classpath".equals(path)) {
            assertFalse(module.isNamed(), "on the class path the provider comes from META-INF/services");
        } else {
            fail("system property test.fairway.path must be 'module' or 'classpath', was " + path);
        }
    }

    @Test
    void followsChangedAnswersOfTheSystemResolver() throws Exception {
        answer("pods.sys.test", "127.0.0.2", "127.0.0.3", "127.0.0.4");
        try (Live live = live("pods.sys.test", Map.of())) {
            live.awaitSockets(Set.of("127.0.0.2:8080", "127.0.0.3:8080", "127.0.0.4:8080"));
            answer("pods.sys.test", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7");
            live.awaitSockets(Set.of("127.0.0.2:8080", "127.0.0.3:8080", "127.0.0.4:8080", "127.0.0.5:8080",
                    "127.0.0.6:8080", "127.0.0.7:8080"));
            answer("pods.sys.test", "127.0.0.7");
            live.awaitSockets(Set.of("127.0.0.7:8080"));
            assertEquals(List.of(), live.errors());
        }
    }

    @Test
    void aFailingNameKeepsTheLastGoodSetWhateverTheEmptyAnswerRule() throws Exception {
        answer("failing.sys.test", "127.0.0.2", "127.0.0.3");
        try (Live live = live("failing.sys.test", Map.of("empty_answer", "believe"))) {
            live.awaitSockets(Set.of("127.0.0.2:8080", "127.0.0.3:8080"));
            answer("failing.sys.test");
            List<IOException> errors = live.awaitErrors(3);
            assertEquals(1, live.addressSets().size(), "the JDK cannot tell NXDOMAIN from an outage: the set is kept");
            IOException e = errors.get(0);
            assertInstanceOf(UnknownHostException.class, e);
            assertTrue(e.getMessage().startsWith("cannot resolve failing.sys.test: UnknownHostException: failing.sys.test:"
                    + " the test DNS has no addresses for this name; keeping the last 2 addresses"), e.getMessage());
            // Recovery is not waited for here: the JVM caches the failure for networkaddress.cache.negative.ttl (10 s).
        }
    }

    @Test
    void theAddressPolicyFiltersWhatTheSystemResolverReturns() throws Exception {
        answer("dual.sys.test", "127.0.0.2", "fd00::2");
        try (Live live = live("dual.sys.test", Map.of())) {
            live.awaitSockets(Set.of("127.0.0.2:8080"));
        }
        try (Live live = live("dual.sys.test", Map.of("address_policy", "both"))) {
            live.awaitSockets(Set.of("127.0.0.2:8080", "fd00:0:0:0:0:0:0:2:8080"));
        }
        try (Live live = live("dual.sys.test", Map.of("address_policy", "ipv6_only", "min_addresses", "2"))) {
            live.awaitSockets(Set.of("fd00:0:0:0:0:0:0:2:8080"));
            assertEquals(2, live.last().size());
        }
    }
}
