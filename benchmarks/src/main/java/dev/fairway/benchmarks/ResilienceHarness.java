package dev.fairway.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fairway.FairwayClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Fairway's resilience policies side by side (issue 17), open loop against real HTTP/1.1 servers on loopback
 * addresses sharing one port: for each policy, a fresh {@link FairwayClient} runs the same phases, and each phase
 * reports the callers' success rate, p50 / p99 / p99.9 (from each request's scheduled time, a failure counted with
 * its time), and the amplification: attempts the backends received per request sent.
 *
 * <p><b>{@code slow}</b>: 10 backends answering in 2 ms at 400 requests/s, request timeout 1 s; after 5 s healthy,
 * backend 127.0.0.2 answers only after 2 s for 15 s. Policies: none ({@code max_attempts=1}), the defaults,
 * per-try timeout 25 ms without and with the retry budget, hedging at p95 and after 10 ms.
 *
 * <p>Every scenario runs with the picker {@code --picker} (default {@code least_loaded}, the client's default;
 * {@code round_robin} keeps sending the slow backend its share, so that the policy alone has to cope;
 * {@code peak_ewma} learns which backend is slow).
 *
 * <p><b>{@code failing}</b>: the same backends; healthy 5 s, then 127.0.0.2 answers 503 for 5 s, then every backend
 * answers 503 for 20 s (reported as its first 10 s, one budget window, and the rest), then all recover for 5 s.
 * Policies: none, the defaults, retries of 503 without and with the budget, hedging at p95.
 *
 * <p><b>{@code overload}</b>: 5 backends that each serve 2 requests at a time in 40 ms and answer 503 at once beyond
 * that (50 requests/s each, 250 in all); 5 s at 125 requests/s, then 20 s at 500 (twice the capacity). Policies:
 * none, retries of 503 without and with the budget, throttling ({@code k=2}), and throttling with retries.
 *
 * {@snippet lang = "shell" :
 * java -cp benchmarks/target/benchmarks.jar dev.fairway.benchmarks.ResilienceHarness slow --json docs/benchmarks/resilience-slow.json
 * java -cp benchmarks/target/benchmarks.jar dev.fairway.benchmarks.ResilienceHarness failing --json docs/benchmarks/resilience-failing.json
 * java -cp benchmarks/target/benchmarks.jar dev.fairway.benchmarks.ResilienceHarness overload --json docs/benchmarks/resilience-overload.json
 * }
 */
public final class ResilienceHarness {

    private static final int OK = 0;
    private static final int SLOW = 1;
    private static final int FAIL = 2;
    private static final byte[] BODY = "ok\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** A named client configuration. */
    private record Policy(String name, Consumer<FairwayClient.Builder> settings) {
    }

    /** One phase of a run: how long, at what rate, and what the backends do from its start. */
    private record Phase(String name, Duration length, int rate, Consumer<Pods> start) {
    }

    /**
     * Runs a scenario.
     *
     * @param args {@code slow}, {@code failing} or {@code overload}, then {@code --json file}, {@code --picker name}
     * @throws Exception if a server cannot start or the run is interrupted
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !List.of("slow", "failing", "overload").contains(args[0])) {
            System.err.println("usage: ResilienceHarness slow|failing|overload [--json file] [--picker name]");
            System.exit(2);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String picker = options.getOrDefault("picker", "least_loaded");
        String json = switch (args[0]) {
            case "slow" -> slow(picker);
            case "failing" -> failing(picker);
            default -> overload(picker);
        };
        if (options.containsKey("json")) {
            Path path = Path.of(options.get("json"));
            Files.createDirectories(path.toAbsolutePath().getParent());
            Files.writeString(path, json);
            System.out.println("wrote " + path);
        }
        System.exit(0);
    }

    private static final Policy NONE = new Policy("no policy (max_attempts=1)", b -> b.retryOption("max_attempts", 1));
    private static final Policy DEFAULTS = new Policy("defaults", b -> { });

    /** Retries without a budget worth the name. */
    private static Consumer<FairwayClient.Builder> unbudgeted(Consumer<FairwayClient.Builder> retries) {
        return retries.andThen(b -> b.retryOption("budget_ratio", 10).retryOption("budget_min_per_second", 100_000));
    }

    private static String slow(String picker) throws Exception {
        Consumer<FairwayClient.Builder> perTry = b -> b.retryOption("per_try_timeout", "25ms");
        List<Policy> policies = List.of(NONE, DEFAULTS,
                new Policy("retries: per-try 25ms, no budget", unbudgeted(perTry)),
                new Policy("retries: per-try 25ms + budget", perTry),
                new Policy("hedging p95 (+ budget)", b -> b.hedgeOption("delay", "p95")),
                new Policy("hedging 10ms (+ budget)", b -> b.hedgeOption("delay", "10ms")));
        List<Phase> phases = List.of(
                new Phase("healthy", Duration.ofSeconds(5), 400, p -> p.all(OK)),
                new Phase("one backend slow (2 s)", Duration.ofSeconds(15), 400, p -> p.mode(0, SLOW)));
        return run("slow", 10, 0, Duration.ofMillis(2), picker, policies, phases);
    }

    private static String failing(String picker) throws Exception {
        Consumer<FairwayClient.Builder> statuses = b -> b.retryOption("statuses", "503");
        List<Policy> policies = List.of(NONE, DEFAULTS,
                new Policy("retries of 503, no budget", unbudgeted(statuses)),
                new Policy("retries of 503 + budget", statuses),
                new Policy("hedging p95 (+ budget)", b -> b.hedgeOption("delay", "p95")));
        List<Phase> phases = List.of(
                new Phase("healthy", Duration.ofSeconds(5), 400, p -> p.all(OK)),
                new Phase("one backend 503", Duration.ofSeconds(5), 400, p -> p.mode(0, FAIL)),
                new Phase("every backend 503, first 10 s", Duration.ofSeconds(10), 400, p -> p.all(FAIL)),
                new Phase("every backend 503, after 10 s", Duration.ofSeconds(10), 400, p -> { }),
                new Phase("recovered", Duration.ofSeconds(5), 400, p -> p.all(OK)));
        return run("failing", 10, 0, Duration.ofMillis(2), picker, policies, phases);
    }

    private static String overload(String picker) throws Exception {
        Consumer<FairwayClient.Builder> statuses = b -> b.retryOption("statuses", "503");
        Consumer<FairwayClient.Builder> throttle = b -> b.throttleOption("k", 2);
        List<Policy> policies = List.of(NONE,
                new Policy("retries of 503, no budget", unbudgeted(statuses)),
                new Policy("retries of 503 + budget", statuses),
                new Policy("throttling k=2 (no retries)", throttle.andThen(b -> b.retryOption("max_attempts", 1))),
                new Policy("throttling k=2 + retries, no budget", unbudgeted(statuses).andThen(throttle)),
                new Policy("throttling k=2 + retries + budget", statuses.andThen(throttle)));
        List<Phase> phases = List.of(
                new Phase("half capacity", Duration.ofSeconds(5), 125, p -> p.all(OK)),
                new Phase("twice capacity", Duration.ofSeconds(20), 500, p -> { }));
        return run("overload", 5, 2, Duration.ofMillis(40), picker, policies, phases);
    }

    private static String run(String scenario, int backends, int capacity, Duration service, String picker,
                              List<Policy> policies, List<Phase> phases) throws Exception {
        List<String> rows = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%-40s %-32s %8s %9s %8s %8s %9s %9s%n", "policy", "phase", "requests", "success",
                "p50 ms", "p99 ms", "p99.9 ms", "attempts");
        try (Pods pods = Pods.start(backends, capacity, service)) {
            for (Policy policy : policies) {
                FairwayClient.Builder builder = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .resolver("static").resolverOption("addresses", pods.addresses()).picker(picker);
                policy.settings().accept(builder);
                try (FairwayClient client = builder.build()) {
                    // warm-up: connections, JIT, the hedge percentile; not recorded
                    openLoop(client, pods, List.of(new Phase("warm-up", Duration.ofSeconds(3), phases.get(0).rate(), p -> p.all(OK))));
                    List<Result> results = openLoop(client, pods, phases);
                    for (int i = 0; i < phases.size(); i++) {
                        Result r = results.get(i);
                        System.out.printf(Locale.ROOT, "%-40s %-32s %8d %8.3f%% %8.1f %8.1f %9.1f %9.3f%n", policy.name(),
                                phases.get(i).name(), r.requests(), 100 * r.successRate(), r.percentile(0.5),
                                r.percentile(0.99), r.percentile(0.999), r.amplification());
                        rows.add(LoadHarness.row("policy", policy.name(), "phase", phases.get(i).name(), "requests", r.requests(),
                                "success_rate", r.successRate(), "p50_ms", r.percentile(0.5), "p99_ms", r.percentile(0.99),
                                "p999_ms", r.percentile(0.999), "attempts_per_request", r.amplification()));
                    }
                    var retries = client.snapshot().get(0).retries();
                    System.out.printf(Locale.ROOT, "%-40s retries %d, hedges %d, denied %d, throttled %d%n", "",
                            retries.retries(), retries.hedges(), retries.denied(), retries.throttled());
                }
                pods.all(OK);
                pods.awaitIdle();
            }
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("backends", backends);
        parameters.put("backend_capacity", capacity == 0 ? "unlimited" : capacity);
        parameters.put("service_ms", service.toMillis());
        parameters.put("picker", picker);
        parameters.put("request_timeout_ms", 1000);
        parameters.put("phases", String.join("; ", phases.stream().map(p -> p.name() + " " + p.length().toSeconds() + " s at "
                + p.rate() + "/s").toList()));
        return LoadHarness.document("resilience_" + scenario, parameters, rows, Map.of());
    }

    /** The requests of one phase: latencies (sorted, ms), failures, and the attempts the backends received. */
    private record Result(double[] latencies, int failures, long attempts) {
        int requests() {
            return latencies.length;
        }

        double successRate() {
            return latencies.length == 0 ? Double.NaN : 1.0 - (double) failures / latencies.length;
        }

        double amplification() {
            return latencies.length == 0 ? Double.NaN : (double) attempts / latencies.length;
        }

        double percentile(double q) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(q * latencies.length);
            return latencies[Math.max(0, Math.min(latencies.length - 1, rank - 1))];
        }
    }

    /**
     * Sends at each phase's rate, at fixed intervals, with a 1 s timeout; the attempts the backends receive while a
     * phase is being sent count for it. Waits for every request to end (at most 5 s after the last is sent).
     */
    private static List<Result> openLoop(HttpClient client, Pods pods, List<Phase> phases) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(pods.uri()).timeout(Duration.ofSeconds(1)).build();
        int total = 0;
        for (Phase p : phases) {
            total += (int) (p.length().toNanos() * p.rate() / 1_000_000_000L);
        }
        long[] latencies = new long[total];
        boolean[] failed = new boolean[total];
        int[] phaseOf = new int[total];
        long[] attempts = new long[phases.size()];
        CountDownLatch finished = new CountDownLatch(total);
        long start = System.nanoTime();
        long phaseStart = 0;
        int index = 0;
        for (int phase = 0; phase < phases.size(); phase++) {
            Phase p = phases.get(phase);
            long before = pods.hits();
            p.start().accept(pods);
            long period = 1_000_000_000L / p.rate();
            int count = (int) (p.length().toNanos() * p.rate() / 1_000_000_000L);
            for (int i = 0; i < count; i++, index++) {
                long intended = start + phaseStart + i * period;
                long wait;
                while ((wait = intended - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                int n = index;
                phaseOf[n] = phase;
                try {
                    client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                        latencies[n] = System.nanoTime() - intended;
                        failed[n] = error != null || response.statusCode() != 200;
                        finished.countDown();
                    });
                } catch (RuntimeException e) {
                    latencies[n] = System.nanoTime() - intended;
                    failed[n] = true;
                    finished.countDown();
                }
            }
            phaseStart += p.length().toNanos();
            attempts[phase] = pods.hits() - before;
        }
        if (!finished.await(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException(finished.getCount() + " requests did not end within 5 s of the last one");
        }
        List<Result> results = new ArrayList<>();
        for (int phase = 0; phase < phases.size(); phase++) {
            List<Long> mine = new ArrayList<>();
            int failures = 0;
            for (int i = 0; i < total; i++) {
                if (phaseOf[i] == phase) {
                    mine.add(latencies[i]);
                    failures += failed[i] ? 1 : 0;
                }
            }
            double[] ms = mine.stream().mapToDouble(l -> l / 1e6).toArray();
            Arrays.sort(ms);
            results.add(new Result(ms, failures, attempts[phase]));
        }
        return results;
    }

    /** N HTTP/1.1 servers on 127.0.0.2 onwards, one port, each OK, SLOW (2 s) or FAIL (503), with an optional capacity. */
    private static final class Pods implements AutoCloseable {
        private final List<HttpServer> servers = new ArrayList<>();
        private final AtomicIntegerArray modes;
        private final LongAdder hits = new LongAdder();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        private int port;

        private Pods(int n) {
            this.modes = new AtomicIntegerArray(n);
        }

        static Pods start(int n, int capacity, Duration service) throws IOException {
            for (int attempt = 0; ; attempt++) {
                Pods pods = new Pods(n);
                try {
                    for (int i = 0; i < n; i++) {
                        HttpServer server = HttpServer.create(new InetSocketAddress(LoadHarness.loopback(i), pods.port), 1024);
                        pods.port = server.getAddress().getPort();
                        int index = i;
                        Semaphore places = capacity > 0 ? new Semaphore(capacity) : null;
                        server.createContext("/", exchange -> pods.handle(exchange, index, places, service));
                        server.setExecutor(pods.executor);
                        server.start();
                        pods.servers.add(server);
                    }
                    return pods;
                } catch (BindException e) {
                    pods.close();
                    if (attempt == 5) {
                        throw e;
                    }
                }
            }
        }

        private void handle(HttpExchange exchange, int index, Semaphore places, Duration service) throws IOException {
            hits.increment();
            inFlight.incrementAndGet();
            boolean placed = false;
            try (exchange; InputStream in = exchange.getRequestBody()) {
                in.transferTo(OutputStream.nullOutputStream());
                int mode = modes.get(index);
                placed = mode != FAIL && (places == null || places.tryAcquire());
                if (!placed) {
                    exchange.sendResponseHeaders(503, -1); // failing, or over capacity: at once
                    return;
                }
                Thread.sleep(mode == SLOW ? 2_000 : service.toMillis()); // the simulated service time
                exchange.sendResponseHeaders(200, BODY.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(BODY);
                }
            } catch (IOException e) {
                // the client gave up (timed out, or cancelled a hedge) and closed the connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (placed && places != null) {
                    places.release();
                }
                inFlight.decrementAndGet();
            }
        }

        void mode(int i, int mode) {
            modes.set(i, mode);
        }

        void all(int mode) {
            for (int i = 0; i < modes.length(); i++) {
                modes.set(i, mode);
            }
        }

        long hits() {
            return hits.sum();
        }

        String addresses() {
            List<String> list = new ArrayList<>();
            for (int i = 0; i < servers.size(); i++) {
                list.add("127.0.0." + (2 + i));
            }
            return String.join(",", list);
        }

        URI uri() {
            return URI.create("http://backends.test:" + port + "/");
        }

        /** Waits until no request is being served (slow ones included), at most 5 s. */
        void awaitIdle() throws InterruptedException {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }

        @Override
        public void close() {
            servers.forEach(s -> s.stop(0));
            executor.shutdownNow();
        }
    }
}
