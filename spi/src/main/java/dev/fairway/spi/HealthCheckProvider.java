package dev.fairway.spi;

/**
 * Finds {@link HealthCheck}s, which probe one backend each.
 *
 * <p>Deploy with {@code provides dev.fairway.spi.HealthCheckProvider with ...} and
 * {@code META-INF/services/dev.fairway.spi.HealthCheckProvider}. Users select it with {@code healthCheck("name")}
 * or {@code fairway.health=name}; options are {@code fairway.health.<key>}. Without a health check every backend
 * is {@link HealthState#UNKNOWN} and usable.
 */
public interface HealthCheckProvider extends Provider<HealthCheckContext, HealthCheck> {
}
