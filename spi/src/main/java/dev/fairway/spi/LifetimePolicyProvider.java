package dev.fairway.spi;

/**
 * Finds {@link LifetimePolicy}s, which decide when a backend's connections are replaced.
 *
 * <p>Deploy with {@code provides dev.fairway.spi.LifetimePolicyProvider with ...} and
 * {@code META-INF/services/dev.fairway.spi.LifetimePolicyProvider}. Users select it with
 * {@code lifetimePolicy("name")} or {@code fairway.lifetime=name}; options are {@code fairway.lifetime.<key>}.
 */
public interface LifetimePolicyProvider extends Provider<LifetimePolicyContext, LifetimePolicy> {
}
