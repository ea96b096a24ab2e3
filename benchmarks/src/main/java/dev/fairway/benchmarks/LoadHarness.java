package dev.fairway.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fairway.FairwayClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * End-to-end load against real HTTP/1.1 servers on loopback addresses {@code 127.0.0.2}, {@code 127.0.0.3}, … (one
 * shared port, like pods behind a headless service). Nothing leaves the machine; every phase is bounded in time.
 *
 * <p><b>{@code throughput}</b>: closed loop, {@code --concurrency} threads ({@code --callers virtual} or
 * {@code platform}) each sending requests back to back. After a warm-up of every client ({@code --warmup} seconds
 * each), {@code --rounds} rounds each measure, for {@code --seconds} after one settling second, a plain
 * {@link HttpClient} to one backend, a {@link FairwayClient} (its default picker, or {@code --picker NAME}) over
 * {@code --backends} backends, and as many plain clients picked in turn by an atomic counter (what an application
 * might write instead of Fairway);
 * prints requests per second and the ratios, per round and over all rounds. The backends are
 * {@code com.sun.net.httpserver} servers in this JVM ({@code --servers jvm}), or a {@link Responder} in a child JVM
 * ({@code --servers process}, optionally under {@code taskset -c} with {@code --server-cpus}), whose cost does not
 * depend on the number of backends.
 *
 * <p><b>{@code serve}</b>: the child process of {@code --servers process}: see {@link Responder}.
 *
 * <p><b>{@code slow}</b>: open loop, {@code --rate} requests per second at fixed intervals (latency is measured from
 * each request's scheduled time, so a stalled sender cannot hide latency), request timeout {@code --timeout} ms
 * (default 1000; {@code none} for no timeout), {@code --backends} backends (default 11) answering after
 * {@code --service-ms}; after {@code --normal} seconds backend {@code 127.0.0.2} answers only after 2 s for
 * {@code --slow} seconds, then recovers for {@code --after} seconds. Runs the {@code --clients} (default
 * {@code round_robin}, {@code least_conn}, {@code peak_ewma}, and plain {@link HttpClient}s pinned to the backend that
 * slows and to a healthy one; {@code default} is a FairwayClient with no picker chosen); prints success rate and
 * p50 / p99 / p99.9 / max over all requests (a failed request counts with its time, about 1 s for a timeout), and the
 * p99 of the requests scheduled before the slowdown ("healthy p99") and during it ("incident p99").
 *
 * {@snippet lang = "shell" :
 * java -cp benchmarks/target/benchmarks.jar dev.fairway.benchmarks.LoadHarness throughput --json docs/benchmarks/load-throughput.json
 * taskset -c 0 java -cp benchmarks/target/benchmarks.jar dev.fairway.benchmarks.LoadHarness throughput --servers process --server-cpus 1
 * java -cp benchmarks/target/benchmarks.jar dev.fairway.benchmarks.LoadHarness slow --json docs/benchmarks/load-slow.json
 * }
 *
 * <p>Every client speaks HTTP/1.1 (the servers do not speak HTTP/2). Fairway runs with its defaults otherwise (a
 * virtual thread per task for its leaves, passive outlier detection on unless {@code --outlier off}); the plain
 * clients with the JDK's.
 */
public final class LoadHarness {

    private static final byte[] BODY = "ok\n".getBytes(StandardCharsets.US_ASCII);
    private static final String HOST = "backends.test";

    private final Map<String, String> options;

    private LoadHarness(Map<String, String> options) {
        this.options = options;
    }

    /**
     * Runs a scenario.
     *
     * @param args {@code throughput} or {@code slow}, then {@code --name value} options (see the class comment)
     * @throws Exception if a server cannot start or the run is interrupted
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !(args[0].equals("throughput") || args[0].equals("slow") || args[0].equals("serve"))) {
            System.err.println("usage: LoadHarness throughput|slow|serve [--json file] [--name value ...]");
            System.exit(2);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        LoadHarness harness = new LoadHarness(options);
        if (args[0].equals("serve")) {
            Responder.serve(harness.integer("backends", 5));
            System.exit(0);
        }
        String json = args[0].equals("throughput") ? harness.throughput() : harness.slowBackend();
        String out = options.get("json");
        if (out != null) {
            Path path = Path.of(out);
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            Files.writeString(path, json);
            System.out.println("wrote " + path);
        }
        System.exit(0); // the JDK clients' selector threads are daemons, the servers are stopped: nothing should linger
    }

    private int integer(String name, int defaultValue) {
        return Integer.parseInt(options.getOrDefault(name, Integer.toString(defaultValue)));
    }

    // ---------------------------------------------------------------- throughput

    /** One way of sending the throughput scenario's request, made afresh for each round. */
    private interface Sender extends AutoCloseable {
        HttpResponse<Void> send() throws IOException, InterruptedException;

        @Override
        void close();
    }

    private record Contender(String label, java.util.function.Supplier<Sender> factory) {
    }

    private String throughput() throws Exception {
        int backends = integer("backends", 5);
        int concurrency = integer("concurrency", 32);
        Duration warmup = Duration.ofSeconds(integer("warmup", 5));
        Duration measure = Duration.ofSeconds(integer("seconds", 2));
        int rounds = integer("rounds", 5);
        String plainExecutor = options.getOrDefault("plain-executor", "default");
        String fairwayExecutor = options.getOrDefault("fairway-executor", "default");
        boolean plainProxy = options.getOrDefault("plain-mode", "direct").equals("proxy");
        HttpClient.Version fairwayVersion = HttpClient.Version.valueOf(options.getOrDefault("fairway-version", "HTTP_1_1"));
        boolean plainAsync = options.getOrDefault("plain-call", "send").equals("async");
        String callers = options.getOrDefault("callers", "virtual");
        if (!callers.equals("virtual") && !callers.equals("platform")) {
            throw new IllegalArgumentException("--callers " + callers + " is not known: use virtual or platform");
        }
        boolean platformCallers = callers.equals("platform");
        String serverKind = options.getOrDefault("servers", "jvm");
        String serverCpus = options.getOrDefault("server-cpus", "");
        if (!serverKind.equals("jvm") && !serverKind.equals("process")) {
            throw new IllegalArgumentException("--servers " + serverKind + " is not known: use jvm or process");
        }
        if (!serverCpus.isEmpty() && !serverKind.equals("process")) {
            throw new IllegalArgumentException("--server-cpus " + serverCpus + " needs --servers process");
        }
        List<String> rows = new ArrayList<>();
        Map<String, Object> summary = new LinkedHashMap<>();
        try (Servers servers = serverKind.equals("jvm") ? Backends.start(backends, Duration.ZERO)
                : ResponderProcess.start(backends, serverCpus)) {
            HttpRequest plainRequest = HttpRequest.newBuilder(plainProxy ? servers.logicalUri() : servers.uri(0))
                    .timeout(Duration.ofSeconds(10)).build();
            HttpRequest logicalRequest = HttpRequest.newBuilder(servers.logicalUri()).timeout(Duration.ofSeconds(10)).build();
            List<Contender> contenders = new ArrayList<>();
            List<String> wanted = List.of(options.getOrDefault("contenders", "plain,fairway,hand").split(","));
            for (String w : wanted) {
                if (!List.of("plain", "fairway", "hand").contains(w)) {
                    throw new IllegalArgumentException("--contenders " + w + " is not known: use plain, fairway and hand");
                }
            }
            if (wanted.contains("plain")) {
                contenders.add(new Contender("plain HttpClient -> 1 backend", () -> {
                    HttpClient c = plain(plainExecutor, null, plainProxy ? servers.address(0) : null);
                    return sender(c, plainRequest, plainAsync);
                }));
            }
            if (wanted.contains("fairway")) {
                String picker = options.getOrDefault("picker", "default");
                contenders.add(new Contender("FairwayClient " + picker + " -> " + backends + " backends", () ->
                        sender(fairway(servers, picker.equals("default") ? null : picker, fairwayExecutor, fairwayVersion),
                                logicalRequest)));
            }
            if (backends > 1 && wanted.contains("hand")) {
                contenders.add(new Contender(backends + " plain HttpClients, round robin by hand -> " + backends + " backends",
                        () -> byHand(servers, plainExecutor)));
            }
            double[][] rps = new double[contenders.size()][rounds];
            for (Contender c : contenders) { // JIT warm-up of the servers and every client, not recorded
                try (Sender sender = c.factory().get()) {
                    closedLoop(sender, concurrency, platformCallers, Duration.ZERO, warmup);
                }
            }
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < contenders.size(); k++) {
                    Contender c = contenders.get(k);
                    try (Sender sender = c.factory().get()) {
                        rps[k][round] = closedLoop(sender, concurrency, platformCallers, Duration.ofSeconds(1), measure);
                    }
                    rows.add(row("round", round + 1, "client", c.label(), "requests_per_second", rps[k][round]));
                    System.out.printf(Locale.ROOT, "round %d %-60s %,8.0f requests/s%n", round + 1, c.label(), rps[k][round]);
                }
            }
            boolean standard = wanted.contains("plain") && wanted.contains("fairway"); // ratios need both
            for (int k = 1; standard && k < contenders.size(); k++) {
                double[] ratios = new double[rounds];
                double sumK = 0;
                double sum0 = 0;
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = rps[k][r] / rps[0][r];
                    sumK += rps[k][r];
                    sum0 += rps[0][r];
                }
                Arrays.sort(ratios);
                String key = k == 1 ? "fairway_vs_plain" : "by_hand_vs_plain";
                summary.put(key + "_ratio_of_totals", sumK / sum0);
                summary.put(key + "_median_round_ratio", ratios[rounds / 2]);
                summary.put(key + "_min_round_ratio", ratios[0]);
                summary.put(key + "_max_round_ratio", ratios[rounds - 1]);
                System.out.printf(Locale.ROOT, "%s / %s: %.3f of totals, median of rounds %.3f (range %.3f to %.3f)%n",
                        contenders.get(k).label(), contenders.get(0).label(), sumK / sum0, ratios[rounds / 2], ratios[0],
                        ratios[rounds - 1]);
            }
            if (standard && contenders.size() > 2) {
                double f = 0;
                double h = 0;
                for (int r = 0; r < rounds; r++) {
                    f += rps[1][r];
                    h += rps[2][r];
                }
                summary.put("fairway_vs_by_hand_ratio_of_totals", f / h);
                System.out.printf(Locale.ROOT, "Fairway / by hand: %.3f of totals%n", f / h);
            }
            servers.close();
            String hits = servers.hitsPerBackend();
            if (!hits.isEmpty()) {
                summary.put("requests_served_per_backend", hits);
                System.out.println("requests served per backend, all clients and rounds: " + hits);
            }
        }
        Map<String, Object> parameters = new LinkedHashMap<>(Map.of("backends", backends, "concurrency", concurrency,
                "warmup_s", warmup.toSeconds(), "measure_s", measure.toSeconds(), "rounds", rounds,
                "plain_executor", plainExecutor, "fairway_executor", fairwayExecutor,
                "plain_mode", plainProxy ? "proxy" : "direct", "fairway_version", fairwayVersion.toString()));
        parameters.put("servers", serverKind.equals("jvm") ? "jvm: com.sun.net.httpserver in the harness JVM"
                : "process: one-thread NIO responder in a child JVM");
        parameters.put("server_cpus", serverCpus.isEmpty() ? "any" : serverCpus);
        parameters.put("callers", callers);
        parameters.put("plain_call", plainAsync ? "sendAsync(...).join()" : "send");
        parameters.put("harness_available_processors", Runtime.getRuntime().availableProcessors());
        return document("throughput", parameters, rows, summary);
    }

    private static Sender sender(HttpClient client, HttpRequest request) {
        return sender(client, request, false);
    }

    /** Sends with {@code send}, or with {@code sendAsync(...).join()} if {@code async}. */
    private static Sender sender(HttpClient client, HttpRequest request, boolean async) {
        return new Sender() {
            @Override
            public HttpResponse<Void> send() throws IOException, InterruptedException {
                if (async) {
                    try {
                        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).join();
                    } catch (java.util.concurrent.CompletionException e) {
                        throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                    }
                }
                return client.send(request, HttpResponse.BodyHandlers.discarding());
            }

            @Override
            public void close() {
                client.close();
            }
        };
    }

    /** One plain client per backend and an atomic counter: what an application might write instead of Fairway. */
    private static Sender byHand(Servers servers, String executor) {
        int n = servers.size();
        HttpClient[] clients = new HttpClient[n];
        HttpRequest[] requests = new HttpRequest[n];
        for (int i = 0; i < n; i++) {
            clients[i] = plain(executor, null, null);
            requests[i] = HttpRequest.newBuilder(servers.uri(i)).timeout(Duration.ofSeconds(10)).build();
        }
        AtomicLong next = new AtomicLong();
        return new Sender() {
            @Override
            public HttpResponse<Void> send() throws IOException, InterruptedException {
                int i = (int) (next.getAndIncrement() % n);
                return clients[i].send(requests[i], HttpResponse.BodyHandlers.discarding());
            }

            @Override
            public void close() {
                for (HttpClient c : clients) {
                    c.close();
                }
            }
        };
    }

    /**
     * A plain HTTP/1.1 client; {@code executor} is {@code default} (the JDK's), {@code virtual} or {@code cached}; with a
     * {@code proxy}, it sends absolute-form requests to that address, as Fairway's plain-HTTP/1.1 leaves do.
     */
    private static HttpClient plain(String executor, Duration connectTimeout, InetSocketAddress proxy) {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
        if (proxy != null) {
            builder.proxy(java.net.ProxySelector.of(proxy));
        }
        if (connectTimeout != null) {
            builder.connectTimeout(connectTimeout);
        }
        executor(executor).ifPresent(builder::executor);
        return builder.build();
    }

    private static java.util.Optional<java.util.concurrent.Executor> executor(String name) {
        return switch (name) {
            case "default" -> java.util.Optional.empty();
            case "virtual" -> java.util.Optional.of(Executors.newVirtualThreadPerTaskExecutor());
            case "cached" -> java.util.Optional.of(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "load-client");
                t.setDaemon(true);
                return t;
            }));
            default -> throw new IllegalArgumentException("executor '" + name + "' is not known: use default, virtual or cached");
        };
    }

    /** Requests per second of {@code concurrency} threads sending back to back, after a warm-up. */
    private static double closedLoop(Sender sender, int concurrency, boolean platform, Duration warmup, Duration measure)
            throws InterruptedException {
        AtomicBoolean counting = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        LongAdder failed = new LongAdder();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Thread.Builder builder = platform ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
            workers.add(builder.name("load-", i).start(() -> {
                while (!stop.get()) {
                    try {
                        HttpResponse<Void> response = sender.send();
                        if (counting.get()) {
                            (response.statusCode() == 200 ? done : failed).increment();
                        }
                    } catch (IOException e) {
                        if (counting.get()) {
                            failed.increment();
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        Thread.sleep(warmup.toMillis());
        counting.set(true);
        long start = System.nanoTime();
        Thread.sleep(measure.toMillis());
        counting.set(false);
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        for (Thread w : workers) {
            w.join(15_000);
        }
        if (failed.sum() > 0) {
            System.out.println("  " + failed.sum() + " requests failed");
        }
        return done.sum() / (elapsed / 1e9);
    }

    // ---------------------------------------------------------------- slow backend

    private String slowBackend() throws Exception {
        int rate = integer("rate", 500);
        int serviceMillis = integer("service-ms", 2);
        Duration normal = Duration.ofSeconds(integer("normal", 10));
        Duration slow = Duration.ofSeconds(integer("slow", 20));
        Duration after = Duration.ofSeconds(integer("after", 10));
        Duration warmup = Duration.ofSeconds(integer("warmup", 3));
        String outlier = options.getOrDefault("outlier", "default");
        if (!outlier.equals("default") && !outlier.equals("off")) {
            throw new IllegalArgumentException("--outlier " + outlier + " is not known: use default or off");
        }
        List<String> clients = List.of(options.getOrDefault("clients",
                "round_robin,least_conn,peak_ewma,plain-slow,plain-healthy").split(","));
        int backends = integer("backends", 11);
        String timeoutOption = options.getOrDefault("timeout", "1000");
        Duration timeout = timeoutOption.equals("none") ? null : Duration.ofMillis(Integer.parseInt(timeoutOption));
        List<String> rows = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%-30s %9s %9s %9s %9s %9s %9s %12s %12s %12s%n", "client", "requests", "success",
                "p50 ms", "p99 ms", "p99.9 ms", "max ms", "slow got", "healthy p99", "incident p99");
        try (Backends servers = Backends.start(backends, Duration.ofMillis(serviceMillis))) {
            for (String name : clients) {
                HttpClient client;
                URI uri;
                String label;
                switch (name) {
                    case "plain-slow" -> {
                        client = plain("default", Duration.ofSeconds(1), null);
                        uri = servers.uri(0);
                        label = "plain HttpClient -> the slowing backend";
                    }
                    case "plain-healthy" -> {
                        client = plain("default", Duration.ofSeconds(1), null);
                        uri = servers.uri(1);
                        label = "plain HttpClient -> a healthy backend";
                    }
                    default -> {
                        FairwayClient.Builder builder = builder(servers, name.equals("default") ? null : name, "default",
                                HttpClient.Version.HTTP_1_1);
                        if (outlier.equals("off")) {
                            builder.outlierOption("consecutive_failures", 0).outlierOption("success_rate_enforcement", 0);
                        }
                        client = builder.build();
                        uri = servers.logicalUri();
                        label = "FairwayClient " + (name.equals("default") ? "(defaults)" : name);
                    }
                }
                try (client) {
                    openLoop(client, uri, rate, warmup, Duration.ZERO, Duration.ZERO, servers, timeout); // warm-up, not recorded
                    servers.resetCounts();
                    Run run = openLoop(client, uri, rate, normal, slow, after, servers, timeout);
                    long slowGot = servers.hits(0);
                    double healthy = run.phase(0).percentile(0.99);
                    double incident = run.phase(1).percentile(0.99);
                    System.out.printf(Locale.ROOT, "%-30s %9d %8.3f%% %9.1f %9.1f %9.1f %9.1f %12d %12.1f %12.1f%n", label,
                            run.requests(), 100.0 * run.successRate(), run.percentile(0.50), run.percentile(0.99),
                            run.percentile(0.999), run.percentile(1.0), slowGot, healthy, incident);
                    rows.add(row("client", label, "requests", run.requests(), "success_rate", run.successRate(),
                            "failures", run.failures(), "p50_ms", run.percentile(0.50), "p99_ms", run.percentile(0.99),
                            "p999_ms", run.percentile(0.999), "max_ms", run.percentile(1.0),
                            "requests_received_by_slowing_backend", slowGot, "healthy_p99_ms", healthy,
                            "incident_p99_ms", incident));
                }
                servers.awaitIdle(Duration.ofSeconds(5));
            }
        }
        return document("slow_backend", Map.of("backends", backends, "rate_per_second", rate, "service_ms", serviceMillis,
                "request_timeout_ms", timeout == null ? "none" : timeout.toMillis(), "slow_response_ms", 2000, "normal_s", normal.toSeconds(), "slow_s", slow.toSeconds(),
                "after_s", after.toSeconds(), "warmup_s", warmup.toSeconds(), "outlier_detection", outlier), rows, Map.of());
    }

    /**
     * The latencies of one open-loop run, in nanoseconds and sorted, how many failed, and the run's phases: before,
     * during and after the slowdown, by scheduled time.
     */
    private record Run(long[] latencies, int failures, List<Run> phases) {
        Run phase(int index) {
            return phases.get(index);
        }

        int requests() {
            return latencies.length;
        }

        double successRate() {
            return 1.0 - (double) failures / latencies.length;
        }

        /** The latency at quantile {@code q} (nearest rank), in milliseconds. */
        double percentile(double q) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(q * latencies.length);
            return latencies[Math.max(0, Math.min(latencies.length - 1, rank - 1))] / 1e6;
        }
    }

    /**
     * Sends at a fixed rate for {@code normal + slow + after}, with backend 0 slow during the middle phase; waits for
     * every request to finish (at most 5 s after the last is sent).
     */
    private static Run openLoop(HttpClient client, URI uri, int rate, Duration normal, Duration slow, Duration after,
                                Backends servers, Duration timeout) throws InterruptedException {
        long period = 1_000_000_000L / rate;
        long total = normal.plus(slow).plus(after).toNanos();
        int count = (int) (total / period);
        long[] latencies = new long[count];
        AtomicLong failures = new AtomicLong();
        boolean[] failed = new boolean[count];
        CountDownLatch finished = new CountDownLatch(count);
        HttpRequest.Builder requestBuilder = HttpRequest.newBuilder(uri);
        if (timeout != null) {
            requestBuilder.timeout(timeout);
        }
        HttpRequest request = requestBuilder.build();
        long slowFrom = normal.toNanos();
        long slowUntil = normal.plus(slow).toNanos();
        boolean slowOn = false;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long offset = i * period;
            if (!slowOn && slow.isPositive() && offset >= slowFrom && offset < slowUntil) {
                servers.slow(0, true);
                slowOn = true;
            } else if (slowOn && offset >= slowUntil) {
                servers.slow(0, false);
                slowOn = false;
            }
            long intended = start + offset;
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            int index = i;
            try {
                client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                    latencies[index] = System.nanoTime() - intended;
                    if (error != null || response.statusCode() != 200) {
                        failed[index] = true;
                        failures.incrementAndGet();
                    }
                    finished.countDown();
                });
            } catch (RuntimeException e) {
                latencies[index] = System.nanoTime() - intended;
                failed[index] = true;
                failures.incrementAndGet();
                finished.countDown();
            }
        }
        servers.slow(0, false);
        if (!finished.await(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException(finished.getCount() + " requests did not finish within 5 s of the last one");
        }
        int slowFirst = (int) Math.min(count, (slowFrom + period - 1) / period);
        int slowEnd = slow.isPositive() ? (int) Math.min(count, (slowUntil + period - 1) / period) : slowFirst;
        List<Run> phases = List.of(part(latencies, failed, 0, slowFirst), part(latencies, failed, slowFirst, slowEnd),
                part(latencies, failed, slowEnd, count));
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        return new Run(sorted, (int) failures.get(), phases);
    }

    /** The requests scheduled from index {@code from} (inclusive) to {@code to} (exclusive), as a run of their own. */
    private static Run part(long[] latencies, boolean[] failed, int from, int to) {
        long[] part = Arrays.copyOfRange(latencies, from, Math.max(from, to));
        Arrays.sort(part);
        int failures = 0;
        for (int i = from; i < to; i++) {
            failures += failed[i] ? 1 : 0;
        }
        return new Run(part, failures, List.of());
    }

    // ---------------------------------------------------------------- clients and servers

    private static FairwayClient fairway(Servers servers, String picker, String executor, HttpClient.Version version) {
        return builder(servers, picker, executor, version).build();
    }

    private static FairwayClient.Builder builder(Servers servers, String picker, String executor, HttpClient.Version version) {
        FairwayClient.Builder builder = FairwayClient.newBuilder()
                .resolver("static")
                .resolverOption("addresses", servers.addressList())
                .version(version)
                .connectTimeout(Duration.ofSeconds(1))
                .seed(7);
        if (picker != null) {
            builder.picker(picker);
        }
        executor(executor).ifPresent(builder::executor);
        return builder;
    }

    /** N backends on 127.0.0.2, 127.0.0.3, ... and one port. */
    private interface Servers extends AutoCloseable {
        /** The shared port. */
        int port();

        /** How many backends. */
        int size();

        /** Backend {@code i}'s URI. */
        default URI uri(int i) {
            return URI.create("http://127.0.0." + (2 + i) + ":" + port() + "/");
        }

        /** Backend {@code i}'s address. */
        default InetSocketAddress address(int i) {
            try {
                return new InetSocketAddress(loopback(i), port());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The URI Fairway's requests use: a logical host, resolved by the static resolver. */
        default URI logicalUri() {
            return URI.create("http://" + HOST + ":" + port() + "/");
        }

        /** {@code 127.0.0.2,127.0.0.3,...} for the static resolver. */
        default String addressList() {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < size(); i++) {
                s.append(i == 0 ? "" : ",").append("127.0.0.").append(2 + i);
            }
            return s.toString();
        }

        /** Requests each backend served, space-separated, once closed; empty if not counted. */
        default String hitsPerBackend() {
            return "";
        }

        @Override
        void close();
    }

    static InetAddress loopback(int i) throws IOException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)});
    }

    /**
     * N backends served by a {@link Responder} in a child JVM (this JVM's {@code java} and class path), optionally under
     * {@code taskset -c cpus}: the backends are off this process, as other machines are in a deployment.
     */
    private static final class ResponderProcess implements Servers {
        private final Process process;
        private final java.io.BufferedReader out;
        private final int port;
        private final int size;
        private String hits = "";
        private boolean closed;

        private ResponderProcess(Process process, java.io.BufferedReader out, int port, int size) {
            this.process = process;
            this.out = out;
            this.port = port;
            this.size = size;
        }

        static ResponderProcess start(int n, String cpus) throws IOException {
            List<String> command = new ArrayList<>();
            if (!cpus.isEmpty()) {
                command.addAll(List.of("taskset", "-c", cpus));
            }
            command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(
                            () -> new IllegalStateException("cannot tell which java runs this harness")),
                    "-cp", System.getProperty("java.class.path"), LoadHarness.class.getName(), "serve",
                    "--backends", Integer.toString(n)));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            java.io.BufferedReader out = process.inputReader(StandardCharsets.US_ASCII);
            String line = out.readLine();
            if (line == null || !line.startsWith("port ")) {
                process.destroyForcibly();
                throw new IOException("the responder process did not start (" + String.join(" ", command) + "): " + line);
            }
            return new ResponderProcess(process, out, Integer.parseInt(line.substring(5).trim()), n);
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public String hitsPerBackend() {
            return hits;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                process.getOutputStream().close(); // the responder stops at the end of its input
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("hits ")) {
                        hits = line.substring(5);
                    }
                }
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** N HTTP/1.1 servers ({@code com.sun.net.httpserver}) in this JVM. */
    private static final class Backends implements Servers {
        private final List<HttpServer> servers;
        private final int port;
        private final AtomicBoolean[] slow;
        private final LongAdder[] hits;
        private final AtomicLong inFlight;
        private final ExecutorService executor;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Backends(List<HttpServer> servers, int port, AtomicBoolean[] slow, LongAdder[] hits, AtomicLong inFlight,
                         ExecutorService executor) {
            this.servers = servers;
            this.port = port;
            this.slow = slow;
            this.hits = hits;
            this.inFlight = inFlight;
            this.executor = executor;
        }

        static Backends start(int n, Duration service) throws IOException {
            for (int attempt = 0; ; attempt++) {
                ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
                AtomicBoolean[] slow = new AtomicBoolean[n];
                LongAdder[] hits = new LongAdder[n];
                AtomicLong inFlight = new AtomicLong();
                List<HttpServer> servers = new ArrayList<>();
                int port = 0;
                try {
                    for (int i = 0; i < n; i++) {
                        slow[i] = new AtomicBoolean();
                        hits[i] = new LongAdder();
                        HttpServer server = HttpServer.create(new InetSocketAddress(loopback(i), port), 1024);
                        port = server.getAddress().getPort();
                        AtomicBoolean isSlow = slow[i];
                        LongAdder count = hits[i];
                        server.createContext("/", exchange -> handle(exchange, isSlow, count, inFlight, service));
                        server.setExecutor(executor);
                        server.start();
                        servers.add(server);
                    }
                    return new Backends(servers, port, slow, hits, inFlight, executor);
                } catch (BindException e) {
                    servers.forEach(s -> s.stop(0));
                    executor.close();
                    if (attempt == 5) {
                        throw e;
                    }
                }
            }
        }

        private static void handle(HttpExchange exchange, AtomicBoolean slow, LongAdder hits, AtomicLong inFlight,
                                   Duration service) throws IOException {
            inFlight.incrementAndGet();
            hits.increment();
            try (exchange; InputStream in = exchange.getRequestBody()) {
                in.transferTo(OutputStream.nullOutputStream());
                if (slow.get()) {
                    Thread.sleep(2_000); // simulated slow service
                } else if (service.isPositive()) {
                    Thread.sleep(service); // simulated service time
                }
                exchange.sendResponseHeaders(200, BODY.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(BODY);
                }
            } catch (IOException e) {
                // the client gave up (timed out) and closed the connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public int size() {
            return servers.size();
        }

        void slow(int i, boolean on) {
            slow[i].set(on);
        }

        long hits(int i) {
            return hits[i].sum();
        }

        void resetCounts() {
            for (LongAdder h : hits) {
                h.reset();
            }
        }

        /** Waits until no exchange is being served (slow ones included), at most {@code limit}. */
        void awaitIdle(Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                servers.forEach(s -> s.stop(0));
                executor.shutdownNow();
            }
        }
    }

    // ---------------------------------------------------------------- JSON

    static String row(Object... keysAndValues) {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            s.append(i == 0 ? "" : ", ").append(quote(keysAndValues[i].toString())).append(": ").append(value(keysAndValues[i + 1]));
        }
        return s.append('}').toString();
    }

    static String document(String scenario, Map<String, Object> parameters, List<String> rows, Map<String, Object> summary) {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("available_processors", Runtime.getRuntime().availableProcessors());
        machine.put("java_version", System.getProperty("java.version"));
        machine.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        StringBuilder s = new StringBuilder("{\n");
        s.append("  \"scenario\": ").append(quote(scenario)).append(",\n");
        s.append("  \"finished\": ").append(quote(Instant.now().toString())).append(",\n");
        s.append("  \"machine\": ").append(object(machine)).append(",\n");
        s.append("  \"parameters\": ").append(object(new java.util.TreeMap<>(parameters))).append(",\n");
        s.append("  \"results\": [\n    ").append(String.join(",\n    ", rows)).append("\n  ]");
        if (!summary.isEmpty()) {
            s.append(",\n  \"summary\": ").append(object(summary));
        }
        return s.append("\n}\n").toString();
    }

    private static String object(Map<String, Object> map) {
        List<Object> flat = new ArrayList<>();
        map.forEach((k, v) -> {
            flat.add(k);
            flat.add(v);
        });
        return row(flat.toArray());
    }

    private static String value(Object v) {
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, "%.4f", d);
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        return quote(v.toString());
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
