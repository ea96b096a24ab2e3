/**
 * Round-robin and random {@linkplain dev.fairway.spi.Picker pickers} for Fairway.
 *
 * <p>This module provides two {@link dev.fairway.spi.PickerProvider}s, found by name through
 * {@link java.util.ServiceLoader} on the module path and on the class path (it ships both the {@code provides}
 * clause and {@code META-INF/services/dev.fairway.spi.PickerProvider}); it exports no package.
 *
 * <table class="striped">
 * <caption>Providers</caption>
 * <thead><tr><th>name</th><th>priority</th><th>options</th><th>behaviour</th></tr></thead>
 * <tbody>
 * <tr><td>{@code round_robin}</td><td>5</td><td>none</td>
 *     <td>exact rotation over the usable backends, one atomic counter per target; the first client of a target
 *     starts at a random offset drawn from the client's seed, and the position carries over when the usable
 *     set changes</td></tr>
 * <tr><td>{@code random}</td><td>5</td><td>none</td>
 *     <td>a uniformly random backend per request, from {@link java.util.concurrent.ThreadLocalRandom}</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Select one with {@code picker("round_robin")} or {@code fairway.picker=random}. Neither picker locks,
 * throws or allocates when it picks.
 *
 * <p>This module reads no system properties.
 */
module dev.fairway.balancer.roundrobin {
    requires dev.fairway.spi;

    provides dev.fairway.spi.PickerProvider with
            dev.fairway.balancer.roundrobin.internal.RoundRobinPickerProvider,
            dev.fairway.balancer.roundrobin.internal.RandomPickerProvider;
}
