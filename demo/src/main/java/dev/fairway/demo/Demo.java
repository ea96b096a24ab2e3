package dev.fairway.demo;

import dev.fairway.FairwayClient;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.security.Security;
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
 * <p>Usage: {@code Demo [--requests=N] [--concurrency=N] [phase ...]}; with no phase, all of them run in order.
 * Each phase is one method that measures a plain {@link HttpClient} and a {@link FairwayClient} against the same
 * backends, prints a table per client and ends with one {@code summary} line per client (see {@link Shares}).
 * Exit status: 0 when all checks passed, 1 when one failed, 2 for bad arguments or a demo that could not start.
 */
public final class Demo {

    /** The name the demo's DNS answers: the cluster-local name of a headless service. */
    static final String HOST = "orders.demo.svc.cluster.local";
    /** The backends' addresses, in the order the demo DNS returns them. */
    static final List<String> BACKEND_IPS = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6");
    /** The resolver's refresh interval, short so that later phases see DNS changes within seconds. */
    static final String REFRESH_INTERVAL = "2s";

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
        Security.setProperty("networkaddress.cache.ttl", "1");
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
