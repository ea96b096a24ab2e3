/**
 * Active health checks for Fairway: each backend of a target is probed on a schedule, and its state
 * ({@code HEALTHY}, {@code UNHEALTHY}, or {@code UNKNOWN} until the first verdict) is reported to the engine,
 * which decides what to do with it (see the user guide: panic mode, outlier detection).
 *
 * <p>This module provides three {@link dev.fairway.spi.HealthCheckProvider}s, found by name through
 * {@link java.util.ServiceLoader} on the module path and on the class path (it ships both the {@code provides}
 * clause and {@code META-INF/services/dev.fairway.spi.HealthCheckProvider}); it exports no package. Select one
 * with {@code healthCheck("http")} or {@code fairway.health=http}, and set options with
 * {@code healthCheckOption(key, value)} or {@code fairway.health.<key>}.
 *
 * <table class="striped">
 * <caption>Providers</caption>
 * <thead><tr><th>name</th><th>priority</th><th>probe</th></tr></thead>
 * <tbody>
 * <tr><td>{@code http}</td><td>5</td>
 *     <td>{@code GET /healthz} (configurable) through the client pinned to the backend; passes on an expected
 *     status. The URI is the target's, so the server sees the same {@code Host} / {@code :authority} as ordinary
 *     requests of the same scheme and protocol.</td></tr>
 * <tr><td>{@code grpc_health}</td><td>5</td>
 *     <td>the gRPC health protocol as Connect serves it: {@code POST /grpc.health.v1.Health/Check} with
 *     {@code {"service":"..."}} as JSON; passes on {@code SERVING}. A server without health checking
 *     ({@code unimplemented}, or a bare 404 / 501) passes unless {@code unimplemented=unhealthy}.</td></tr>
 * <tr><td>{@code tcp}</td><td>5</td>
 *     <td>a TCP connect to the backend's IP and port, closed at once</td></tr>
 * </tbody>
 * </table>
 *
 * <table class="striped">
 * <caption>Options of every provider</caption>
 * <thead><tr><th>key</th><th>default</th><th>meaning</th></tr></thead>
 * <tbody>
 * <tr><td>{@code fairway.health.interval}</td><td>{@code 10s}</td>
 *     <td>time from the start of one probe to the start of the next, 100ms to 1h</td></tr>
 * <tr><td>{@code fairway.health.jitter}</td><td>{@code 0.15}</td>
 *     <td>random spread of every interval, 0 to 0.5 (0.15 = ±15 %)</td></tr>
 * <tr><td>{@code fairway.health.timeout}</td><td>{@code 1s}</td>
 *     <td>time a probe may take, 10ms to 1m and at most {@code interval}; a slower probe fails and is
 *     abandoned</td></tr>
 * <tr><td>{@code fairway.health.unhealthy_threshold}</td><td>{@code 3}</td>
 *     <td>failed probes in a row that make a backend unhealthy, 1 to 100</td></tr>
 * <tr><td>{@code fairway.health.healthy_threshold}</td><td>{@code 2}</td>
 *     <td>passed probes in a row that make an unhealthy backend healthy, 1 to 100; at start the first passed
 *     probe makes a backend healthy</td></tr>
 * <tr><td>{@code fairway.health.idle_interval}</td><td>{@code 60s}</td>
 *     <td>time between probes of a healthy backend that has had no request for this long, 100ms to 24h and at
 *     least {@code interval} (equal turns slowing down off; the default is raised to {@code interval} when that
 *     is longer)</td></tr>
 * </tbody>
 * </table>
 *
 * <table class="striped">
 * <caption>Options of one provider</caption>
 * <thead><tr><th>provider</th><th>key</th><th>default</th><th>meaning</th></tr></thead>
 * <tbody>
 * <tr><td>{@code http}</td><td>{@code fairway.health.method}</td><td>{@code GET}</td>
 *     <td>the request method, 1 to 32 letters, sent without a body (not {@code CONNECT})</td></tr>
 * <tr><td>{@code http}</td><td>{@code fairway.health.path}</td><td>{@code /healthz}</td>
 *     <td>the absolute path, with an optional query, resolved against the target's URI; at most 2048
 *     characters</td></tr>
 * <tr><td>{@code http}</td><td>{@code fairway.health.expected_statuses}</td><td>{@code 200-299}</td>
 *     <td>statuses that pass: codes, ranges and classes, like {@code 200-299,304} or {@code 2xx,304}; at most 4096
 *     characters</td></tr>
 * <tr><td>{@code http}</td><td>{@code fairway.health.headers}</td><td>none</td>
 *     <td>extra headers as {@code Name: value} items, separated by commas (a comma starts a new item only
 *     when {@code Name:} follows, so values may contain commas), at most 32 of at most 8192 characters each;
 *     restricted headers such as {@code Host} are refused as the JDK refuses them. Header values may be secrets:
 *     no message or {@code toString()} ever shows one (errors say "value hidden" and name the item and the
 *     header)</td></tr>
 * <tr><td>{@code grpc_health}</td><td>{@code fairway.health.service}</td><td>empty</td>
 *     <td>the service name asked about, at most 1024 characters; empty asks about the whole server</td></tr>
 * <tr><td>{@code grpc_health}</td><td>{@code fairway.health.unimplemented}</td><td>{@code healthy}</td>
 *     <td>what a server without health checking counts as: {@code healthy} or {@code unhealthy}</td></tr>
 * </tbody>
 * </table>
 *
 * <p>States: the first passed probe makes an {@code UNKNOWN} backend {@code HEALTHY};
 * {@code unhealthy_threshold} failures in a row make it {@code UNHEALTHY}; {@code healthy_threshold} successes in
 * a row make an unhealthy backend {@code HEALTHY} again. Timers use the client's ticker and scheduler, probes start
 * on the client's executor, and nothing in this module reads the system clock, sleeps or starts threads.
 *
 * <p>Answers are read within bounds, whatever a backend (or anything listening on its port) sends: the
 * {@code http} probe reads at most 64 KiB of body and then judges the status alone; the {@code grpc_health} probe
 * reads at most 64 KiB and its JSON reader refuses nesting deeper than 64, strings over 8192 characters, numbers
 * over 100 characters or with an exponent beyond ±1000, and more than 10,000 values, each as a failed probe whose
 * reason names the limit. Server-written text appears in reasons clipped to 80 printable characters. A probe that
 * fails in any way, an {@link java.lang.Error} such as {@link java.lang.StackOverflowError} or
 * {@link java.lang.OutOfMemoryError} included, is that backend's failed probe and never reaches the client's
 * threads. The user guide's "Limits" section lists every bound.
 *
 * <p>This module reads no system properties itself; the engine passes it the {@code fairway.health.*} values.
 *
 * @provides dev.fairway.spi.HealthCheckProvider {@code http}, {@code grpc_health} and {@code tcp}, priority 5
 */
module dev.fairway.health {
    requires dev.fairway.spi;

    provides dev.fairway.spi.HealthCheckProvider with
            dev.fairway.health.internal.HttpHealthCheckProvider,
            dev.fairway.health.internal.GrpcHealthCheckProvider,
            dev.fairway.health.internal.TcpHealthCheckProvider;
}
