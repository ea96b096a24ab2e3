package dev.fairway.health.internal;

import dev.fairway.health.internal.CommonOptions.Settings;
import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthCheckContext;
import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code http} health check: sends {@code method path} (default {@code GET /healthz}) to each backend through
 * the context's pinned client and passes when the status is expected (default {@code 200-299}). The probe URI is
 * {@code context.target().uri().resolve(path)}, so the server sees the same {@code Host} / {@code :authority} as
 * ordinary requests of the client's protocol. Timing and thresholds are those of {@link ActiveHealthCheck}; see
 * the module documentation for the options.
 *
 * <p>Thread-safe and stateless; the constructor does nothing.
 */
public final class HttpHealthCheckProvider implements HealthCheckProvider {

    /** The name users select this provider by. */
    public static final String NAME = "http";

    /** The longest {@code method}, in letters. */
    static final int MAX_METHOD = 32;

    static final Option<String> METHOD = Option.ofCustom("method", "GET",
            "the request method, sent without a body", "an HTTP method such as GET or HEAD", HttpHealthCheckProvider::method);

    /** The longest {@code path}, in characters. */
    static final int MAX_PATH = 2048;

    static final Option<String> PATH = Option.ofCustom("path", "/healthz",
            "the path (and query) probed, resolved against the target's URI",
            "an absolute path of at most " + MAX_PATH + " characters such as /healthz or /ready?full=1",
            HttpHealthCheckProvider::path);

    static final Option<StatusRanges> EXPECTED_STATUSES = Option.ofCustom("expected_statuses", StatusRanges.parse("200-299"),
            "the response statuses that pass", "codes, ranges and classes from 100 to 599, like 200-299,304 or 2xx,304"
                    + " (at most " + StatusRanges.MAX_TEXT + " characters)",
            StatusRanges::convert);

    /** Its converter never throws, so that no message echoes a header value: {@link #validate} reports a bad one. */
    static final Option<ProbeHeaders> HEADERS = Option.ofCustom("headers", ProbeHeaders.NONE,
            "extra request headers; their values may be secrets and are never shown", ProbeHeaders.ALLOWED,
            ProbeHeaders::convert);

    private static final List<Option<?>> OPTIONS = CommonOptions.with(List.of(METHOD, PATH, EXPECTED_STATUSES, HEADERS));

    /** Called by {@link java.util.ServiceLoader}; does nothing. */
    public HttpHealthCheckProvider() {
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
     * Checks that {@code timeout} is not longer than {@code interval}, that a given {@code idle_interval} is
     * not shorter than {@code interval}, and that the {@code headers} are ones a probe can send.
     *
     * @param options the validated values
     * @throws IllegalArgumentException naming the options, their values (a header value never: "value hidden") and
     *                                  what to change
     */
    @Override
    public void validate(OptionValues options) {
        CommonOptions.validate(options);
        options.get(HEADERS).headers(CommonOptions.PREFIX + HEADERS.key());
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
        List<ProbeHeader> headers = options.get(HEADERS).headers(CommonOptions.PREFIX + HEADERS.key());
        URI uri = context.target().uri().resolve(options.get(PATH));
        HttpProbe probe = new HttpProbe(context.client(), uri, options.get(METHOD), options.get(EXPECTED_STATUSES),
                headers, settings.timeout());
        return new ActiveHealthCheck(context, settings, probe);
    }

    @Override
    public String toString() {
        return "HttpHealthCheckProvider[" + NAME + "]";
    }

    private static String method(Object raw) {
        if (!(raw instanceof String s)) {
            throw new IllegalArgumentException("expected text, got a " + raw.getClass().getSimpleName());
        }
        String m = s.trim().toUpperCase(Locale.ROOT);
        if (m.isEmpty() || m.length() > MAX_METHOD || !m.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
            throw new IllegalArgumentException("a method is a word of 1 to " + MAX_METHOD + " letters");
        }
        if (m.equals("CONNECT")) {
            throw new IllegalArgumentException("CONNECT opens a tunnel and cannot probe health");
        }
        return m;
    }

    private static String path(Object raw) {
        if (!(raw instanceof String s)) {
            throw new IllegalArgumentException("expected text, got a " + raw.getClass().getSimpleName());
        }
        String p = s.trim();
        if (p.length() > MAX_PATH) {
            throw new IllegalArgumentException("the path has " + p.length() + " characters, more than " + MAX_PATH);
        }
        if (!p.startsWith("/") || p.startsWith("//")) {
            throw new IllegalArgumentException("the path must start with a single '/', so that the probe stays on the target");
        }
        URI uri;
        try {
            uri = new URI(p);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URI path: " + e.getMessage(), e);
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a fragment (#...) is never sent to the server");
        }
        return p;
    }
}
