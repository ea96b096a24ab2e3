/**
 * Round-robin, weighted round-robin and random {@linkplain dev.fairway.spi.Picker pickers} for Fairway.
 *
 * <p>This module provides three {@link dev.fairway.spi.PickerProvider}s, found by name through
 * {@link java.util.ServiceLoader} on the module path and on the class path (it ships both the {@code provides}
 * clause and {@code META-INF/services/dev.fairway.spi.PickerProvider}); it exports no package.
 *
 * <table class="striped">
 * <caption>Providers</caption>
 * <thead><tr><th>name</th><th>priority</th><th>options</th><th>behaviour</th><th>weights</th></tr></thead>
 * <tbody>
 * <tr><td>{@code round_robin}</td><td>5</td><td>none</td>
 *     <td>exact rotation over the usable backends, one atomic counter per target; the first client of a target
 *     starts at a random offset drawn from the client's seed, and the position carries over when the usable
 *     set changes</td>
 *     <td>ignored: every backend gets an equal share (use {@code weighted_round_robin})</td></tr>
 * <tr><td>{@code weighted_round_robin}</td><td>5</td><td>{@code slow_start_window}, {@code slow_start_min_percent}</td>
 *     <td>nginx's smooth weighted round robin (weights 5, 1, 1 give a a b a c a a), precomputed per usable set into a
 *     bounded array and walked with one atomic counter; seeded start and carried position as for
 *     {@code round_robin}</td>
 *     <td>exact shares over each period of the schedule (weights beyond 65,536 slots in all are scaled down,
 *     keeping every share within 1 % for backends of at least 50 slots)</td></tr>
 * <tr><td>{@code random}</td><td>5</td><td>none</td>
 *     <td>a random backend per request, from {@link java.util.concurrent.ThreadLocalRandom}</td>
 *     <td>honoured: chosen in proportion to the weights (an alias table)</td></tr>
 * </tbody>
 * </table>
 *
 * <p><b>Slow start</b> ({@code weighted_round_robin}): with {@code slow_start_window} (a duration; default 0, off),
 * a backend that became usable (added, or recovered) less than the window ago has an effective weight that grows
 * linearly from {@code slow_start_min_percent} % (1 to 100, default 10) to 100 % of its weight, on the client's
 * ticker, computed at pick time. Backends that became usable together ramp together and keep their shares.
 *
 * {@snippet :
 * FairwayClient client = FairwayClient.newBuilder()
 *         .picker("weighted_round_robin")
 *         .pickerOption("slow_start_window", "30s")
 *         .build();
 * }
 *
 * <p>Select a picker with {@code picker("round_robin")} or {@code fairway.picker=random}. No picker here locks,
 * throws or allocates when it picks.
 *
 * <p>This module reads no system properties.
 */
module dev.fairway.balancer.roundrobin {
    requires dev.fairway.spi;

    provides dev.fairway.spi.PickerProvider with
            dev.fairway.balancer.roundrobin.internal.RoundRobinPickerProvider,
            dev.fairway.balancer.roundrobin.internal.RandomPickerProvider,
            dev.fairway.balancer.roundrobin.internal.WeightedRoundRobinPickerProvider;
}
