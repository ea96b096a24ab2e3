package dev.fairway.spi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetTest {

    @ParameterizedTest
    @CsvSource({
            "http://orders.example/x,        http,  orders.example, 80",
            "https://orders.example/x,       https, orders.example, 443",
            "http://orders.example:8080/,    http,  orders.example, 8080",
            "https://orders.example:80/,     https, orders.example, 80",
            "HTTP://Orders.EXAMPLE/Path?Q=1, http,  orders.example, 80",
            "HtTpS://ORDERS.example:8443,    https, orders.example, 8443",
            "http://10.0.0.1:9000/,          http,  10.0.0.1,       9000",
    })
    void ofTakesSchemeHostAndPortWithDefaultPortsAndLowerCase(String uri, String scheme, String host, int port) {
        Target target = Target.of(URI.create(uri));
        assertEquals(scheme, target.scheme());
        assertEquals(host, target.host());
        assertEquals(port, target.port());
        assertEquals(new Target(scheme, host, port), target);
    }

    @Test
    void ofIgnoresUserInfoPathQueryAndFragment() {
        assertEquals(new Target("http", "orders.example", 80),
                Target.of(URI.create("http://user:secret@orders.example/a/b?c=d#e")));
    }

    @Test
    void ofStripsIpv6BracketsAndLowerCasesTheLiteral() {
        Target target = Target.of(URI.create("http://[FE80::A:1]:8080/orders"));
        assertEquals("fe80::a:1", target.host());
        assertEquals(8080, target.port());
        assertEquals("[fe80::a:1]:8080", target.authority());
        assertEquals(URI.create("http://[fe80::a:1]:8080/"), target.uri());
        assertEquals("http://[fe80::a:1]:8080", target.toString());
    }

    @Test
    void ofIpv6WithoutPortGetsTheDefaultPort() {
        Target target = Target.of(URI.create("https://[::1]/"));
        assertEquals("::1", target.host());
        assertEquals(443, target.port());
        assertEquals("[::1]:443", target.authority());
    }

    @Test
    void constructorAlsoStripsBracketsAndNormalises() {
        Target target = new Target("HTTPS", "[::1]", 8443);
        assertEquals("https", target.scheme());
        assertEquals("::1", target.host());
        assertEquals(new Target("https", "::1", 8443), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/orders", "orders.example/x", "//orders.example/x", ""})
    void ofRejectsRelativeUrisNamingThem(String uri) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Target.of(URI.create(uri)));
        assertTrue(e.getMessage().contains("'" + uri + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("not absolute"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://orders.example/", "ws://orders.example/", "mailto:ops@orders.example", "file:///tmp/x"})
    void ofRejectsOtherSchemesNamingTheUriAndScheme(String uri) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Target.of(URI.create(uri)));
        assertTrue(e.getMessage().contains("'" + uri + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("'" + URI.create(uri).getScheme() + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("http or https"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http:///orders", "http:orders.example", "https://:8443/"})
    void ofRejectsUrisWithoutHostNamingThem(String uri) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Target.of(URI.create(uri)));
        assertTrue(e.getMessage().contains("'" + uri + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("no host"), e.getMessage());
    }

    @Test
    void ofRejectsAnOutOfRangePortNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Target.of(URI.create("http://orders.example:70000/")));
        assertTrue(e.getMessage().contains("70000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Target.of(URI.create("http://orders.example:0/")));
    }

    @Test
    void ofRejectsNull() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> Target.of(null));
        assertEquals("uri", e.getMessage());
    }

    @Test
    void constructorValidates() {
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class, () -> new Target("ftp", "h", 21));
        assertTrue(scheme.getMessage().contains("'ftp'"), scheme.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Target("http", "", 80));
        assertThrows(IllegalArgumentException.class, () -> new Target("http", "[]", 80));
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class, () -> new Target("http", "h", 0));
        assertTrue(low.getMessage().contains("port 0"), low.getMessage());
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class, () -> new Target("http", "h", 65536));
        assertTrue(high.getMessage().contains("65536"), high.getMessage());
        assertEquals(1, new Target("http", "h", 1).port());
        assertEquals(65535, new Target("http", "h", 65535).port());
        assertEquals("scheme", assertThrows(NullPointerException.class, () -> new Target(null, "h", 80)).getMessage());
        assertEquals("host", assertThrows(NullPointerException.class, () -> new Target("http", null, 80)).getMessage());
    }

    @Test
    void authorityAndUriAlwaysCarryThePort() {
        Target target = Target.of(URI.create("https://Orders.Example/a"));
        assertEquals("orders.example:443", target.authority());
        assertEquals(URI.create("https://orders.example:443/"), target.uri());
        assertEquals("https://orders.example:443", target.toString());
        assertEquals(target, Target.of(target.uri()));
    }

    @Test
    void secureIsTrueOnlyForHttps() {
        assertTrue(Target.of(URI.create("https://h/")).secure());
        assertFalse(Target.of(URI.create("http://h:443/")).secure());
    }
}
