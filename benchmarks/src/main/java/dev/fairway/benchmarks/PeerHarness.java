package dev.fairway.benchmarks;

import com.linecorp.armeria.client.BlockingWebClient;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.endpoint.EndpointGroup;
import com.linecorp.armeria.client.endpoint.EndpointSelectionStrategy;
import com.linecorp.armeria.common.Flags;
import com.linecorp.armeria.common.SessionProtocol;
import dev.fairway.FairwayClient;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Fairway and its peers in one run: a plain {@link HttpClient}, a {@link FairwayClient} and Armeria's
 * {@link WebClient}, each with blocking callers ({@code send}: one virtual thread per request in flight) and
 * asynchronous ones ({@code async}: a callback sends the next request when one completes, no thread waits), over
 * HTTP/1.1, h2c (HTTP/2 over cleartext) and HTTP/2 over TLS, against the same backends.
 *
 * <p><b>Backends.</b> One Armeria server in a child JVM ({@link PeerServer}; optionally under {@code taskset -c} with
 * {@code --server-cpus}) listening on {@code 127.0.0.2}, {@code 127.0.0.3}, … ({@code --backends}, default 5) with
 * one cleartext and one TLS port shared by all, like pods behind a headless service. Its TLS certificate is
 * self-signed, generated for this run with the JDK's {@code keytool}: names {@code DNS:backends.test} and every
 * backend's IP address, so that clients verify it by the logical name (Fairway, Armeria over an endpoint group) or
 * by the IP they connect to (a plain client, Armeria to one address). Every client trusts exactly that certificate.
 *
 * <p><b>Clients</b> ({@code --contenders}, each {@code client-style} with style {@code send} or {@code async}):
 * <ul>
 * <li>{@code plain}: one JDK {@link HttpClient} (its defaults) to backend {@code 127.0.0.2}, as an application
 *     without a balancer calls one address;</li>
 * <li>{@code fairway}: a {@link FairwayClient} ({@code static} resolver over every backend, its default picker or
 *     {@code --picker}) to {@code backends.test};</li>
 * <li>{@code armeria}: a {@link WebClient} with Armeria's defaults to backend {@code 127.0.0.2} (the peer of
 *     {@code plain});</li>
 * <li>{@code armeria_rr}: a {@link WebClient} over an {@link EndpointGroup} of every backend with
 *     {@link EndpointSelectionStrategy#roundRobin()}, each endpoint {@code backends.test} at its IP address: Armeria's
 *     best strategy for equal backends and equal requests;</li>
 * <li>{@code armeria_wrr}: the same with Armeria's default selection strategy,
 *     {@link EndpointSelectionStrategy#weightedRoundRobin()} (with equal weights the same order as round robin);</li>
 * <li>{@code plain_rr} and {@code plain_hand}: for diagnosis, plain JDK clients sending to every backend in turn,
 *     one client for all ({@code plain_rr}: one selector thread, one connection pool) or one per backend
 *     ({@code plain_hand}: what Fairway's leaves are, without the balancer);</li>
 * <li>{@code fairway_shared}: an experiment for h2c and h2 only, not a configuration Fairway offers: a
 *     {@link FairwayClient} whose leaves are all one JDK client (through the builder's package-private
 *     {@code leafFactory}, by reflection, as {@link FacadeBenchmark} does), to measure what sharing one selector
 *     thread and connection pool among the backends would give.</li>
 * </ul>
 * Each Armeria client has its own {@link ClientFactory} with its own event loops (Armeria's default number), so that
 * its threads come and go with it.
 *
 * <p><b>Run.</b> Closed loop, {@code --concurrency} requests in flight (default 32), {@code GET /}, empty-ish
 * {@code 200}. Each client is warmed up once per protocol ({@code --warmup} seconds), then {@code --rounds} rounds
 * each measure every protocol and client, made afresh, for {@code --measure-ms} after {@code --settle-ms}; the
 * order of clients (and of protocols) is rotated every round and reversed every other round. Per measurement:
 * requests per second, latency p50 / p99 / p99.9 (from a log-linear histogram, ±1.6 %), process CPU time per request
 * ({@code com.sun.management.OperatingSystemMXBean#getProcessCpuTime}), heap bytes allocated per request
 * ({@code com.sun.management.ThreadMXBean#getTotalThreadAllocatedBytes}), the platform threads of the process and how
 * many the client added, context switches per request (of the live threads, from {@code /proc/self/task}: the thread
 * hand-offs a client makes), and from the server: its CPU, the connections it accepted and the requests per protocol.
 * Prints medians over rounds and the ratios Fairway ÷ plain and Fairway ÷ Armeria, per protocol and caller style
 * (median of the per-round ratios, each round's figures measured minutes apart at most).
 *
 * {@snippet lang = "shell" :
 * taskset -c 0 java --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED \
 *     -cp benchmarks/target/benchmarks.jar dev.fairway.benchmarks.PeerHarness --server-cpus 1 \
 *     --json docs/benchmarks/peers.json
 * }
 */
public final class PeerHarness {

    static final String HOST = "backends.test";
    private static final String KEY_ALIAS = "backend";

    private static final String USAGE = """
            usage: PeerHarness [--name value ...]      (or PeerHarness serve ..., the backends' child process)

              --protocols LIST     h1,h2c,h2 (default all three): HTTP/1.1, h2c, HTTP/2 over TLS
              --contenders LIST    client-style pairs; clients plain, fairway, armeria, armeria_rr, armeria_wrr,
                                   plain_rr (one JDK client, every backend in turn), plain_hand (a JDK client per
                                   backend, in turn), fairway_shared (an experiment, h2c and h2 only: Fairway with
                                   one JDK client under all its leaves);
                                   styles send (blocking callers), async (callbacks). Default:
                                   plain-send,plain-async,fairway-send,fairway-async,armeria-async,armeria_rr-send,armeria_rr-async
              --backends N         backends on 127.0.0.2 ... (default 5)
              --concurrency N      requests in flight (default 32)
              --callers KIND       virtual (default) or platform: the threads of send callers
              --picker NAME        Fairway's picker (default: its default)
              --warmup S           seconds of warm-up per protocol and client, once (default 2)
              --settle-ms MS       after a client starts, before measuring (default 400)
              --measure-ms MS      measured time per protocol, client and round (default 1200)
              --rounds N           rounds (default 4)
              --server-cpus LIST   run the backends under taskset -c LIST (default: not pinned)
              --server-threads N   the server's event loops (default 1)
              --json FILE          write every measurement and the summary there
              --help               this text

            Start the harness itself under taskset -c to give clients and backends separate cores, for example
              taskset -c 0 java --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED \\
                  -cp benchmarks/target/benchmarks.jar dev.fairway.benchmarks.PeerHarness --server-cpus 1
            """;

    private static final List<String> DEFAULT_CONTENDERS = List.of("plain-send", "plain-async", "fairway-send",
            "fairway-async", "armeria-async", "armeria_rr-send", "armeria_rr-async");

    private final Map<String, String> options;

    private PeerHarness(Map<String, String> options) {
        this.options = options;
    }

    /**
     * Runs the comparison, or with {@code serve} first, the backends' child process.
     *
     * @param args {@code --name value} options (see {@code --help}), or {@code serve} and its options
     * @throws Exception if the backends cannot start or the run is interrupted
     */
    public static void main(String[] args) throws Exception {
        boolean serve = args.length > 0 && args[0].equals("serve");
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = serve ? 1 : 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.print(USAGE);
                return;
            }
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.print("expected --name value, got '" + args[i] + "'\n" + USAGE);
                System.exit(2);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        PeerHarness harness = new PeerHarness(options);
        if (serve) {
            PeerServer.serve(harness.integer("backends", 5), Path.of(options.get("keystore")),
                    options.get("storepass").toCharArray(), harness.integer("server-threads", 1));
            System.exit(0);
        }
        String json = harness.run();
        String out = options.get("json");
        if (out != null) {
            Path path = Path.of(out);
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            Files.writeString(path, json);
            System.out.println("wrote " + path);
        }
        System.exit(0); // clients are closed and the child stopped; Armeria's and the JDK's daemon threads may linger
    }

    private int integer(String name, int defaultValue) {
        return Integer.parseInt(options.getOrDefault(name, Integer.toString(defaultValue)));
    }

    // ---------------------------------------------------------------- protocols and clients

    /** The three ways of speaking HTTP measured. */
    enum Protocol {
        H1("h1", "HTTP/1.1", HttpClient.Version.HTTP_1_1, SessionProtocol.H1C, false),
        H2C("h2c", "h2c (HTTP/2, cleartext)", HttpClient.Version.HTTP_2, SessionProtocol.H2C, false),
        H2("h2", "HTTP/2 over TLS", HttpClient.Version.HTTP_2, SessionProtocol.H2, true);

        final String key;
        final String label;
        final HttpClient.Version version;
        final SessionProtocol armeria;
        final boolean tls;

        Protocol(String key, String label, HttpClient.Version version, SessionProtocol armeria, boolean tls) {
            this.key = key;
            this.label = label;
            this.version = version;
            this.armeria = armeria;
            this.tls = tls;
        }

        static Protocol of(String key) {
            for (Protocol p : values()) {
                if (p.key.equals(key)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("--protocols " + key + " is not known: use h1, h2c and h2");
        }
    }

    /** Where the clients send: the backends' ports and the certificate they trust. */
    private record Target(int backends, int cleartextPort, int tlsPort, SSLContext sslContext, X509Certificate certificate) {
        int port(Protocol p) {
            return p.tls ? tlsPort : cleartextPort;
        }

        String scheme(Protocol p) {
            return p.tls ? "https" : "http";
        }

        URI backendUri(Protocol p, int i) {
            return URI.create(scheme(p) + "://127.0.0." + (2 + i) + ":" + port(p) + "/");
        }

        URI logicalUri(Protocol p) {
            return URI.create(scheme(p) + "://" + HOST + ":" + port(p) + "/");
        }

        String addressList() {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < backends; i++) {
                s.append(i == 0 ? "" : ",").append("127.0.0.").append(2 + i);
            }
            return s.toString();
        }
    }

    /** Called once per finished request, on whatever thread finished it. */
    @FunctionalInterface
    interface Completion {
        void done(int status, Throwable error);
    }

    /** One client, made for one measurement, able to send the measured request both ways. */
    interface Peer extends AutoCloseable {
        /** Sends one request and waits for its whole response; returns the status. */
        int send() throws Exception;

        /** Sends one request and returns at once; {@code completion} is called when the response has been read. */
        void sendAsync(Completion completion);

        @Override
        void close();
    }

    /** A JDK {@link HttpClient} (a plain one or a {@link FairwayClient}) and its one request. */
    private record JdkPeer(HttpClient client, HttpRequest request) implements Peer {
        @Override
        public int send() throws IOException, InterruptedException {
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        }

        @Override
        public void sendAsync(Completion completion) {
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> completion.done(response == null ? 0 : response.statusCode(), error));
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /**
     * Plain JDK clients sending to every backend in turn (an atomic counter): {@code clients} holds one client for
     * all backends ({@code plain_rr}) or one per backend ({@code plain_hand}, what {@code LoadHarness} calls "by hand").
     */
    private record RotatingPeer(HttpClient[] clients, HttpRequest[] requests, AtomicInteger next) implements Peer {
        private int index() {
            return (next.getAndIncrement() & Integer.MAX_VALUE) % requests.length;
        }

        @Override
        public int send() throws IOException, InterruptedException {
            int i = index();
            return clients[i % clients.length].send(requests[i], HttpResponse.BodyHandlers.discarding()).statusCode();
        }

        @Override
        public void sendAsync(Completion completion) {
            int i = index();
            clients[i % clients.length].sendAsync(requests[i], HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> completion.done(response == null ? 0 : response.statusCode(), error));
        }

        @Override
        public void close() {
            for (HttpClient c : clients) {
                c.close();
            }
        }
    }

    /** An Armeria {@link WebClient} with its own {@link ClientFactory}. */
    private record ArmeriaPeer(WebClient client, BlockingWebClient blocking, ClientFactory factory) implements Peer {
        @Override
        public int send() {
            return blocking.get("/").status().code();
        }

        @Override
        public void sendAsync(Completion completion) {
            client.get("/").aggregate()
                    .whenComplete((response, error) -> completion.done(response == null ? 0 : response.status().code(), error));
        }

        @Override
        public void close() {
            factory.close();
        }
    }

    private Peer create(String client, Protocol p, Target target) {
        Duration timeout = Duration.ofSeconds(10);
        return switch (client) {
            case "plain" -> new JdkPeer(plain(p, target), HttpRequest.newBuilder(target.backendUri(p, 0)).timeout(timeout).build());
            case "plain_rr", "plain_hand" -> {
                HttpClient[] clients = new HttpClient[client.equals("plain_rr") ? 1 : target.backends()];
                HttpRequest[] requests = new HttpRequest[target.backends()];
                for (int i = 0; i < requests.length; i++) {
                    requests[i] = HttpRequest.newBuilder(target.backendUri(p, i)).timeout(timeout).build();
                }
                for (int i = 0; i < clients.length; i++) {
                    clients[i] = plain(p, target);
                }
                yield new RotatingPeer(clients, requests, new AtomicInteger());
            }
            case "fairway", "fairway_shared" -> {
                FairwayClient.Builder b = FairwayClient.newBuilder()
                        .resolver("static")
                        .resolverOption("addresses", target.addressList())
                        .version(p.version)
                        .connectTimeout(Duration.ofSeconds(1))
                        .seed(7);
                String picker = options.get("picker");
                if (picker != null) {
                    b.picker(picker);
                }
                if (p.tls) {
                    b.sslContext(target.sslContext());
                }
                if (client.equals("fairway_shared")) {
                    // An experiment, not a configuration Fairway offers: every leaf is the one JDK client the first
                    // leaf's builder made (same target, so the same TLS name and parameters). Direct-mode leaves address
                    // each backend by IP, so the JDK keeps one connection per backend, all on one selector thread.
                    HttpClient[] shared = new HttpClient[1];
                    FacadeBenchmark.leafFactory(b, configured -> {
                        synchronized (shared) {
                            if (shared[0] == null) {
                                shared[0] = configured.build();
                            }
                            return shared[0];
                        }
                    });
                }
                yield new JdkPeer(b.build(), HttpRequest.newBuilder(target.logicalUri(p)).timeout(timeout).build());
            }
            case "armeria", "armeria_rr", "armeria_wrr" -> {
                X509Certificate certificate = target.certificate();
                ClientFactory factory = ClientFactory.builder()
                        .workerGroup(Flags.numCommonWorkers()) // Armeria's default size, owned by this client
                        .tlsCustomizer(tls -> tls.trustManager(certificate))
                        .build();
                WebClient web;
                if (client.equals("armeria")) {
                    web = WebClient.builder(p.armeria, Endpoint.of("127.0.0.2", target.port(p)))
                            .factory(factory).responseTimeout(timeout).build();
                } else {
                    List<Endpoint> endpoints = new ArrayList<>();
                    for (int i = 0; i < target.backends(); i++) {
                        endpoints.add(Endpoint.of(HOST, target.port(p)).withIpAddr("127.0.0." + (2 + i)));
                    }
                    EndpointSelectionStrategy strategy = client.equals("armeria_rr")
                            ? EndpointSelectionStrategy.roundRobin() : EndpointSelectionStrategy.weightedRoundRobin();
                    web = WebClient.builder(p.armeria, EndpointGroup.of(strategy, endpoints))
                            .factory(factory).responseTimeout(timeout).build();
                }
                yield new ArmeriaPeer(web, web.blocking(), factory);
            }
            default -> throw new IllegalArgumentException("client '" + client + "' is not known: use one of " + CLIENTS);
        };
    }

    private static HttpClient plain(Protocol p, Target target) {
        HttpClient.Builder b = HttpClient.newBuilder().version(p.version).connectTimeout(Duration.ofSeconds(1));
        if (p.tls) {
            b.sslContext(target.sslContext());
        }
        return b.build();
    }

    private static final List<String> CLIENTS = List.of("plain", "plain_rr", "plain_hand", "fairway", "fairway_shared",
            "armeria", "armeria_rr", "armeria_wrr");

    private record Contender(String name, String client, boolean async) {
        static Contender of(String name) {
            int dash = name.lastIndexOf('-');
            String style = dash < 0 ? "" : name.substring(dash + 1);
            if (!style.equals("send") && !style.equals("async")) {
                throw new IllegalArgumentException("--contenders " + name + ": write client-send or client-async");
            }
            String client = name.substring(0, dash);
            if (!CLIENTS.contains(client)) {
                throw new IllegalArgumentException("--contenders " + name + ": the client is one of " + CLIENTS);
            }
            return new Contender(name, client, style.equals("async"));
        }
    }

    // ---------------------------------------------------------------- measuring

    /**
     * Latencies in a log-linear histogram (exact below 128 ns, then 64 buckets per power of two: within 1.6 %), and
     * the counts of one measurement. Recording allocates nothing and takes no lock.
     */
    static final class Recorder {
        private static final int SUB_BITS = 6;
        private static final int EXACT = 1 << (SUB_BITS + 1);
        private final AtomicLongArray buckets = new AtomicLongArray(EXACT + (63 - SUB_BITS) * (1 << SUB_BITS));
        final AtomicBoolean counting = new AtomicBoolean();
        final LongAdder ok = new LongAdder();
        final LongAdder failed = new LongAdder();

        void record(long startNanos, int status, Throwable error) {
            if (!counting.get()) {
                return;
            }
            if (error != null || status != 200) {
                failed.increment();
                return;
            }
            ok.increment();
            buckets.incrementAndGet(index(System.nanoTime() - startNanos));
        }

        static int index(long nanos) {
            long v = Math.max(0, nanos);
            if (v < EXACT) {
                return (int) v;
            }
            int exponent = 63 - Long.numberOfLeadingZeros(v);
            int mantissa = (int) (v >>> (exponent - SUB_BITS)) & ((1 << SUB_BITS) - 1);
            return EXACT + (exponent - SUB_BITS - 1) * (1 << SUB_BITS) + mantissa;
        }

        /** The middle of bucket {@code index}, in nanoseconds. */
        static double value(int index) {
            if (index < EXACT) {
                return index;
            }
            int exponent = (index - EXACT) / (1 << SUB_BITS) + SUB_BITS + 1;
            int mantissa = (index - EXACT) % (1 << SUB_BITS);
            long low = ((long) ((1 << SUB_BITS) + mantissa)) << (exponent - SUB_BITS);
            return low + (double) (1L << (exponent - SUB_BITS)) / 2;
        }

        /** The latency at quantile {@code q} (nearest rank), in microseconds; NaN if nothing was recorded. */
        double percentileMicros(double q) {
            long total = 0;
            for (int i = 0; i < buckets.length(); i++) {
                total += buckets.get(i);
            }
            if (total == 0) {
                return Double.NaN;
            }
            long rank = Math.max(1, (long) Math.ceil(q * total));
            long seen = 0;
            for (int i = 0; i < buckets.length(); i++) {
                seen += buckets.get(i);
                if (seen >= rank) {
                    return value(i) / 1e3;
                }
            }
            return Double.NaN;
        }
    }

    /** Requests kept in flight by a closed loop, until {@link #stop()}. */
    private interface Load {
        /** Stops sending and waits (at most 15 s) until nothing is in flight. */
        void stop() throws InterruptedException;
    }

    private static Load blockingLoad(Peer peer, Recorder recorder, int concurrency, boolean platform) {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Thread.Builder builder = platform ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
            workers.add(builder.name("peer-send-", i).start(() -> {
                while (!stop.get()) {
                    long start = System.nanoTime();
                    int status = 0;
                    Throwable error = null;
                    try {
                        status = peer.send();
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        error = e;
                    }
                    recorder.record(start, status, error);
                    if (error != null) {
                        pause();
                    }
                }
            }));
        }
        return () -> {
            stop.set(true);
            for (Thread w : workers) {
                w.join(15_000);
            }
        };
    }

    private static Load asyncLoad(Peer peer, Recorder recorder, int concurrency) {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger inFlight = new AtomicInteger();
        final class Loop {
            void next() {
                if (stop.get()) {
                    inFlight.decrementAndGet();
                    return;
                }
                long start = System.nanoTime();
                try {
                    peer.sendAsync((status, error) -> {
                        recorder.record(start, status, error);
                        if (error == null) {
                            next(); // on the thread that completed the response, as callback-driven code does
                        } else {
                            Thread.ofVirtual().start(() -> {
                                pause(); // no tight loop of failures, no unbounded recursion
                                next();
                            });
                        }
                    });
                } catch (RuntimeException e) {
                    recorder.record(start, 0, e);
                    Thread.ofVirtual().start(() -> {
                        pause();
                        next();
                    });
                }
            }
        }
        Loop loop = new Loop();
        for (int i = 0; i < concurrency; i++) {
            inFlight.incrementAndGet();
            loop.next();
        }
        return () -> {
            stop.set(true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        };
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The process-wide counters read at the edges of a measurement. */
    private record Counters(long nanos, long cpuNanos, long allocated, Map<String, String> server, long switches) {
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * The counters at the start of a measurement: the slower readings (the server's, the context switches) first, so
     * that their own CPU time and allocation fall outside the measured interval.
     */
    private static Counters startCounters(ServerProcess server) throws IOException {
        long switches = contextSwitches();
        Map<String, String> stats = server.stats();
        return new Counters(System.nanoTime(), OS.getProcessCpuTime(), THREADS.getTotalThreadAllocatedBytes(), stats, switches);
    }

    /** The counters at the end of a measurement: the fast readings first. */
    private static Counters endCounters(ServerProcess server) throws IOException {
        long nanos = System.nanoTime();
        long cpu = OS.getProcessCpuTime();
        long allocated = THREADS.getTotalThreadAllocatedBytes();
        Map<String, String> stats = server.stats();
        return new Counters(nanos, cpu, allocated, stats, contextSwitches());
    }

    /**
     * Voluntary and involuntary context switches of this process's live threads, from {@code /proc/self/task/}*{@code
     * /status} (Linux; -1 elsewhere). Threads that end meanwhile take their counts with them, so this undercounts a
     * client that starts and ends threads during a measurement.
     */
    static long contextSwitches() {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return -1;
        }
        long sum = 0;
        try (var list = Files.list(tasks)) {
            for (Path task : list.toList()) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"), StandardCharsets.US_ASCII)) {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (IOException e) {
                    // the thread ended between listing and reading
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return sum;
    }

    /** One measurement of one client on one protocol. */
    record Measurement(int round, Protocol protocol, Contender contender, double requestsPerSecond, long requests,
                       long failures, double p50, double p99, double p999, double cpuMicrosPerRequest,
                       double allocatedBytesPerRequest, int threads, int threadsAdded, double serverCpuMicrosPerRequest,
                       double serverCpuShare, double clientCpuShare, long connectionsAccepted, long openConnections,
                       long connectionsSinceStart, String servedAs, String servedAsSinceStart, String perBackend,
                       double contextSwitchesPerRequest) {
    }

    private Measurement measure(int round, Protocol protocol, Contender contender, Target target, ServerProcess server,
                                Duration settle, Duration measure) throws Exception {
        System.gc();
        Thread.sleep(100);
        int threadsBefore = THREADS.getThreadCount();
        Recorder recorder = new Recorder();
        int concurrency = integer("concurrency", 32);
        boolean platform = options.getOrDefault("callers", "virtual").equals("platform");
        Counters birth = startCounters(server);
        Counters start;
        Counters end;
        int threads;
        try (Peer peer = create(contender.client(), protocol, target)) {
            Load load = contender.async() ? asyncLoad(peer, recorder, concurrency)
                    : blockingLoad(peer, recorder, concurrency, platform);
            try {
                Thread.sleep(settle.toMillis());
                start = startCounters(server);
                recorder.counting.set(true);
                Thread.sleep(measure.toMillis());
                recorder.counting.set(false);
                end = endCounters(server);
                threads = THREADS.getThreadCount();
            } finally {
                load.stop();
            }
        }
        double seconds = (end.nanos() - start.nanos()) / 1e9;
        long requests = recorder.ok.sum();
        double perRequest = Math.max(1, requests);
        double serverCpu = delta(start, end, "cpu_ns");
        String servedAs = servedAs(start, end);
        String servedAsSinceStart = servedAs(birth, end);
        String[] hitsBefore = start.server().getOrDefault("hits", "").split(",");
        String[] hitsAfter = end.server().getOrDefault("hits", "").split(",");
        StringBuilder perBackend = new StringBuilder();
        for (int i = 0; i < hitsAfter.length && i < hitsBefore.length && !hitsAfter[i].isEmpty(); i++) {
            perBackend.append(i == 0 ? "" : " ").append(Long.parseLong(hitsAfter[i]) - Long.parseLong(hitsBefore[i]));
        }
        return new Measurement(round, protocol, contender, requests / seconds, requests, recorder.failed.sum(),
                recorder.percentileMicros(0.50), recorder.percentileMicros(0.99), recorder.percentileMicros(0.999),
                (end.cpuNanos() - start.cpuNanos()) / 1e3 / perRequest,
                (end.allocated() - start.allocated()) / perRequest, threads, threads - threadsBefore,
                serverCpu / 1e3 / perRequest, serverCpu / (end.nanos() - start.nanos()),
                (end.cpuNanos() - start.cpuNanos()) / (double) (end.nanos() - start.nanos()),
                (long) delta(start, end, "connections"), Long.parseLong(end.server().getOrDefault("open", "0")),
                (long) delta(birth, end, "connections"), servedAs, servedAsSinceStart, perBackend.toString(),
                start.switches() < 0 ? Double.NaN : (end.switches() - start.switches()) / perRequest);
    }

    /** Requests the server served per protocol between two readings, e.g. {@code h1c=12 h2c=3400}. */
    private static String servedAs(Counters from, Counters to) {
        StringBuilder s = new StringBuilder();
        for (SessionProtocol p : List.of(SessionProtocol.H1C, SessionProtocol.H2C, SessionProtocol.H1, SessionProtocol.H2)) {
            long n = (long) delta(from, to, p.uriText());
            if (n > 0) {
                s.append(s.isEmpty() ? "" : " ").append(p.uriText()).append('=').append(n);
            }
        }
        return s.toString();
    }

    private static double delta(Counters start, Counters end, String key) {
        return Double.parseDouble(end.server().getOrDefault(key, "0")) - Double.parseDouble(start.server().getOrDefault(key, "0"));
    }

    private void warmUp(Protocol protocol, Contender contender, Target target, Duration warmup) throws Exception {
        Recorder recorder = new Recorder();
        try (Peer peer = create(contender.client(), protocol, target)) {
            Load load = contender.async() ? asyncLoad(peer, recorder, integer("concurrency", 32))
                    : blockingLoad(peer, recorder, integer("concurrency", 32),
                    options.getOrDefault("callers", "virtual").equals("platform"));
            Thread.sleep(warmup.toMillis());
            load.stop();
        }
    }

    private String run() throws Exception {
        int backends = integer("backends", 5);
        int rounds = integer("rounds", 4);
        Duration warmup = Duration.ofSeconds(integer("warmup", 2));
        Duration settle = Duration.ofMillis(integer("settle-ms", 400));
        Duration measure = Duration.ofMillis(integer("measure-ms", 1200));
        String callers = options.getOrDefault("callers", "virtual");
        if (!callers.equals("virtual") && !callers.equals("platform")) {
            throw new IllegalArgumentException("--callers " + callers + " is not known: use virtual or platform");
        }
        List<Protocol> protocols = new ArrayList<>();
        for (String p : options.getOrDefault("protocols", "h1,h2c,h2").split(",")) {
            protocols.add(Protocol.of(p.trim()));
        }
        List<Contender> contenders = new ArrayList<>();
        for (String c : options.getOrDefault("contenders", String.join(",", DEFAULT_CONTENDERS)).split(",")) {
            contenders.add(Contender.of(c.trim()));
        }
        if (protocols.contains(Protocol.H1) && contenders.stream().anyMatch(c -> c.client().equals("fairway_shared"))) {
            throw new IllegalArgumentException("fairway_shared is for h2c and h2 only: HTTP/1.1 leaves are each a proxy for "
                    + "their backend, so one shared client would send everything to one backend");
        }
        if (!THREADS.isThreadAllocatedMemorySupported() || !THREADS.isThreadAllocatedMemoryEnabled()) {
            throw new IllegalStateException("this JVM does not count allocated bytes per thread");
        }
        Path dir = Files.createTempDirectory("fairway-peers");
        List<Measurement> all = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(backends, dir, options.getOrDefault("server-cpus", ""),
                integer("server-threads", 1))) {
            Target target = new Target(backends, server.cleartextPort, server.tlsPort, server.sslContext, server.certificate);
            System.out.printf(Locale.ROOT, "backends 127.0.0.2-%d, ports %d (cleartext) and %d (TLS); %d cores here%n",
                    1 + backends, server.cleartextPort, server.tlsPort, Runtime.getRuntime().availableProcessors());
            for (Protocol protocol : protocols) {
                for (Contender contender : contenders) {
                    warmUp(protocol, contender, target, warmup);
                }
            }
            System.out.printf(Locale.ROOT, "%-5s %-5s %-18s %10s %9s %9s %9s %9s %9s %7s %6s %6s %9s  %s%n", "round",
                    "proto", "client", "req/s", "p50 µs", "p99 µs", "p99.9 µs", "CPU µs/r", "B/req", "threads", "CPU",
                    "srvCPU", "conns", "cs/req, served as (since the client started)");
            for (int round = 0; round < rounds; round++) {
                for (Protocol protocol : order(protocols, round)) {
                    for (Contender contender : order(contenders, round)) {
                        Measurement m = measure(round + 1, protocol, contender, target, server, settle, measure);
                        all.add(m);
                        System.out.printf(Locale.ROOT, "%-5d %-5s %-18s %,10.0f %9.0f %9.0f %9.0f %9.1f %,9.0f %7d %5.0f%% %5.0f%% %4d (%3d)  %.2f %s (%s)%s%n",
                                m.round(), protocol.key, contender.name(), m.requestsPerSecond(), m.p50(), m.p99(), m.p999(),
                                m.cpuMicrosPerRequest(), m.allocatedBytesPerRequest(), m.threads(), 100 * m.clientCpuShare(),
                                100 * m.serverCpuShare(), m.connectionsAccepted(), m.connectionsSinceStart(),
                                m.contextSwitchesPerRequest(), m.servedAs(),
                                m.servedAsSinceStart(), m.failures() > 0 ? "  FAILED " + m.failures() : "");
                    }
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
        Map<String, Object> summary = summarize(all, protocols, contenders, rounds);
        Map<String, Object> parameters = new TreeMap<>();
        parameters.put("backends", backends);
        parameters.put("concurrency", integer("concurrency", 32));
        parameters.put("callers", callers);
        parameters.put("picker", options.getOrDefault("picker", "default"));
        parameters.put("warmup_s", warmup.toSeconds());
        parameters.put("settle_ms", settle.toMillis());
        parameters.put("measure_ms", measure.toMillis());
        parameters.put("rounds", rounds);
        parameters.put("protocols", options.getOrDefault("protocols", "h1,h2c,h2"));
        parameters.put("contenders", options.getOrDefault("contenders", String.join(",", DEFAULT_CONTENDERS)));
        parameters.put("server", "Armeria " + com.linecorp.armeria.common.util.Version.get("armeria",
                PeerHarness.class.getClassLoader()).artifactVersion() + " in a child JVM, "
                + integer("server-threads", 1) + " event loop(s)");
        parameters.put("server_cpus", options.getOrDefault("server-cpus", "any"));
        parameters.put("harness_available_processors", Runtime.getRuntime().availableProcessors());
        parameters.put("jvm_arguments", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        List<String> rows = new ArrayList<>();
        for (Measurement m : all) {
            rows.add(row("round", m.round(), "protocol", m.protocol().key, "client", m.contender().name(),
                    "requests_per_second", m.requestsPerSecond(), "requests", m.requests(), "failures", m.failures(),
                    "p50_us", m.p50(), "p99_us", m.p99(), "p999_us", m.p999(),
                    "cpu_us_per_request", m.cpuMicrosPerRequest(), "allocated_bytes_per_request", m.allocatedBytesPerRequest(),
                    "threads", m.threads(), "threads_added_by_client", m.threadsAdded(),
                    "client_cpu_share", m.clientCpuShare(), "server_cpu_us_per_request", m.serverCpuMicrosPerRequest(),
                    "server_cpu_share", m.serverCpuShare(), "server_connections_accepted", m.connectionsAccepted(),
                    "server_connections_open", m.openConnections(), "server_requests_by_protocol", m.servedAs(),
                    "server_connections_accepted_since_client_start", m.connectionsSinceStart(),
                    "server_requests_by_protocol_since_client_start", m.servedAsSinceStart(),
                    "server_requests_per_backend", m.perBackend(),
                    "context_switches_per_request", m.contextSwitchesPerRequest()));
        }
        return document(parameters, rows, summary);
    }

    /** Round {@code r}'s order: rotated by {@code r}, reversed in odd rounds. */
    static <T> List<T> order(List<T> items, int round) {
        List<T> rotated = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            rotated.add(items.get((i + round) % items.size()));
        }
        return round % 2 == 1 ? rotated.reversed() : rotated;
    }

    // ---------------------------------------------------------------- summary

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double[] series(List<Measurement> all, Protocol p, String contender, int rounds,
                                   java.util.function.ToDoubleFunction<Measurement> f) {
        double[] v = new double[rounds];
        Arrays.fill(v, Double.NaN);
        for (Measurement m : all) {
            if (m.protocol() == p && m.contender().name().equals(contender)) {
                v[m.round() - 1] = f.applyAsDouble(m);
            }
        }
        return v;
    }

    private static Map<String, Object> summarize(List<Measurement> all, List<Protocol> protocols,
                                                 List<Contender> contenders, int rounds) {
        Map<String, Object> summary = new LinkedHashMap<>();
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "%nmedians over %d rounds%n", rounds);
        out.printf(Locale.ROOT, "%-5s %-18s %10s %9s %9s %9s %9s %9s %7s %7s %7s %7s%n", "proto", "client", "req/s",
                "p50 µs", "p99 µs", "p99.9 µs", "CPU µs/r", "B/req", "threads", "+thr", "srvCPU", "cs/req");
        for (Protocol p : protocols) {
            for (Contender c : contenders) {
                Map<String, Function<Measurement, Double>> metrics = new LinkedHashMap<>();
                metrics.put("requests_per_second", Measurement::requestsPerSecond);
                metrics.put("p50_us", Measurement::p50);
                metrics.put("p99_us", Measurement::p99);
                metrics.put("p999_us", Measurement::p999);
                metrics.put("cpu_us_per_request", Measurement::cpuMicrosPerRequest);
                metrics.put("allocated_bytes_per_request", Measurement::allocatedBytesPerRequest);
                metrics.put("threads", m -> (double) m.threads());
                metrics.put("threads_added_by_client", m -> (double) m.threadsAdded());
                metrics.put("server_cpu_share", Measurement::serverCpuShare);
                metrics.put("client_cpu_share", Measurement::clientCpuShare);
                metrics.put("context_switches_per_request", Measurement::contextSwitchesPerRequest);
                Map<String, Object> medians = new LinkedHashMap<>();
                metrics.forEach((k, f) -> medians.put(k, median(series(all, p, c.name(), rounds, f::apply))));
                summary.put(p.key + " " + c.name(), medians);
                out.printf(Locale.ROOT, "%-5s %-18s %,10.0f %9.0f %9.0f %9.0f %9.1f %,9.0f %7.0f %7.0f %6.0f%% %7.2f%n",
                        p.key, c.name(), medians.get("requests_per_second"), medians.get("p50_us"), medians.get("p99_us"),
                        medians.get("p999_us"), medians.get("cpu_us_per_request"),
                        medians.get("allocated_bytes_per_request"), medians.get("threads"),
                        medians.get("threads_added_by_client"), 100 * (double) medians.get("server_cpu_share"),
                        medians.get("context_switches_per_request"));
            }
        }
        out.printf(Locale.ROOT, "%nratios (median of per-round ratios; min-max)%n");
        List<String> names = contenders.stream().map(Contender::name).toList();
        for (Protocol p : protocols) {
            for (String style : List.of("send", "async")) {
                String fairway = "fairway-" + style;
                if (!names.contains(fairway)) {
                    continue;
                }
                for (String peer : List.of("plain-" + style, "armeria-" + style, "armeria_rr-" + style,
                        "armeria_wrr-" + style, "plain_rr-" + style, "plain_hand-" + style, "fairway_shared-" + style)) {
                    if (!names.contains(peer)) {
                        continue;
                    }
                    ratio(summary, out, all, p, fairway, peer, rounds, "requests_per_second", Measurement::requestsPerSecond);
                    ratio(summary, out, all, p, fairway, peer, rounds, "cpu_us_per_request", Measurement::cpuMicrosPerRequest);
                }
            }
        }
        return summary;
    }

    private static void ratio(Map<String, Object> summary, PrintStream out, List<Measurement> all, Protocol p,
                              String fairway, String peer, int rounds, String metric,
                              java.util.function.ToDoubleFunction<Measurement> f) {
        double[] a = series(all, p, fairway, rounds, f);
        double[] b = series(all, p, peer, rounds, f);
        double[] r = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            r[i] = a[i] / b[i];
        }
        double[] sorted = r.clone();
        Arrays.sort(sorted);
        double med = median(r);
        summary.put(p.key + " " + metric + " " + fairway + " / " + peer, med);
        out.printf(Locale.ROOT, "%-5s %-20s %-14s / %-16s %.3f (%.3f-%.3f)%n", p.key, metric, fairway, peer, med,
                sorted[0], sorted[rounds - 1]);
    }

    // ---------------------------------------------------------------- the backends' process

    /** The child JVM serving the backends ({@link PeerServer}), and the certificate it presents. */
    private static final class ServerProcess implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final PrintStream in;
        final int cleartextPort;
        final int tlsPort;
        final SSLContext sslContext;
        final X509Certificate certificate;
        private boolean closed;

        private ServerProcess(Process process, BufferedReader out, int cleartextPort, int tlsPort, SSLContext sslContext,
                              X509Certificate certificate) {
            this.process = process;
            this.out = out;
            this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.US_ASCII);
            this.cleartextPort = cleartextPort;
            this.tlsPort = tlsPort;
            this.sslContext = sslContext;
            this.certificate = certificate;
        }

        static ServerProcess start(int n, Path dir, String cpus, int threads) throws Exception {
            String password = HexFormat.of().formatHex(SecureRandom.getInstanceStrong().generateSeed(12));
            Path keystore = dir.resolve("backends.p12");
            X509Certificate certificate = selfSigned(keystore, password, n);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(KEY_ALIAS, certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext sslContext = SSLContext.getInstance("TLS");
            sslContext.init(null, tmf.getTrustManagers(), null);

            List<String> command = new ArrayList<>();
            if (!cpus.isEmpty()) {
                command.addAll(List.of("taskset", "-c", cpus));
            }
            command.add(ProcessHandle.current().info().command()
                    .orElseThrow(() -> new IllegalStateException("cannot tell which java runs this harness")));
            for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (a.startsWith("--sun-misc-unsafe-memory-access") || a.startsWith("--enable-native-access")
                        || a.startsWith("-Dio.netty") || a.startsWith("-Dcom.linecorp")) {
                    command.add(a); // what the harness needs to run Netty quietly, the server needs too
                }
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), PeerHarness.class.getName(), "serve",
                    "--backends", Integer.toString(n), "--keystore", keystore.toString(), "--storepass", password,
                    "--server-threads", Integer.toString(threads)));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = process.inputReader(StandardCharsets.US_ASCII);
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("ports ")) {
                System.out.println("server: " + line); // whatever the child logs before it listens
            }
            if (line == null) {
                process.destroyForcibly();
                throw new IOException("the backends' process did not start: " + String.join(" ", command));
            }
            String[] ports = line.substring(6).trim().split(" ");
            return new ServerProcess(process, out, Integer.parseInt(ports[0]), Integer.parseInt(ports[1]), sslContext,
                    certificate);
        }

        /** The server's counters: one {@code stats} round trip. */
        Map<String, String> stats() throws IOException {
            in.println("stats");
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("stats ")) {
                System.out.println("server: " + line);
            }
            if (line == null) {
                throw new IOException("the backends' process ended");
            }
            Map<String, String> stats = new LinkedHashMap<>();
            for (String pair : line.substring(6).split(" ")) {
                int eq = pair.indexOf('=');
                stats.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            return stats;
        }

        @Override
        public void close() throws InterruptedException {
            if (closed) {
                return;
            }
            closed = true;
            in.close(); // the server stops at the end of its input
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        /**
         * A new EC key and self-signed certificate in a PKCS#12 file (alias {@code backend}), valid two days, for
         * {@code DNS:backends.test} and each backend's IP address; made by this JDK's {@code keytool}.
         */
        private static X509Certificate selfSigned(Path keystore, String password, int n) throws Exception {
            StringBuilder san = new StringBuilder("SAN=dns:" + HOST);
            for (int i = 0; i < n; i++) {
                san.append(",ip:127.0.0.").append(2 + i);
            }
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", KEY_ALIAS, "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=" + HOST, "-ext", san.toString(), "-validity", "2",
                    "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password)
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("keytool failed: " + output);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, password.toCharArray());
            }
            return (X509Certificate) store.getCertificate(KEY_ALIAS);
        }
    }

    // ---------------------------------------------------------------- JSON

    private static String document(Map<String, Object> parameters, List<String> rows, Map<String, Object> summary) {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("available_processors", Runtime.getRuntime().availableProcessors());
        machine.put("java_version", System.getProperty("java.version"));
        machine.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        StringBuilder s = new StringBuilder("{\n");
        s.append("  \"scenario\": \"peers\",\n");
        s.append("  \"finished\": ").append(quote(Instant.now().toString())).append(",\n");
        s.append("  \"machine\": ").append(object(machine)).append(",\n");
        s.append("  \"parameters\": ").append(object(parameters)).append(",\n");
        s.append("  \"results\": [\n    ").append(String.join(",\n    ", rows)).append("\n  ],\n");
        s.append("  \"summary\": {\n");
        List<String> entries = new ArrayList<>();
        summary.forEach((k, v) -> entries.add("    " + quote(k) + ": " + value(v)));
        s.append(String.join(",\n", entries)).append("\n  }\n");
        return s.append("}\n").toString();
    }

    private static String row(Object... keysAndValues) {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            s.append(i == 0 ? "" : ", ").append(quote(keysAndValues[i].toString())).append(": ").append(value(keysAndValues[i + 1]));
        }
        return s.append('}').toString();
    }

    private static String object(Map<String, ?> map) {
        List<Object> flat = new ArrayList<>();
        map.forEach((k, v) -> {
            flat.add(k);
            flat.add(v);
        });
        return row(flat.toArray());
    }

    @SuppressWarnings("unchecked")
    private static String value(Object v) {
        if (v instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.4f", d);
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof Map<?, ?> m) {
            return object((Map<String, ?>) m);
        }
        return quote(v.toString());
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
