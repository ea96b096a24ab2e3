/**
 * Tests only: a JVM-wide {@link java.net.spi.InetAddressResolverProvider} that answers names the tests register and
 * passes every other name to the JDK's built-in resolver, so that {@code dns} in system mode can be tested with
 * changing answers. On the module path it is a named module on the upgrade module path, found through its
 * {@code provides} clause; on the class path its directory is an extra class-path entry and the tests' own
 * {@code META-INF/services} file names it.
 */
module dev.fairway.testdns {
    exports dev.fairway.testdns;

    provides java.net.spi.InetAddressResolverProvider with dev.fairway.testdns.TestDns;
}
