/**
 * The provider families of Fairway and the values they exchange.
 *
 * <h2>Provider shape</h2>
 * Every family has the same shape (see {@link dev.fairway.spi.Provider}): a provider found by
 * {@link java.util.ServiceLoader} has a public no-argument constructor with no side effects, a
 * {@code lower_snake} {@link dev.fairway.spi.Provider#name() name} by which users select it, a
 * {@link dev.fairway.spi.Provider#priority() priority} from 0 to 10 (the highest wins among providers of one
 * name), an {@link dev.fairway.spi.Provider#isAvailable() availability} check, the
 * {@link dev.fairway.spi.Provider#options() options} it accepts, and a {@code create} method that receives a
 * library-made context and returns the runtime object.
 *
 * <table class="striped">
 * <caption>Families</caption>
 * <thead><tr><th>provider</th><th>runtime object</th><th>context</th><th>created</th></tr></thead>
 * <tbody>
 * <tr><td>{@link dev.fairway.spi.ResolverProvider}</td><td>{@link dev.fairway.spi.Resolver}</td>
 *     <td>{@link dev.fairway.spi.ResolverContext}</td><td>once per target</td></tr>
 * <tr><td>{@link dev.fairway.spi.PickerProvider}</td><td>{@link dev.fairway.spi.Picker}</td>
 *     <td>{@link dev.fairway.spi.PickerContext}</td><td>each time the usable backends of a target change</td></tr>
 * <tr><td>{@link dev.fairway.spi.HealthCheckProvider}</td><td>{@link dev.fairway.spi.HealthCheck}</td>
 *     <td>{@link dev.fairway.spi.HealthCheckContext}</td><td>once per backend</td></tr>
 * <tr><td>{@link dev.fairway.spi.LifetimePolicyProvider}</td><td>{@link dev.fairway.spi.LifetimePolicy}</td>
 *     <td>{@link dev.fairway.spi.LifetimePolicyContext}</td><td>once per target</td></tr>
 * </tbody>
 * </table>
 *
 * <h2>Null policy</h2>
 * Unless a method says otherwise, passing {@code null} to any constructor or method of this package throws
 * {@link java.lang.NullPointerException}, and no method returns {@code null}; absent values are
 * {@link java.util.Optional#empty()}.
 *
 * <h2>Time</h2>
 * Providers never read the system clock or start threads of their own: they measure time with the context's
 * {@link dev.fairway.spi.Ticker} and schedule work with its {@link dev.fairway.spi.Scheduler}, so that tests
 * can drive them with a fake clock.
 */
package dev.fairway.spi;
