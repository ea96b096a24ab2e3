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
 * The {@code tcp} health check: opens a TCP connection to the backend's socket address (IP and port, no TLS, no
 * HTTP) and closes it again; passes when the connection is established within {@code timeout}. The connect blocks
 * a thread of the context's executor, never the scheduler's. It proves only that something accepts connections:
 * a server that accepts and never answers passes.
 *
 * <p>Thread-safe and stateless; the constructor does nothing.
 */
public final class TcpHealthCheckProvider implements HealthCheckProvider {

    /** The name users select this provider by. */
    public static final String NAME = "tcp";

    /** Called by {@link java.util.ServiceLoader}; does nothing. */
    public TcpHealthCheckProvider() {
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
        return CommonOptions.ALL;
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
        Settings settings = Settings.of(context.options());
        return new ActiveHealthCheck(context, settings, new TcpProbe(context.address(), settings.timeout()));
    }

    @Override
    public String toString() {
        return "TcpHealthCheckProvider[" + NAME + "]";
    }
}
