package dev.fairway.spi;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendAddressTest {

    private static InetAddress ip(int... bytes) throws UnknownHostException {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return InetAddress.getByAddress(b);
    }

    @Test
    void ofHasWeightOneAndNoAttributes() throws Exception {
        BackendAddress address = BackendAddress.of(ip(10, 0, 0, 7), 8080);
        assertEquals(new InetSocketAddress(ip(10, 0, 0, 7), 8080), address.socketAddress());
        assertEquals(1, address.weight());
        assertEquals(Map.of(), address.attributes());
        assertEquals(Optional.empty(), address.zone());
        assertEquals("10.0.0.7:8080", address.toString());
    }

    @Test
    void rejectsUnresolvedAddressesNamingThem() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("orders.example", 8080);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BackendAddress(unresolved, 1, Map.of()));
        assertTrue(e.getMessage().contains("orders.example"), e.getMessage());
        assertTrue(e.getMessage().contains("unresolved"), e.getMessage());
    }

    @Test
    void rejectsWeightsOutOfRangeNamingTheWeight() throws Exception {
        InetSocketAddress socket = new InetSocketAddress(ip(10, 0, 0, 1), 80);
        for (int weight : new int[] {0, -1, BackendAddress.MAX_WEIGHT + 1, Integer.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new BackendAddress(socket, weight, Map.of()));
            assertTrue(e.getMessage().contains("weight " + weight), e.getMessage());
            assertTrue(e.getMessage().contains("10.0.0.1"), e.getMessage());
        }
        assertEquals(1, new BackendAddress(socket, 1, Map.of()).weight());
        assertEquals(BackendAddress.MAX_WEIGHT, new BackendAddress(socket, BackendAddress.MAX_WEIGHT, Map.of()).weight());
    }

    @Test
    void rejectsNulls() throws Exception {
        NullPointerException e = assertThrows(NullPointerException.class, () -> new BackendAddress(null, 1, Map.of()));
        assertEquals("socketAddress", e.getMessage());
        InetSocketAddress socket = new InetSocketAddress(ip(10, 0, 0, 1), 80);
        assertThrows(NullPointerException.class, () -> new BackendAddress(socket, 1, null));
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("zone", null);
        assertThrows(NullPointerException.class, () -> new BackendAddress(socket, 1, nullValue));
    }

    @Test
    void attributesAreCopiedAndUnmodifiable() throws Exception {
        Map<String, String> attributes = new HashMap<>();
        attributes.put(BackendAddress.ZONE, "eu-west-1a");
        attributes.put("rack", "r7");
        BackendAddress address = new BackendAddress(new InetSocketAddress(ip(10, 0, 0, 1), 80), 3, attributes);
        attributes.put(BackendAddress.ZONE, "changed");
        attributes.remove("rack");
        assertEquals(Map.of(BackendAddress.ZONE, "eu-west-1a", "rack", "r7"), address.attributes());
        assertThrows(UnsupportedOperationException.class, () -> address.attributes().put("x", "y"));
        assertEquals(Optional.of("eu-west-1a"), address.zone());
        assertTrue(address.toString().contains("weight=3"), address.toString());
    }

    @Test
    void authorityOfIpv4() throws Exception {
        assertEquals("192.168.1.20:443", BackendAddress.of(ip(192, 168, 1, 20), 443).authority());
    }

    @Test
    void authorityOfIpv6HasBracketsAndIsAValidUriAuthority() throws Exception {
        BackendAddress address = BackendAddress.of(InetAddress.getByName("2001:db8::5"), 8080);
        String authority = address.authority();
        assertTrue(authority.startsWith("[") && authority.endsWith("]:8080"), authority);
        InetAddress parsed = InetAddress.getByName(authority.substring(1, authority.indexOf(']')));
        assertEquals(InetAddress.getByName("2001:db8::5"), parsed);
        assertEquals(8080, java.net.URI.create("http://" + authority + "/").getPort());
    }

    @Test
    void authorityOfIpv6DropsTheScopeId() throws Exception {
        byte[] linkLocal = InetAddress.getByName("fe80::1").getAddress();
        Inet6Address scoped = Inet6Address.getByAddress(null, linkLocal, 3);
        assertTrue(scoped.getHostAddress().contains("%"), scoped.getHostAddress());
        String authority = BackendAddress.of(scoped, 8080).authority();
        assertTrue(authority.startsWith("[fe80:"), authority);
        assertTrue(authority.endsWith("]:8080"), authority);
        assertTrue(authority.indexOf('%') < 0, authority);
    }

    @Test
    void drainingIsTheAttributeTrueAndNothingElse() throws Exception {
        InetSocketAddress socket = new InetSocketAddress(ip(10, 0, 0, 1), 80);
        assertEquals(false, BackendAddress.of(ip(10, 0, 0, 1), 80).draining());
        assertEquals(true, new BackendAddress(socket, 1, Map.of(BackendAddress.DRAINING, "true")).draining());
        assertEquals(false, new BackendAddress(socket, 1, Map.of(BackendAddress.DRAINING, "false")).draining());
        assertEquals(false, new BackendAddress(socket, 1, Map.of(BackendAddress.DRAINING, "yes")).draining());
        assertEquals("draining", BackendAddress.DRAINING);
    }
}
