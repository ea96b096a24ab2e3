/**
 * Fairway's service provider interface: the four provider families (resolvers, pickers, health checks and
 * connection-lifetime policies) and the immutable values they exchange.
 *
 * <p>This module holds no behaviour. A provider module {@code requires dev.fairway.spi}, implements one of
 * {@link dev.fairway.spi.ResolverProvider}, {@link dev.fairway.spi.PickerProvider},
 * {@link dev.fairway.spi.HealthCheckProvider} or {@link dev.fairway.spi.LifetimePolicyProvider}, and declares it
 * twice so that it is found on the module path and on the class path:
 *
 * {@snippet :
 * module com.example.fairway.zone {
 *     requires dev.fairway.spi;
 *     provides dev.fairway.spi.PickerProvider with com.example.fairway.zone.ZonePickerProvider;
 * }
 * // and the file META-INF/services/dev.fairway.spi.PickerProvider naming the same class
 * }
 *
 * <p>This module reads no system properties.
 */
module dev.fairway.spi {
    requires transitive java.net.http;

    exports dev.fairway.spi;
}
