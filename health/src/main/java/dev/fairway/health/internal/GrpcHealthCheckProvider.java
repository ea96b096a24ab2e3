package dev.fairway.health.internal;

import dev.fairway.health.internal.CommonOptions.Settings;
import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthCheckContext;
import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;

import java.util.List;
import java.util.Objects;

/**
 * The {@code grpc_health} health check: the gRPC health protocol ({@code grpc.health.v1.Health/Check}) as a
 * Connect server serves it, over HTTP/1.1 or HTTP/2: a unary {@code POST /grpc.health.v1.Health/Check} with
 * {@code Content-Type: application/json} and the body {@code {"service":"<service>"}}, sent through the context's
 * pinned client.
 *
 * <ul>
 * <li>{@code 200} with {@code {"status":"SERVING"}} (or the number 1) passes; {@code NOT_SERVING},
 *     {@code SERVICE_UNKNOWN}, {@code UNKNOWN}, a missing status (proto3 omits the default, {@code UNKNOWN}) and
 *     a body that is not JSON fail.</li>
 * <li>A server that does not implement health checking (a Connect error with code {@code unimplemented}, or
 *     {@code 404} / {@code 501} without a Connect error code) passes by default, as gRPC clients treat
 *     {@code UNIMPLEMENTED}; with {@code unimplemented=unhealthy} it fails.</li>
 * <li>A Connect {@code not_found} error (the server does not know the service) and every other answer fail,
 *     with the Connect code and message in the reason.</li>
 * </ul>
 *
 * <p>Thread-safe and stateless; the constructor does nothing.
 */
public final class GrpcHealthCheckProvider implements HealthCheckProvider {

    /** The name users select this provider by. */
    public static final String NAME = "grpc_health";

    /** What a server that does not implement the health service counts as. */
    enum Unimplemented {
        /** It passes, as gRPC clients treat {@code UNIMPLEMENTED}. */
        HEALTHY,
        /** It fails. */
        UNHEALTHY
    }

    /** The longest {@code service}, in characters. */
    static final int MAX_SERVICE = 1024;

    static final Option<String> SERVICE = Option.ofCustom("service", "",
            "the service name to ask about; empty asks about the server as a whole",
            "a service name of at most " + MAX_SERVICE + " characters, like shop.v1.Orders, or empty",
            GrpcHealthCheckProvider::service);

    static final Option<Unimplemented> UNIMPLEMENTED = Option.ofEnum("unimplemented", Unimplemented.class,
            Unimplemented.HEALTHY, "what a server that does not implement gRPC health checking counts as");

    private static final List<Option<?>> OPTIONS = CommonOptions.with(List.of(SERVICE, UNIMPLEMENTED));

    /** Called by {@link java.util.ServiceLoader}; does nothing. */
    public GrpcHealthCheckProvider() {
    }

    /**
     * {@inheritDoc}
     *
     * @return {@value #NAME}
     */
    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Option<?>> options() {
        return OPTIONS;
    }

    /**
     * Checks that {@code timeout} is not longer than {@code interval} and that a given {@code idle_interval} is
     * not shorter than {@code interval}.
     *
     * @param options the validated values
     * @throws IllegalArgumentException naming the options, their values and what to change
     */
    @Override
    public void validate(OptionValues options) {
        CommonOptions.validate(options);
    }

    /**
     * Creates an unstarted check of the context's backend.
     *
     * @param context the library-made context
     * @return the check
     * @throws IllegalArgumentException if the options do not pass {@link #validate}
     */
    @Override
    public HealthCheck create(HealthCheckContext context) {
        Objects.requireNonNull(context, "context");
        OptionValues options = context.options();
        Settings settings = Settings.of(options);
        GrpcHealthProbe probe = new GrpcHealthProbe(context.client(), context.target().uri(), options.get(SERVICE),
                options.get(UNIMPLEMENTED) == Unimplemented.HEALTHY, settings.timeout());
        return new ActiveHealthCheck(context, settings, probe);
    }

    @Override
    public String toString() {
        return "GrpcHealthCheckProvider[" + NAME + "]";
    }

    private static String service(Object raw) {
        if (!(raw instanceof String s)) {
            throw new IllegalArgumentException("expected text, got a " + raw.getClass().getSimpleName());
        }
        if (s.length() > MAX_SERVICE) {
            throw new IllegalArgumentException("the name has " + s.length() + " characters, more than " + MAX_SERVICE);
        }
        return s;
    }
}
