package dev.fairway.demo;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver.LookupPolicy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The JVM really uses DemoDns, found on the module path and on the class path, and keeps its answer order. */
class DemoDnsTest {

    @Test
    void theJvmResolvesRegisteredNamesThroughDemoDnsInOrder() throws UnknownHostException {
        String name = "order-check.demo.invalid";
        List<InetAddress> answer = List.of(InetAddress.getByName("127.0.0.6"), InetAddress.getByName("127.0.0.2"),
                InetAddress.getByName("127.0.0.4"));
        DemoDns.answer(name, answer);
        try {
            long before = DemoDns.lookups();
            assertEquals(answer, List.of(InetAddress.getAllByName(name.toUpperCase(Locale.ROOT))));
            assertEquals(before + 1, DemoDns.lookups());
        } finally {
            DemoDns.forget(name);
        }
    }

    @Test
    void aNameWithNoAddressesDoesNotResolve() {
        String name = "empty.demo.invalid";
        DemoDns.answer(name, List.of());
        try {
            assertThrows(UnknownHostException.class, () -> InetAddress.getAllByName(name));
        } finally {
            DemoDns.forget(name);
        }
    }

    @Test
    void selectFollowsTheLookupPolicy() throws UnknownHostException {
        InetAddress v4 = InetAddress.getByName("127.0.0.2");
        InetAddress v6 = InetAddress.getByName("::1");
        List<InetAddress> both = List.of(v4, v6);
        assertEquals(List.of(v4), DemoDns.select(both, LookupPolicy.IPV4));
        assertEquals(List.of(v6), DemoDns.select(both, LookupPolicy.IPV6));
        assertEquals(List.of(v6, v4), DemoDns.select(both, LookupPolicy.IPV4 | LookupPolicy.IPV6 | LookupPolicy.IPV6_FIRST));
        assertEquals(both, DemoDns.select(both, LookupPolicy.IPV4 | LookupPolicy.IPV6));
    }

    @Test
    void comesFromTheModuleOnTheModulePathAndFromTheServicesFileOnTheClassPath() throws IOException {
        // surefire's executions name the path they run on (the parent pom sets it)
        String path = System.getProperty("test.fairway.path");
        assertTrue("module".equals(path) || "classpath".equals(path), "surefire sets test.fairway.path; was " + path);
        assertEquals(path.equals("module"), DemoDns.class.getModule().isNamed(), "test path " + path);
        if (DemoDns.class.getModule().isNamed()) {
            assertEquals(List.of(DemoDns.class.getName()), DemoDns.class.getModule().getDescriptor().provides().stream()
                    .filter(p -> p.service().equals("java.net.spi.InetAddressResolverProvider"))
                    .flatMap(p -> p.providers().stream()).toList());
        }
        try (InputStream in = DemoDns.class.getResourceAsStream("/META-INF/services/java.net.spi.InetAddressResolverProvider")) {
            assertEquals(List.of(DemoDns.class.getName()), new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
        }
    }
}
