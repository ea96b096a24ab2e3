package dev.fairway.demo;

import dev.fairway.FairwayClient;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The demo's entry point: starts the backends, makes the demo host name resolve to them, runs the phases named on
 * the command line and says whether every check passed.
 *
 * <p>Usage: {@code Demo [--requests=N] [--concurrency=N] [phase ...]}; with no phase, all of them run in order:
 * {@code steady} (five backends, nothing changes) and {@code scale-out} (three more backends join while traffic flows).
 * Each phase is one method that measures a plain {@link HttpClient} and a {@link FairwayClient} against the same
 * backends, prints a table per client and ends with one {@code summary} line per client (see {@link Shares}).
 * Exit status: 0 when all checks passed, 1 when one failed, 2 for bad arguments or a demo that could not start.
 */
public final class Demo {

    /** The name the demo's DNS answers: the cluster-local name of a headless service. */
    static final String HOST = "orders.demo.svc.cluster.local";
    /** The backends' addresses, in the order the demo DNS returns them. */
    static final List<String> BACKEND_IPS = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6");
    /** The backends {@code scale-out} adds, in the order the demo DNS returns them after the original ones. */
    static final List<String> SCALE_OUT_IPS = List.of("127.0.0.7", "127.0.0.8", "127.0.0.9");
    /** The resolver's refresh interval, short so that later phases see DNS changes within seconds. */
    static final Duration REFRESH = Duration.ofSeconds(2);
    /** {@link #REFRESH} as the option value. */
    static final String REFRESH_INTERVAL = REFRESH.toSeconds() + "s";
    /** The resolver's refresh jitter (its default): each interval is up to this fraction longer or shorter. */
    static final double REFRESH_JITTER = 0.1;
    /** The JVM's address cache, {@code networkaddress.cache.ttl}, in seconds, as {@link #run} sets it. */
    static final int CACHE_TTL_SECONDS = 1;

    /** One phase of the demo. */
    @FunctionalInterface
    private interface Phase {
        /**
         * Runs the phase, prints its results and records failed checks.
         *
         * @param demo the running demo
         * @throws Exception if the phase could not run
         */
        void run(Demo demo) throws Exception;
    }

    /** The phases, in the order they run by default. */
    private static final Map<String, Phase> PHASES = new LinkedHashMap<>();

    static {
        PHASES.put("steady", Demo::steady);
        PHASES.put("scale-out", Demo::scaleOut);
    }

    private final PrintStream out;
    private final Backends backends;
    private final URI uri;
    private final int requests;
    private final int concurrency;
    private final List<String> problems = new ArrayList<>();
    private String phase = "";

    private Demo(PrintStream out, Backends backends, int requests, int concurrency) {
        this.out = out;
        this.backends = backends;
        this.uri = URI.create("http://" + HOST + ":" + backends.port() + "/");
        this.requests = requests;
        this.concurrency = concurrency;
    }

    /**
     * Runs the demo and exits with its status.
     *
     * @param args options and phase names
     */
    public static void main(String[] args) {
        int status;
        try {
            status = run(args, System.out);
        } catch (Exception e) {
            System.out.flush();
            System.err.println("demo failed to run: " + e);
            e.printStackTrace();
            status = 2;
        }
        System.out.flush();
        System.exit(status);
    }

    /**
     * Runs the demo.
     *
     * @param args options and phase names
     * @param out  where to print
     * @return the exit status
     * @throws Exception if the demo could not run
     */
    static int run(String[] args, PrintStream out) throws Exception {
        // Before the first look-up: the JVM caches answers (30 s by default), which would hide DNS changes.
        Security.setProperty("networkaddress.cache.ttl", Integer.toString(CACHE_TTL_SECONDS));
        int requests = 10_000;
        int concurrency = 16;
        List<String> phases = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--requests=") || arg.startsWith("--concurrency=")) {
                int n = positive(arg.substring(arg.indexOf('=') + 1));
                if (n < 1) {
                    return usage(arg + ": use a positive whole number");
                }
                if (arg.startsWith("--requests=")) {
                    requests = n;
                } else {
                    concurrency = n;
                }
            } else if (PHASES.containsKey(arg)) {
                phases.add(arg);
            } else {
                return usage("unknown argument '" + arg + "'");
            }
        }
        if (phases.isEmpty()) {
            phases.addAll(PHASES.keySet());
        }
        List<InetAddress> addresses = new ArrayList<>();
        for (String ip : BACKEND_IPS) {
            addresses.add(InetAddress.getByName(ip)); // IP literals: no look-up
        }
        try (Backends backends = Backends.start(addresses)) {
            DemoDns.answer(HOST, addresses);
            Demo demo = new Demo(out, backends, requests, concurrency);
            demo.introduce();
            for (String phase : phases) {
                demo.phase = phase;
                PHASES.get(phase).run(demo);
            }
            out.println();
            if (demo.problems.isEmpty()) {
                out.println("demo passed: every request succeeded and Fairway reached every backend");
                return 0;
            }
            out.println("demo FAILED:");
            demo.problems.forEach(p -> out.println("  " + p));
            return 1;
        } finally {
            DemoDns.forget(HOST);
        }
    }

    /** The number in {@code value}, or -1 unless it is a positive whole number. */
    private static int positive(String value) {
        try {
            return Math.max(-1, Integer.parseInt(value));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int usage(String problem) {
        System.err.println(problem + "; usage: bin/demo [--requests=N] [--concurrency=N] [phase ...], phases: "
                + String.join(", ", PHASES.keySet()) + " (default: all)");
        return 2;
    }

    private void introduce() throws UnknownHostException {
        out.println("Fairway demo: client-side load balancing for java.net.http");
        out.println("  backends    " + backends.addresses().size() + " x com.sun.net.httpserver on "
                + backends.addresses().stream().map(InetAddress::getHostAddress).collect(Collectors.joining(", "))
                + ", port " + backends.port());
        out.println("  host name   " + HOST + " -> "
                + List.of(InetAddress.getAllByName(HOST)).stream().map(InetAddress::getHostAddress).collect(Collectors.joining(", "))
                + "  (answered inside this JVM by DemoDns, first address first)");
        out.println("  target      " + uri);
        out.println("  load        " + requests + " GET requests per client, " + concurrency + " in flight, HTTP/1.1");
        out.println("  plain       HttpClient.newBuilder().version(HTTP_1_1).build()");
        out.println("  fairway     FairwayClient.newBuilder().version(HTTP_1_1).resolver(\"dns\")"
                + ".resolverOption(\"refresh_interval\", \"" + REFRESH_INTERVAL + "\").picker(\"round_robin\").build()");
        out.println("  java        " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
    }

    private static HttpClient plainClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    private static FairwayClient fairwayClient() {
        return FairwayClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .resolver("dns")
                .resolverOption("refresh_interval", REFRESH_INTERVAL)
                .picker("round_robin")
                .build();
    }

    /**
     * Phase {@code steady}: a fixed set of backends. The plain client sends everything to the first address the
     * name resolves to; Fairway spreads the requests evenly over all of them.
     */
    private void steady() throws Exception {
        heading("5 backends, nothing changes");
        Measurement plain;
        try (HttpClient client = plainClient()) {
            plain = measure("plain", client);
        }
        Measurement fairway;
        try (FairwayClient client = fairwayClient()) {
            fairway = measure("fairway", client);
        }
        long reached = fairway.served().values().stream().filter(n -> n > 0).count();
        check(reached == fairway.served().size(), "fairway reached " + reached + " of " + fairway.served().size() + " backends");
        out.println();
        out.println(plain.summary());
        out.println(fairway.summary());
    }

    /**
     * Phase {@code scale-out}: traffic flows to the five backends, then three more start and join the DNS answer.
     * Counted are the requests sent from the moment the new backends became resolvable plus one refresh interval
     * (with its jitter) plus the JVM's address cache lifetime: by then Fairway has resolved the name again and
     * spreads over all eight, while the plain client stays on the connections it has.
     */
    private void scaleOut() throws Exception {
        Duration settle = Duration.ofMillis(Math.round(REFRESH.toMillis() * (1 + REFRESH_JITTER)))
                .plusSeconds(CACHE_TTL_SECONDS);
        heading("5 backends, then " + SCALE_OUT_IPS.size() + " more (" + String.join(", ", SCALE_OUT_IPS)
                + ") join while traffic flows");
        out.printf(Locale.ROOT, "  counted: %d requests sent from %.1f s after the new backends became resolvable"
                        + " (refresh_interval %s, +%d %% jitter, + networkaddress.cache.ttl %d s)%n",
                requests, settle.toMillis() / 1000.0, REFRESH_INTERVAL, Math.round(REFRESH_JITTER * 100), CACHE_TTL_SECONDS);
        String plain;
        try (HttpClient client = plainClient()) {
            plain = scaleOut("plain", client, settle);
        }
        String fairway;
        try (FairwayClient client = fairwayClient()) {
            fairway = scaleOut("fairway", client, settle);
        }
        out.println();
        out.println(plain);
        out.println(fairway);
    }

    /** Runs one client through a scale-out from the original backends and back; returns its summary line. */
    private String scaleOut(String name, HttpClient client, Duration settle) throws Exception {
        List<InetAddress> original = literals(BACKEND_IPS);
        List<InetAddress> extra = literals(SCALE_OUT_IPS);
        List<InetAddress> all = new ArrayList<>(original);
        all.addAll(extra);
        awaitResolves(original);
        backends.reset();
        Load.Continuous load = new Load.Continuous(client, uri, concurrency);
        long changed;
        List<Load.Sent> sent;
        Map<InetAddress, Long> servedByServers;
        try {
            load.start();
            load.awaitCompleted(Math.min(2_000, requests));            // warmed up: connections are open
            for (InetAddress address : extra) {
                backends.add(address);
            }
            DemoDns.answer(HOST, all);
            changed = System.nanoTime();
            load.countFrom(changed + settle.toNanos(), requests);
            sent = load.finish();
            servedByServers = backends.served();
        } finally {
            DemoDns.answer(HOST, original);
            for (InetAddress address : extra) {
                if (backends.addresses().contains(address)) {
                    backends.remove(address);
                }
            }
        }
        long windowStart = changed + settle.toNanos();
        Map<InetAddress, Long> window = new java.util.TreeMap<>(Shares.BY_ADDRESS);
        all.forEach(a -> window.put(a, 0L));
        Map<String, Long> failures = new java.util.TreeMap<>();
        Map<String, Long> firstNanos = new java.util.TreeMap<>();
        long counted = 0;
        long succeeded = 0;
        for (Load.Sent s : sent) {
            if (s.failure() != null) {
                failures.merge(s.failure(), 1L, Long::sum);
                continue;
            }
            succeeded++;
            if (s.sentNanos() >= changed) {
                firstNanos.merge(s.backend(), s.sentNanos() - changed, Math::min);
            }
            if (s.sentNanos() >= windowStart) {
                counted++;
                window.merge(InetAddress.getByName(s.backend()), 1L, Long::sum);   // an IP literal: no look-up
            }
        }
        out.println();
        out.printf(Locale.ROOT, "%s client: %d requests in all, %d failed; of those sent from %.1f s after the change,"
                + " the backends served:%n", name, sent.size(), sent.size() - succeeded, settle.toMillis() / 1000.0);
        out.print(Shares.table(window));
        out.println("    first request on each new backend after the change: " + SCALE_OUT_IPS.stream()
                .map(ip -> ip + (firstNanos.containsKey(ip) ? String.format(Locale.ROOT, " +%.2f s", firstNanos.get(ip) / 1e9)
                        : " never")).collect(Collectors.joining(", ")));
        failures.forEach((what, count) -> out.println("    FAILED " + count + " x " + what));
        long servedTotal = servedByServers.values().stream().mapToLong(Long::longValue).sum();
        check(failures.isEmpty(), name + ": " + (sent.size() - succeeded) + " of " + sent.size() + " requests failed");
        check(counted == requests, name + ": " + counted + " requests were sent in the counted window, not " + requests);
        check(servedTotal == succeeded, name + ": the backends served " + servedTotal + " requests but " + succeeded
                + " responses arrived");
        if (client instanceof FairwayClient) {
            long reached = window.values().stream().filter(n -> n > 0).count();
            check(reached == all.size(), name + " reached " + reached + " of " + all.size() + " backends after the scale-out");
        }
        return Shares.summary(phase, name, counted, window);
    }

    private static List<InetAddress> literals(List<String> ips) throws UnknownHostException {
        List<InetAddress> addresses = new ArrayList<>();
        for (String ip : ips) {
            addresses.add(InetAddress.getByName(ip));                   // IP literals: no look-up
        }
        return addresses;
    }

    /** Waits until the JVM resolves the demo host to {@code expected} (its cache may still hold an older answer). */
    private static void awaitResolves(List<InetAddress> expected) throws UnknownHostException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(CACHE_TTL_SECONDS + 10L).toNanos();
        while (!List.of(InetAddress.getAllByName(HOST)).equals(expected)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(HOST + " still resolves to " + List.of(InetAddress.getAllByName(HOST))
                        + ", not " + expected);
            }
            Thread.sleep(50);                                           // the JVM cache expires on its own time
        }
    }

    private void heading(String what) {
        out.println();
        out.println("== phase " + phase + ": " + what + " ==");
    }

    /**
     * What one client did in one phase.
     *
     * @param result  the client's tally
     * @param served  what each backend served
     * @param summary the phase's machine-readable line for this client
     */
    private record Measurement(Load.Result result, Map<InetAddress, Long> served, String summary) {
    }

    /**
     * Sends the phase's requests through {@code client}, prints the backends' table and cross-checks the counts;
     * failed requests and counts that disagree are recorded as problems. The phase prints the summary line.
     */
    private Measurement measure(String name, HttpClient client) throws InterruptedException {
        backends.reset();
        Load.Result result = Load.run(client, uri, requests, concurrency);
        Map<InetAddress, Long> served = backends.served();
        long servedTotal = served.values().stream().mapToLong(Long::longValue).sum();
        out.println();
        out.printf(Locale.ROOT, "%s client: %d requests in %.2f s, %d succeeded, %d failed; what the backends served:%n",
                name, result.sent(), result.elapsed().toNanos() / 1e9, result.succeeded(), result.failed());
        out.print(Shares.table(served));
        out.println("    Host header seen by the backends: " + backends.hostHeaders().entrySet().stream()
                .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", ")));
        result.failures().forEach((what, count) -> out.println("    FAILED " + count + " x " + what));
        check(result.failed() == 0, name + ": " + result.failed() + " of " + result.sent() + " requests failed");
        check(servedTotal == result.succeeded(), name + ": the backends served " + servedTotal + " requests but "
                + result.succeeded() + " responses arrived");
        Map<String, Long> byServer = new TreeMap<>();
        served.forEach((address, count) -> {
            if (count > 0) {
                byServer.put(address.getHostAddress(), count);
            }
        });
        check(byServer.equals(result.bodies()), name + ": response bodies name backends " + result.bodies()
                + " but the backends counted " + byServer);
        if (client instanceof FairwayClient) {
            check(byServer.equals(result.servedBy()), name + ": FairwayClient.servedBy names backends " + result.servedBy()
                    + " but the backends counted " + byServer);
        }
        return new Measurement(result, served, Shares.summary(phase, name, result.sent(), served));
    }

    /** Records {@code problem} for the current phase unless {@code passed}. */
    private boolean check(boolean passed, String problem) {
        if (!passed) {
            problems.add("phase " + phase + ": " + problem);
            out.println("    CHECK FAILED: " + problem);
        }
        return passed;
    }
}
