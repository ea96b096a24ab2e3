/**
 * Least-loaded {@linkplain dev.fairway.spi.Picker pickers} for Fairway: they send each request where the least work
 * is waiting, so that a slow or overloaded backend gets less traffic than round robin would give it.
 *
 * <p>This module provides three {@link dev.fairway.spi.PickerProvider}s, found by name through
 * {@link java.util.ServiceLoader} on the module path and on the class path (it ships both the {@code provides} clause
 * and {@code META-INF/services/dev.fairway.spi.PickerProvider}); it exports no package.
 *
 * <table class="striped">
 * <caption>Providers</caption>
 * <thead><tr><th>name</th><th>priority</th><th>behaviour</th><th>cost per pick</th></tr></thead>
 * <tbody>
 * <tr><td>{@code least_conn}</td><td>5</td>
 *     <td>power of <i>d</i> choices: {@code choices} distinct random candidates, drawn in proportion to their
 *     weights; the one with the fewest requests in flight per unit of weight wins (the first drawn on a tie)</td>
 *     <td>O(choices), independent of the number of backends</td></tr>
 * <tr><td>{@code least_loaded} (Fairway's default picker)</td><td>5</td>
 *     <td>round robin that passes over busy backends: among the next {@code choices} backends in nginx's smooth
 *     weighted round-robin order (all of them when there are no more), the first whose requests in flight per unit of
 *     weight are at most the lowest of them or at most {@code busy_ratio} times their average; so with nothing in
 *     flight picks follow the weights exactly, steady traffic stays at its weights, and a backend that holds its
 *     requests longer than the others (a slow one) is passed over</td>
 *     <td>O(min(choices, backends)); O(1) when the next backend is idle</td></tr>
 * <tr><td>{@code peak_ewma}</td><td>5</td>
 *     <td>latency-aware power of <i>d</i> choices: the lowest peak-sensitive moving average of response time ×
 *     (requests in flight + 1) ÷ weight; learns from each exchange's time to response headers or failure</td>
 *     <td>O(choices), plus one ticker reading</td></tr>
 * </tbody>
 * </table>
 *
 * <table class="striped">
 * <caption>Options ({@code fairway.picker.<key>} or {@code pickerOption(key, value)})</caption>
 * <thead><tr><th>key</th><th>pickers</th><th>values</th><th>default</th></tr></thead>
 * <tbody>
 * <tr><td>{@code choices}</td><td>{@code least_conn}, {@code peak_ewma}</td><td>2 to 10: random candidates</td><td>2</td></tr>
 * <tr><td>{@code choices}</td><td>{@code least_loaded}</td><td>1 to 100,000: backends compared, in rotation order
 *     after the last pick; 1 is plain (weighted) round robin</td><td>16</td></tr>
 * <tr><td>{@code busy_ratio}</td><td>{@code least_loaded}</td><td>0 to 100: a backend whose load is above this many
 *     times the walk's average (and above its lowest) is passed over; 0 is strictly the least loaded</td>
 *     <td>2</td></tr>
 * <tr><td>{@code decay}</td><td>{@code peak_ewma}</td><td>1 ms to 1 h: the averaging time constant</td>
 *     <td>10 s</td></tr>
 * <tr><td>{@code default_rtt}</td><td>{@code peak_ewma}</td><td>1 µs to 1 min: the estimate of a backend not yet
 *     measured</td><td>30 ms</td></tr>
 * <tr><td>{@code slow_start_window}</td><td>all three</td><td>0 to 1 h; 0 turns slow start off</td><td>0</td></tr>
 * <tr><td>{@code slow_start_min_percent}</td><td>all three</td><td>1 to 100; only with a window</td><td>10</td></tr>
 * </tbody>
 * </table>
 *
 * <p><b>Weights.</b> Every picker here honours {@link dev.fairway.spi.BackendAddress#weight()}: load is divided by
 * the effective weight (address weight × slow-start factor), and random candidates are drawn in proportion to it, so
 * a backend of weight 2 gets twice the traffic of one of weight 1 both when nothing is in flight and under load.
 *
 * <p><b>Slow start.</b> With a {@code slow_start_window}, a backend that became usable (added, or recovered) less than
 * the window ago has an effective weight that grows linearly from {@code slow_start_min_percent} % to 100 % of its
 * weight, on the client's ticker, computed at pick time. Backends that became usable together ramp together and keep
 * their shares.
 *
 * {@snippet :
 * FairwayClient client = FairwayClient.newBuilder()
 *         .picker("least_conn")
 *         .pickerOption("slow_start_window", "30s")
 *         .build();
 * }
 *
 * <p>No picker locks, throws or allocates when it picks. This module reads no system properties.
 */
module dev.fairway.balancer.leastconn {
    requires dev.fairway.spi;

    provides dev.fairway.spi.PickerProvider with
            dev.fairway.balancer.leastconn.internal.LeastConnPickerProvider,
            dev.fairway.balancer.leastconn.internal.LeastLoadedPickerProvider,
            dev.fairway.balancer.leastconn.internal.PeakEwmaPickerProvider;
}
