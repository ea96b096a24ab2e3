package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.resolver.kubernetes.internal.KubernetesOptions.PortMode;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.UnaryOperator;

import static dev.fairway.resolver.kubernetes.internal.KubernetesOptions.*;

/**
 * Lists a Service's EndpointSlices, then watches them, and publishes the merged address set after each change.
 *
 * <p>One list-and-watch runs at a time; a <em>generation</em> number tells its callbacks from those of a watch that
 * was replaced. Everything that changes state holds {@link #lock}, and so listener calls never overlap. Network
 * work is asynchronous ({@code HttpClient.sendAsync} on the context's executor); timers go to the context's
 * scheduler and hand their work to the executor.
 */
final class KubernetesResolver implements Resolver {

    private static final System.Logger LOG = System.getLogger(KubernetesResolver.class.getName());
    private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    /** A watch that ends sooner than this without an event is retried with backoff. */
    private static final Duration QUICK_END = Duration.ofSeconds(1);

    private final ResolverContext context;
    private final OptionValues options;
    private final ServiceName name;
    private final UnaryOperator<String> env;
    private final Random random;
    private final String describe;
    private final Object lock = new Object();

    // guarded by lock
    private Listener listener;
    private boolean closed;
    private ApiClient client;
    private String namespace;
    private Optional<String> portName = Optional.empty();
    private final Map<String, Slice> slices = new HashMap<>();
    private String resourceVersion = "";
    private int failures;
    private long generation;
    private WatchLines watch;
    private long watchStartedAt; // ticker; guarded by lock
    private int watchEvents; // events the current watch delivered; guarded by lock
    private CompletableFuture<HttpResponse<Void>> watchResponse;
    private Future<?> retryTimer;
    private Future<?> stallTimer;
    private Future<?> serviceTimer;
    private List<BackendAddress> published;

    KubernetesResolver(ResolverContext context, ServiceName name, UnaryOperator<String> env) {
        this.context = context;
        this.options = context.options();
        this.name = name;
        this.env = env;
        this.random = new Random(context.seed());
        this.describe = "kubernetes resolver for " + context.target();
    }

    @Override
    public void start(Listener listener) {
        synchronized (lock) {
            this.listener = listener;
        }
        execute(this::list);
    }

    @Override
    public void refresh() {
        // the watch already delivers every change; nothing to do
    }

    @Override
    public void close() {
        ApiClient c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            generation++;
            stopWatch();
            cancel(retryTimer);
            cancel(serviceTimer);
            c = client;
        }
        if (c != null) {
            c.close();
        }
    }

    // ---------------------------------------------------------------- list

    private void list() {
        long gen;
        synchronized (lock) {
            if (closed) {
                return;
            }
            gen = ++generation;
            stopWatch();
        }
        ApiClient c;
        String ns;
        try {
            c = client();
            ns = namespace();
        } catch (IOException e) {
            failed(gen, e, this::list);
            return;
        }
        CompletableFuture<Optional<String>> port = options.get(PORT_MODE) == PortMode.SERVICE
                ? readService(c, ns) : CompletableFuture.completedFuture(Optional.empty());
        port.thenCompose(pn -> c.get(slicesPath(ns, "")).thenApply(list -> Map.entry(pn, list)))
                .whenComplete((result, error) -> {
                    if (error != null) {
                        failed(gen, cause(error), this::list);
                        return;
                    }
                    try {
                        listed(gen, result.getKey(), result.getValue());
                    } catch (RuntimeException e) {
                        failed(gen, new IOException("taking the list failed: " + e, e), this::list); // never stop silently
                    }
                });
    }

    private void listed(long gen, Optional<String> pn, Map<String, Object> list) {
        synchronized (lock) {
            if (gen != generation || closed) {
                return;
            }
            List<Map<String, Object>> items = Json.objects(list, "items");
            int max = options.get(MAX_SLICES);
            Map<String, Slice> fresh = new HashMap<>();
            try {
                if (items.size() > max) {
                    throw tooManySlices(items.size(), max);
                }
                for (Map<String, Object> item : items) {
                    Slice s = Slice.parse(item);
                    fresh.put(s.name(), s);
                }
            } catch (IOException e) {
                failedLocked(gen, e, this::list);
                return;
            }
            slices.clear();
            slices.putAll(fresh);
            resourceVersion = Json.string(Json.object(list, "metadata"), "resourceVersion").orElse("");
            portName = pn;
            failures = 0;
            LOG.log(System.Logger.Level.DEBUG, () -> describe + ": listed " + fresh.size() + " EndpointSlices at resourceVersion "
                    + resourceVersion);
            publish();
            if (options.get(PORT_MODE) == PortMode.SERVICE && serviceTimer == null) {
                scheduleServiceRefresh();
            }
            watch(gen);
        }
    }

    private IOException tooManySlices(int n, int max) {
        return new IOException("Service " + namespace + "/" + name.service() + " has " + n + " EndpointSlices, more than "
                + PREFIX + MAX_SLICES.key() + " = " + max + ": raise it");
    }

    // ---------------------------------------------------------------- the Service's port name

    private CompletableFuture<Optional<String>> readService(ApiClient c, String ns) {
        int port = context.target().port();
        return c.get("/api/v1/namespaces/" + ns + "/services/" + name.service()).thenApply(service -> {
            for (Map<String, Object> p : Json.objects(Json.object(service, "spec"), "ports")) {
                if (Json.integer(p, "port").orElse(-1L) == port) {
                    return Optional.of(Json.string(p, "name").orElse(""));
                }
            }
            return Optional.<String>empty();                           // not a Service port: taken as an endpoint port
        }).exceptionallyCompose(error -> {
            IOException e = cause(error);
            if (e instanceof ApiException api && (api.status() == 403 || api.status() == 404)) {
                e = new ApiException(api.status(), api.getMessage() + "; the Service maps the URI's port " + port + " to the pods'"
                        + " port (" + PREFIX + PORT_MODE.key() + "=service): grant get on services, or set " + PREFIX
                        + PORT_MODE.key() + "=endpoint and use the pods' port in the URI");
            }
            return CompletableFuture.failedFuture(e);
        });
    }

    private void scheduleServiceRefresh() {
        serviceTimer = schedule(() -> {
            ApiClient c;
            String ns;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                c = client;
                ns = namespace;
            }
            readService(c, ns).whenComplete((pn, error) -> {
                synchronized (lock) {
                    if (closed) {
                        return;
                    }
                    if (error != null) {
                        report(cause(error));
                    } else if (!pn.equals(portName)) {
                        LOG.log(System.Logger.Level.DEBUG, () -> describe + ": the Service's port name is now " + pn);
                        portName = pn;
                        publish();
                    }
                    scheduleServiceRefresh();
                }
            });
        }, options.get(SERVICE_REFRESH));
    }

    // ---------------------------------------------------------------- watch

    private void watch(long gen) {
        synchronized (lock) {
            if (gen != generation || closed) {
                return;
            }
            stopWatch();
            Duration timeout = options.get(WATCH_TIMEOUT);
            long seconds = Math.max(1, Math.round(timeout.toSeconds() * (1 - 0.2 * random.nextDouble())));
            String query = "&watch=true&allowWatchBookmarks=true&timeoutSeconds=" + seconds
                    + "&resourceVersion=" + URLEncoder.encode(resourceVersion, StandardCharsets.UTF_8);
            WatchLines[] self = new WatchLines[1];
            WatchLines w = new WatchLines(line -> event(gen, self[0], line), options.get(MAX_LINE_BYTES), context.ticker());
            self[0] = w;
            watch = w;
            watchStartedAt = context.ticker().read();
            watchEvents = 0;
            watchResponse = client.watch(slicesPath(namespace, query), w);
            watchResponse.whenComplete((response, error) -> {
                if (error != null) {
                    w.cancel(cause(error));
                }
            });
            w.done().whenComplete((v, error) -> watchEnded(gen, w, error));
            stallTimer = scheduleStallCheck(gen, w, options.get(STALL_TIMEOUT));
        }
    }

    private Future<?> scheduleStallCheck(long gen, WatchLines w, Duration delay) {
        return schedule(() -> {
            synchronized (lock) {
                if (gen != generation || w != watch || closed) {
                    return;
                }
                long stall = options.get(STALL_TIMEOUT).toNanos();
                long idle = context.ticker().read() - w.lastByteAt();
                if (idle >= stall) {
                    w.cancel(new IOException("the watch sent nothing for " + text(Duration.ofNanos(idle)) + ", not even a"
                            + " bookmark (" + PREFIX + STALL_TIMEOUT.key() + " = " + text(options.get(STALL_TIMEOUT)) + ")"));
                    watchResponse.cancel(true);                // also before the headers came: end the request
                } else {
                    stallTimer = scheduleStallCheck(gen, w, Duration.ofNanos(stall - idle));
                }
            }
        }, delay);
    }

    private void event(long gen, WatchLines w, String line) throws IOException {
        Map<String, Object> event = Json.parseObject(line);
        String type = Json.string(event, "type").orElse("");
        Map<String, Object> object = Json.object(event, "object");
        synchronized (lock) {
            if (gen != generation || w != watch || closed) {
                return;
            }
            String rv = Json.string(Json.object(object, "metadata"), "resourceVersion").orElse(resourceVersion);
            switch (type) {
                case "ADDED", "MODIFIED" -> {
                    Slice s = Slice.parse(object);
                    int max = options.get(MAX_SLICES);
                    if (!slices.containsKey(s.name()) && slices.size() >= max) {
                        // Not skipped: a slice left out now would never come back. The relist fails the same way, with
                        // backoff, keeping the last set, until the Service has room again or the bound is raised.
                        throw tooManySlices(slices.size() + 1, max);
                    }
                    slices.put(s.name(), s);
                    publish();
                    resourceVersion = rv;
                }
                case "DELETED" -> {
                    String sliceName = Json.string(Json.object(object, "metadata"), "name").orElse("");
                    if (slices.remove(sliceName) != null) {
                        publish();
                    }
                    resourceVersion = rv;
                }
                case "BOOKMARK" -> resourceVersion = rv;
                case "ERROR" -> {
                    int code = Json.integer(object, "code").orElse(500L).intValue();
                    throw new ApiException(code, "the watch reported an error " + code + " ("
                            + Json.string(object, "message").orElse(Json.string(object, "reason").orElse("")) + ")");
                }
                default -> throw new IOException("a watch event of unknown type '" + type + "'");
            }
            failures = 0;                                              // the watch works
            watchEvents++;
        }
    }

    private void watchEnded(long gen, WatchLines w, Throwable error) {
        synchronized (lock) {
            if (gen != generation || w != watch || closed) {
                return;
            }
            cancel(stallTimer);
            // A watch that ends at once without an event (a proxy that closes it, a 410 again and again) is resumed
            // after backoff_initial, not at once: that would loop against the API server. It is routine, so not an error.
            boolean atOnce = watchEvents == 0 && context.ticker().read() - watchStartedAt < QUICK_END.toNanos();
            if (error == null) {
                LOG.log(System.Logger.Level.DEBUG, () -> describe + ": the watch ended; resuming from resourceVersion " + resourceVersion);
                if (atOnce) {
                    later(() -> watch(gen));
                } else {
                    watch(gen);
                }
                return;
            }
            IOException e = cause(error);
            if (e instanceof ApiException api && api.status() == 410) {
                LOG.log(System.Logger.Level.DEBUG, () -> describe + ": resourceVersion " + resourceVersion + " expired; listing again");
                if (atOnce) {
                    later(this::list);
                } else {
                    execute(this::list);
                }
                return;
            }
            if (e instanceof WatchLines.BadEvent) {
                failedLocked(gen, e, this::list);              // the same event would come again: list instead
                return;
            }
            failedLocked(gen, e, () -> watch(gen));
        }
    }

    /** Runs {@code next} after {@code backoff_initial} (with jitter): the last watch ended at once. */
    private void later(Runnable next) {
        long initial = options.get(BACKOFF_INITIAL).toNanos();
        cancel(retryTimer);
        retryTimer = schedule(next, Duration.ofNanos(initial - (long) (initial * 0.2 * random.nextDouble())));
    }

    private void stopWatch() {
        cancel(stallTimer);
        WatchLines old = watch;
        if (old != null) {
            watch = null;                                 // first, so that the cancelled watch's end is ignored
            old.cancel(new IOException("watch replaced"));
            watchResponse.cancel(true);
        }
    }

    // ---------------------------------------------------------------- publishing and failures

    private void publish() {
        if (listener == null) {
            return;
        }
        List<BackendAddress> addresses;
        try {
            addresses = EndpointMerge.addresses(slices.values(),
                    new EndpointMerge.PortChoice(portName, context.target().port()), options.get(MAX_ENDPOINTS), context.seed());
        } catch (IOException e) {
            report(e);
            return;
        }
        if (!addresses.equals(published)) {
            published = addresses;
            listener.onAddresses(addresses);
        }
    }

    private void failed(long gen, IOException e, Runnable retry) {
        synchronized (lock) {
            failedLocked(gen, e, retry);
        }
    }

    private void failedLocked(long gen, IOException e, Runnable retry) {
        if (gen != generation || closed) {
            return;
        }
        if (e instanceof ApiException api && api.status() == 401 && client != null) {
            client.refreshToken();                         // kubelet may have rotated it since the last read
        }
        failures++;
        long base = options.get(BACKOFF_INITIAL).toNanos();
        long max = options.get(BACKOFF_MAX).toNanos();
        long delay = Math.min(base, max);
        for (int i = 1; i < failures && delay < max; i++) {
            delay = Math.min(max, 2 * delay);                          // doubled, never past max: no overflow
        }
        delay = Math.max(0, delay - (long) (delay * 0.2 * random.nextDouble()));
        Duration d = Duration.ofNanos(delay);
        cancel(retryTimer);
        retryTimer = schedule(retry, d);                  // before the report, so that a listener sees the timer set
        report(new IOException(message(e) + (published == null ? "" : "; keeping the last " + published.size() + " addresses"), e),
                "; retrying in " + text(d.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    private void report(IOException e) {
        report(e, "");
    }

    /** Logs the error with {@code logOnly} (when the resolver tries again: its business, not a caller's) and reports it. */
    private void report(IOException e, String logOnly) {
        IOException error = new IOException(describe + ": " + message(e), e);
        LOG.log(System.Logger.Level.WARNING, error.getMessage() + logOnly);
        if (listener != null) {
            listener.onError(error);
        }
    }

    // ---------------------------------------------------------------- access

    private ApiClient client() throws IOException {
        synchronized (lock) {
            if (client != null) {
                return client;
            }
        }
        String given = options.get(API_URL);
        URI base;
        if (given.isEmpty()) {
            String host = env.apply("KUBERNETES_SERVICE_HOST");
            String port = env.apply("KUBERNETES_SERVICE_PORT");
            if (host == null || host.isBlank()) {
                throw new IOException("KUBERNETES_SERVICE_HOST is not set, so this JVM does not run in a pod: set "
                        + PREFIX + API_URL.key() + " (for example http://127.0.0.1:8001 with kubectl proxy)");
            }
            host = host.strip();
            base = URI.create("https://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":"
                    + (port == null || port.isBlank() ? "443" : port.strip()));
        } else {
            base = URI.create(given);
        }
        boolean https = base.getScheme().equals("https");
        String tokenFile = options.get(TOKEN_FILE);
        boolean tokenDefault = options.given(TOKEN_FILE).isEmpty();
        Optional<Path> token = tokenFile.isEmpty() || (!given.isEmpty() && tokenDefault && !https)
                ? Optional.empty() : Optional.of(Path.of(tokenFile));
        TokenSource tokens = new TokenSource(token, !given.isEmpty() && tokenDefault, options.get(TOKEN_REFRESH), context.ticker());
        ApiClient created = new ApiClient(base, https ? Optional.of(Path.of(options.get(CA_FILE))) : Optional.empty(), tokens,
                options.get(REQUEST_TIMEOUT), options.get(MAX_RESPONSE_BYTES), context.executor());
        synchronized (lock) {
            if (client == null && !closed) {
                client = created;
                return client;
            }
        }
        created.close();
        throw new IOException("closed");
    }

    private String namespace() throws IOException {
        synchronized (lock) {
            if (namespace != null) {
                return namespace;
            }
        }
        String ns;
        if (name.namespace().isPresent()) {
            ns = name.namespace().get();
        } else {
            Path file = Path.of(options.get(NAMESPACE_FILE));
            try {
                ns = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IOException(PREFIX + NAMESPACE_FILE.key() + " = '" + file + "' cannot be read (" + e + "), and the"
                        + " target names no namespace: use <service>.<namespace> as the host, or point namespace_file at a"
                        + " file holding the namespace", e);
            }
            if (!ns.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
                throw new IOException(PREFIX + NAMESPACE_FILE.key() + " = '" + file + "' holds '" + ns + "', which is not a"
                        + " namespace name");
            }
        }
        synchronized (lock) {
            namespace = ns;
        }
        return ns;
    }

    private String slicesPath(String ns, String moreQuery) {
        return "/apis/discovery.k8s.io/v1/namespaces/" + ns + "/endpointslices?labelSelector="
                + URLEncoder.encode(SERVICE_NAME_LABEL + "=" + name.service(), StandardCharsets.UTF_8) + moreQuery;
    }

    // ---------------------------------------------------------------- plumbing

    private void execute(Runnable task) {
        try {
            context.executor().execute(task);
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> describe + ": the executor refused work, so the resolver stops: " + e);
        }
    }

    private Future<?> schedule(Runnable task, Duration delay) {
        try {
            return context.scheduler().schedule(() -> execute(task), delay);
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> describe + ": the scheduler refused a timer, so the resolver stops: " + e);
            return CompletableFuture.completedFuture(null);
        }
    }

    private static void cancel(Future<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }

    /** The exception's message, or its class and cause where it has none (as some of the HTTP client's have). */
    private static String message(Throwable e) {
        if (e.getMessage() != null && !e.getMessage().isBlank()) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + (e.getCause() != null && e.getCause() != e ? " (" + e.getCause() + ")" : "");
    }

    private static IOException cause(Throwable error) {
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof ApiException api) {
                return api;                                // however the HTTP client wrapped it: 401 and 410 act on it
            }
        }
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException || t instanceof UncheckedIOException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof IOException io ? io : new IOException(String.valueOf(t), t);
    }
}
