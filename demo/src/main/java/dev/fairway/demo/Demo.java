package dev.fairway.demo;

import dev.fairway.FairwayClient;
import dev.fairway.FairwayEvent;
import dev.fairway.TargetSnapshot;
import dev.fairway.spi.HealthState;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The demo's entry point: starts the backends, makes the demo host name resolve to them, runs the phases named on
 * the command line and says whether every check passed.
 *
 * <p>Usage: {@code Demo [--requests=N] [--concurrency=N] [--quiet] [phase ...]}; with no phase, all of them run in
 * order: {@code steady} (five backends, nothing changes), {@code scale-out} (three more backends join while traffic
 * flows), {@code clusterip} (four backends behind one virtual IP and a layer-4 proxy) and {@code unhealthy} (one of
 * the five backends fails its health check while traffic flows, then recovers). Each phase is one method that
 * measures a plain {@link HttpClient} and/or a {@link FairwayClient}, prints a table per client and ends with one
 * {@code summary} line per client (see {@link Shares}). While a {@link FairwayClient} runs, a {@link LiveView} of its
 * snapshot is drawn about once a second ({@code --quiet} turns it off).
 * Exit status: 0 when all checks passed, 1 when one failed, 2 for bad arguments or a demo that could not start.
 */
public final class Demo {

    /** The name the demo's DNS answers: the cluster-local name of a headless service. */
    static final String HOST = "orders.demo.svc.cluster.local";
    /** The backends' addresses, in the order the demo DNS returns them. */
    static final List<String> BACKEND_IPS = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6");
    /** The backends {@code rollout} replaces the original ones with, one by one. */
    static final List<String> ROLLOUT_IPS = List.of("127.0.0.12", "127.0.0.13", "127.0.0.14", "127.0.0.15", "127.0.0.16");
    /** Phase {@code rollout}: how long a new backend is in DNS before the old one leaves. */
    static final Duration ROLLOUT_OVERLAP = Duration.ofSeconds(1);
    /** Phase {@code rollout}: how long after leaving DNS an old backend stops (it stops at once, connections and all). */
    static final Duration ROLLOUT_STOP_AFTER = Duration.ofSeconds(2);
    /** The backends {@code scale-out} adds, in the order the demo DNS returns them after the original ones. */
    static final List<String> SCALE_OUT_IPS = List.of("127.0.0.7", "127.0.0.8", "127.0.0.9");
    /** The TTL of the demo DNS server's answers: CoreDNS answers cluster names with 5 s. */
    static final int DNS_TTL_SECONDS = 5;
    /** How soon after a DNS change Fairway's defaults promise to act on it: the TTL plus one second. */
    static final Duration DISCOVERY = Duration.ofSeconds(DNS_TTL_SECONDS + 1L);
    /** The JVM's address cache, {@code networkaddress.cache.ttl}, in seconds, as {@link #run} sets it. */
    static final int CACHE_TTL_SECONDS = 1;

    /** Phase {@code clusterip}: the name of the ClusterIP service, resolving to the one virtual IP. */
    static final String VIP_HOST = "orders-vip.demo.svc.cluster.local";
    /** Phase {@code clusterip}: the virtual IP, where the layer-4 proxy listens. */
    static final String VIP = "127.0.0.20";
    /** Phase {@code clusterip}: the backends behind the virtual IP. */
    static final List<String> VIP_BACKEND_IPS = List.of("127.0.0.21", "127.0.0.22", "127.0.0.23", "127.0.0.24");
    /**
     * Phase {@code clusterip}: the resolver's {@code min_addresses}: copies of the one address, one leaf each. With
     * {@link #MAX_AGE_DURATION}, what docs/kubernetes.md recommends behind a ClusterIP ({@code ClusterIpModelTest} pins it).
     */
    static final int MIN_ADDRESSES = 4;
    /**
     * Phase {@code clusterip}: the lifetime policy's {@code max_age}, short so that leaves reconnect often: 4 leaves
     * every 400 ms make 10 new connections a second, about 200 placements in 20 s, enough for max/min ≤ 2 over 20 s
     * in 99.5 % of windows (500 ms gives 98.6 %).
     */
    static final Duration MAX_AGE_DURATION = Duration.ofMillis(400);
    /** {@link #MAX_AGE_DURATION} as the option value. */
    static final String MAX_AGE = MAX_AGE_DURATION.toMillis() + "ms";
    /**
     * Phase {@code clusterip}: the oldest a leaf may be at the end (its {@code max_age} plus jitter plus the time its
     * successor takes to connect leaves a wide margin); an older one means leaves stopped being recycled.
     */
    static final Duration OLDEST_LEAF = Duration.ofSeconds(2).compareTo(MAX_AGE_DURATION.multipliedBy(4)) > 0
            ? Duration.ofSeconds(2) : MAX_AGE_DURATION.multipliedBy(4);
    /**
     * Phase {@code clusterip}: how long the Fairway client sends, one request at a time, whatever {@code --requests}
     * says: the window of docs/kubernetes.md's criterion (max/min ≤ 2 over 20 s). Time, not a request count, sets how
     * many connections the proxy places, so the check below means the same on a fast machine and a slow one.
     */
    static final Duration CLUSTERIP_WINDOW = Duration.ofSeconds(20);
    /**
     * Phase {@code clusterip}: the largest busiest/idlest ratio the check allows. Not 2, the documented criterion: with
     * random placement, 2 is exceeded by chance in about 0.4 % of 20 s windows at these settings (the price of the
     * cheapest setting that meets it in 99 %), so a check at 2 would fail about one demo run in 250 with nothing
     * wrong. Chance exceeds 3 in about 5 windows in a million ({@code ClusterIpModelTest} checks that 1 in 10,000 stays
     * below it). Leaves that stop being recycled fail it 9 times in 10 (four lasting connections leave a pod idle
     * unless each lands on its own pod), and the phase checks recycling directly too. The phase prints whether 2 was
     * met.
     */
    static final double CLUSTERIP_MAX_MIN = 3;

    /** Phase {@code unhealthy}: the backend whose health endpoint fails. */
    static final String SICK_IP = "127.0.0.4";
    /** Phase {@code unhealthy}: the health check's probe interval. */
    static final String HEALTH_INTERVAL = "300ms";
    /** Phase {@code unhealthy}: the health check's probe timeout. */
    static final String HEALTH_TIMEOUT = "250ms";
    /** Phase {@code unhealthy}: the thresholds, the {@code http} check's defaults (not set by the demo). */
    static final int UNHEALTHY_THRESHOLD = 3;
    /** See {@link #UNHEALTHY_THRESHOLD}. */
    static final int HEALTHY_THRESHOLD = 2;
    /** How long the demo waits for anything it expects to happen (a health change, a first request). */
    static final Duration EXPECT = Duration.ofSeconds(15);

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
        PHASES.put("rollout", Demo::rollout);
        PHASES.put("clusterip", Demo::clusterIp);
        PHASES.put("unhealthy", Demo::unhealthy);
    }

    private final PrintStream out;
    private final Backends backends;
    private final String nameServer;
    private final URI uri;
    private final int requests;
    private final int concurrency;
    private final boolean live;
    private final boolean terminal;
    private final List<String> problems = new ArrayList<>();
    private String phase = "";

    private Demo(PrintStream out, Backends backends, String nameServer, int requests, int concurrency, boolean live,
                 boolean terminal) {
        this.out = out;
        this.backends = backends;
        this.nameServer = nameServer;
        this.uri = URI.create("http://" + HOST + ":" + backends.port() + "/");
        this.requests = requests;
        this.concurrency = concurrency;
        this.live = live;
        this.terminal = terminal;
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
        boolean quiet = false;
        List<String> phases = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--quiet")) {
                quiet = true;
            } else if (arg.startsWith("--requests=") || arg.startsWith("--concurrency=")) {
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
        try (Backends backends = Backends.start(addresses);
             DemoDnsServer dns = DemoDnsServer.start(DNS_TTL_SECONDS)) {
            DemoDns.answer(HOST, addresses);
            Demo demo = new Demo(out, backends, dns.address(), requests, concurrency, !quiet,
                    out == System.out && LiveView.stdoutIsTerminal());
            demo.introduce();
            for (String phase : phases) {
                demo.phase = phase;
                PHASES.get(phase).run(demo);
            }
            out.println();
            if (demo.problems.isEmpty()) {
                out.println("demo passed: every check of " + String.join(", ", phases) + " passed");
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
        System.err.println(problem + "; usage: bin/demo [--requests=N] [--concurrency=N] [--quiet] [phase ...], phases: "
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
                + "  (answered inside this JVM by DemoDns, first address first, and on the wire by a demo DNS server"
                + " at " + nameServer + ", TTL " + DNS_TTL_SECONDS + " s like CoreDNS)");
        out.println("  target      " + uri);
        out.println("  load        " + requests + " GET requests per client, " + concurrency + " in flight, HTTP/1.1");
        out.println("  plain       HttpClient.newBuilder().version(HTTP_1_1).build()");
        out.println("  fairway     FairwayClient.newBuilder().version(HTTP_1_1).resolverOption(\"name_servers\", \""
                + nameServer + "\").build()");
        out.println("              every other setting is the default: resolver dns (refresh when the TTL runs out), picker"
                + " least_loaded (the least loaded backend, in turn among equals); in a pod the name server comes from /etc/resolv.conf");
        out.println("  leaf        Fairway's connection pool to one backend: a JDK HttpClient of its own per backend;"
                + " 'recycled' leaves were replaced after their max_age (5 min by default; the clusterip phase sets 400 ms) so that"
                + " connections never stay glued");
        out.println("  live view   " + (!live ? "off (--quiet)" : terminal ? "client.snapshot() about once a second, redrawn in place"
                : "client.snapshot() about once a second, as lines starting with 'live' (stdout is not a terminal)"));
        out.println("  java        " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
    }

    private static HttpClient plainClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Fairway with the defaults, but for the name server, which a pod's /etc/resolv.conf would give. */
    private FairwayClient fairwayClient() {
        return fairwayBuilder().build();
    }

    private FairwayClient.Builder fairwayBuilder() {
        return FairwayClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .resolverOption("name_servers", nameServer);
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
        // The default picker takes the backends in turn and passes over busy ones (above twice the average in flight):
        // steady traffic stays within a few percent of exact (busiest/idlest 1.008 to 1.020 in 8 runs, 16 in flight).
        long most = fairway.served().values().stream().mapToLong(Long::longValue).max().orElse(0);
        long least = fairway.served().values().stream().mapToLong(Long::longValue).min().orElse(0);
        check(least > 0 && most <= least * 1.05, "fairway's busiest backend served " + most + ", its idlest " + least
                + ": more than 1.05 times as many");
        out.println();
        out.printf(Locale.ROOT, "figures phase=steady fairway_max_over_min=%.3f%n", least > 0 ? (double) most / least : Double.NaN);
        out.println(plain.summary());
        out.println(fairway.summary());
    }

    /**
     * Phase {@code scale-out}: traffic flows to the five backends, then three more start and join the DNS answer.
     * Counted are the requests sent from the moment the new backends became resolvable plus the DNS TTL plus one
     * second: by then Fairway, on its defaults, has resolved the name again and spreads over all eight, while the
     * plain client stays on the connections it has.
     */
    private void scaleOut() throws Exception {
        Duration settle = DISCOVERY;
        heading("5 backends, then " + SCALE_OUT_IPS.size() + " more (" + String.join(", ", SCALE_OUT_IPS)
                + ") join while traffic flows");
        out.printf(Locale.ROOT, "  counted: %d requests sent from %.1f s after the new backends became resolvable"
                        + " (the DNS TTL, %d s, + 1 s)%n", requests, settle.toMillis() / 1000.0, DNS_TTL_SECONDS);
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
        LiveView view = view(client);
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
            view.close();
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
        checkServed(name, servedTotal, succeeded);
        if (client instanceof FairwayClient) {
            long reached = window.values().stream().filter(n -> n > 0).count();
            check(reached == all.size(), name + " reached " + reached + " of " + all.size() + " backends after the scale-out");
            checkDiscovered(name, SCALE_OUT_IPS, firstNanos);
        }
        return Shares.summary(phase, name, counted, window);
    }

    /**
     * Phase {@code rollout}: a rolling update while traffic flows, as a Deployment does it: one by one, a new backend
     * starts and joins DNS, {@link #ROLLOUT_OVERLAP} later the old one leaves DNS, and {@link #ROLLOUT_STOP_AFTER}
     * after that it stops outright (listener, connections and all). Counted: every request sent during the rollout,
     * and when each new backend got its first one. Fairway, on its defaults, must lose none and use each new backend
     * within the DNS TTL + 1 s.
     */
    private void rollout() throws Exception {
        heading("rolling update: " + String.join(", ", BACKEND_IPS) + " replaced one by one by " + String.join(", ", ROLLOUT_IPS));
        out.printf(Locale.ROOT, "  each step   the new backend joins DNS; %.1f s later the old one leaves DNS and %.1f s after"
                + " that it stops at once%n", ROLLOUT_OVERLAP.toMillis() / 1e3, ROLLOUT_STOP_AFTER.toMillis() / 1e3);
        String plain;
        try (HttpClient client = plainClient()) {
            plain = rollout("plain", client);
        }
        String fairway;
        try (FairwayClient client = fairwayClient()) {
            fairway = rollout("fairway", client);
        }
        out.println();
        out.println(plain);
        out.println(fairway);
    }

    /** Runs one client through a rolling update and back to the original backends; returns its summary line. */
    private String rollout(String name, HttpClient client) throws Exception {
        List<InetAddress> original = literals(BACKEND_IPS);
        List<InetAddress> fresh = literals(ROLLOUT_IPS);
        awaitResolves(original);
        backends.reset();
        Load.Continuous load = new Load.Continuous(client, uri, concurrency);
        load.keepSending();
        Map<String, Long> joined = new TreeMap<>();
        List<Load.Sent> sent;
        long started;
        LiveView view = view(client);
        try {
            load.start();
            load.awaitCompleted(Math.min(2_000, requests));            // warmed up: connections are open
            started = System.nanoTime();
            List<InetAddress> live = new ArrayList<>(original);
            for (int i = 0; i < original.size(); i++) {
                InetAddress old = original.get(i);
                InetAddress next = fresh.get(i);
                backends.add(next);
                live.add(next);
                joined.put(next.getHostAddress(), System.nanoTime());
                DemoDns.answer(HOST, List.copyOf(live));
                Thread.sleep(ROLLOUT_OVERLAP.toMillis());               // the rollout's own pace, on the wall clock
                live.remove(old);
                DemoDns.answer(HOST, List.copyOf(live));
                Thread.sleep(ROLLOUT_STOP_AFTER.toMillis());
                backends.remove(old);
                view.println(String.format(Locale.ROOT, "  %+.2f s   %s replaced %s", (System.nanoTime() - started) / 1e9,
                        next.getHostAddress(), old.getHostAddress()));
            }
            Thread.sleep(DISCOVERY.toMillis());                         // traffic on the new set for a while
        } finally {
            load.stop();
            sent = load.finish();
            view.close();
            for (InetAddress a : fresh) {
                if (backends.addresses().contains(a)) {
                    backends.remove(a);
                }
            }
            for (InetAddress a : original) {
                if (!backends.addresses().contains(a)) {
                    backends.add(a);
                }
            }
            DemoDns.answer(HOST, original);
        }
        Map<String, Long> failures = new TreeMap<>();
        Map<String, Long> first = new TreeMap<>();
        long during = 0;
        for (Load.Sent s : sent) {
            if (s.sentNanos() < started) {
                continue;
            }
            during++;
            if (s.failure() != null) {
                failures.merge(s.failure(), 1L, Long::sum);
            } else if (joined.containsKey(s.backend())) {
                first.merge(s.backend(), s.sentNanos() - joined.get(s.backend()), Math::min);
            }
        }
        long failed = failures.values().stream().mapToLong(Long::longValue).sum();
        out.println();
        out.printf(Locale.ROOT, "%s client: %d requests sent during the rollout, %d failed%n", name, during, failed);
        out.println("    first request on each new backend after it joined DNS (negative: sent before, to an old backend"
                + " that refused it, then moved): " + ROLLOUT_IPS.stream()
                .map(ip -> ip + (first.containsKey(ip) ? String.format(Locale.ROOT, " %+.2f s", first.get(ip) / 1e9) : " never"))
                .collect(Collectors.joining(", ")));
        failures.forEach((what, count) -> out.println("    FAILED " + count + " x " + what));
        if (client instanceof FairwayClient) {
            check(failed == 0, name + ": " + failed + " of " + during + " requests failed during the rolling update");
            checkDiscovered(name, ROLLOUT_IPS, first);
        }
        long firstMax = first.values().stream().mapToLong(Long::longValue).max().orElse(-1);
        return String.format(Locale.ROOT, "figures phase=rollout client=%s requests=%d failed=%d new_backends_reached=%d/%d"
                + " first_request_on_new_max_ms=%s", name, during, failed, first.size(), ROLLOUT_IPS.size(),
                firstMax < 0 ? "never" : Long.toString(firstMax / 1_000_000));
    }

    /**
     * Phase {@code clusterip}: four backends behind one virtual IP, reached through a layer-4 proxy that picks a
     * backend per TCP connection at random, like kube-proxy (iptables or nftables mode) in front of a ClusterIP.
     * Requests go one at a time, as over the one connection an HTTP/2 client keeps: the plain client's connection stays
     * on the backend the proxy gave it. Fairway turns the one address into {@link #MIN_ADDRESSES} backends (the
     * resolver's {@code min_addresses}), each with its own leaf, and replaces every leaf after {@link #MAX_AGE}, so its
     * connections keep landing on backends the proxy draws afresh; it sends for {@link #CLUSTERIP_WINDOW}, and the
     * busiest backend must serve at most {@link #CLUSTERIP_MAX_MIN} times what the idlest serves.
     */
    private void clusterIp() throws Exception {
        List<InetAddress> pods = literals(VIP_BACKEND_IPS);
        InetAddress vip = InetAddress.getByName(VIP);                  // a literal: no look-up
        heading(pods.size() + " backends behind one virtual IP, through a layer-4 proxy (like kube-proxy)");
        try (Backends servers = Backends.start(pods);
             L4Proxy proxy = L4Proxy.start(vip, pods.stream().map(a -> new InetSocketAddress(a, servers.port())).toList())) {
            DemoDns.answer(VIP_HOST, List.of(vip));
            try {
                URI target = URI.create("http://" + VIP_HOST + ":" + proxy.port() + "/");
                out.println("  service     " + VIP_HOST + " -> " + VIP + " only (a ClusterIP), target " + target);
                out.println("  proxy       " + VIP + ":" + proxy.port() + " -> " + String.join(", ", VIP_BACKEND_IPS) + " port "
                        + servers.port() + ": a backend per TCP connection, " + proxy.mode().description() + "; it never looks at HTTP");
                out.println("  load        GET requests one at a time, as over the single connection an HTTP/2 client keeps:"
                        + " plain " + requests + ", fairway for " + CLUSTERIP_WINDOW.toSeconds() + " s (the window of the"
                        + " criterion max/min <= 2 in docs/kubernetes.md)");
                out.println("              (with N in flight an HTTP/1.1 client opens N connections, which the proxy spreads anyway)");
                out.println("  fairway     ...resolver(\"dns\").resolverOption(\"min_addresses\", " + MIN_ADDRESSES
                        + ").lifetimePolicy(\"max_age\").lifetimePolicyOption(\"max_age\", \"" + MAX_AGE + "\")");
                out.printf(Locale.ROOT, "              max_age=%s (+-10 %% jitter): every leaf is replaced about %.1f times a"
                        + " second, %.0f new connections a second, each placed by the proxy afresh%n", MAX_AGE,
                        1e9 / MAX_AGE_DURATION.toNanos(), MIN_ADDRESSES * 1e9 / MAX_AGE_DURATION.toNanos());
                awaitResolves(VIP_HOST, List.of(vip));
                Measurement plain;
                Map<InetSocketAddress, Long> plainConnections;
                try (HttpClient client = plainClient()) {
                    proxy.resetCounts();
                    plain = measure("plain", client, servers, target, 1, false);
                    plainConnections = proxy.connections();
                }
                out.println("    connections the proxy passed on: " + connections(plainConnections));
                Measurement fairway;
                Map<InetSocketAddress, Long> fairwayConnections;
                List<TargetSnapshot> snapshot;
                try (FairwayClient client = fairwayBuilder()
                        .resolverOption("min_addresses", MIN_ADDRESSES)
                        .lifetimePolicy("max_age")
                        .lifetimePolicyOption("max_age", MAX_AGE)
                        .build()) {
                    proxy.resetCounts();
                    fairway = measure("fairway", client, servers, false, () -> Load.runFor(client, target, CLUSTERIP_WINDOW, 1));
                    fairwayConnections = proxy.connections();
                    snapshot = client.snapshot();
                }
                int leaves = snapshot.stream().mapToInt(t -> t.backends().size()).sum();
                long recycles = snapshot.stream().mapToLong(TargetSnapshot::recycles).sum();
                Duration oldest = snapshot.stream().flatMap(t -> t.backends().stream()).map(b -> b.leafAge().orElse(Duration.ZERO))
                        .max(Comparator.naturalOrder()).orElse(Duration.ZERO);
                out.println("    connections the proxy passed on: " + connections(fairwayConnections));
                out.println("    Fairway's backends for the one address: " + leaves + " (" + snapshot.stream()
                        .flatMap(t -> t.backends().stream()).sorted(LiveView.BY_ADDRESS).map(b -> LiveView.name(b.address()))
                        .collect(Collectors.joining(", ")) + "), " + recycles + " leaves recycled, oldest leaf at the end "
                        + LiveView.seconds(oldest, ""));
                long reached = fairway.served().values().stream().filter(n -> n > 0).count();
                check(leaves == MIN_ADDRESSES, "fairway kept " + leaves + " backends for the virtual IP, not " + MIN_ADDRESSES
                        + " (min_addresses)");
                check(reached == pods.size(), "fairway reached " + reached + " of " + pods.size() + " backends behind the virtual IP");
                long busiest = fairway.served().values().stream().mapToLong(Long::longValue).max().orElse(0);
                long idlest = fairway.served().values().stream().mapToLong(Long::longValue).min().orElse(0);
                double maxMin = idlest == 0 ? Double.POSITIVE_INFINITY : (double) busiest / idlest;
                out.printf(Locale.ROOT, "    busiest/idlest backend: %.2f over %.1f s (criterion <= 2: %s; the demo fails above"
                        + " %.0f, since random placement exceeds 2 by chance in about 0.4 %% of 20 s windows)%n", maxMin,
                        fairway.result().elapsed().toNanos() / 1e9, maxMin <= 2 ? "met" : "NOT met", CLUSTERIP_MAX_MIN);
                check(maxMin <= CLUSTERIP_MAX_MIN, String.format(Locale.ROOT, "fairway: the busiest backend behind the virtual IP"
                        + " served %.2f times what the idlest did (allowed: %.0f): %s", maxMin, CLUSTERIP_MAX_MIN, fairway.served()));
                boolean longEnough = fairway.result().elapsed().compareTo(MAX_AGE_DURATION.multipliedBy(2)) >= 0;
                check((recycles > 0 || !longEnough) && oldest.compareTo(OLDEST_LEAF) <= 0, "fairway: leaves are not being recycled: "
                        + recycles + " recycled, the oldest is " + LiveView.seconds(oldest, "") + " old with max_age " + MAX_AGE
                        + " (allowed up to " + LiveView.seconds(OLDEST_LEAF, "") + ")");
                long plainReached = plain.served().values().stream().filter(n -> n > 0).count();
                out.println();
                out.printf(Locale.ROOT, "figures phase=clusterip max_age=%s min_addresses=%d plain_backends=%d"
                                + " plain_connections=%d fairway_backends=%d fairway_connections=%d fairway_recycles=%d"
                                + " oldest_leaf_ms=%d fairway_window_ms=%d fairway_max_min=%.2f%n", MAX_AGE, MIN_ADDRESSES,
                        plainReached, total(plainConnections), reached, total(fairwayConnections), recycles, oldest.toMillis(),
                        fairway.result().elapsed().toMillis(), maxMin);
                out.println(plain.summary());
                out.println(fairway.summary());
            } finally {
                DemoDns.forget(VIP_HOST);
            }
        }
    }

    private static String connections(Map<InetSocketAddress, Long> counts) {
        return total(counts) + " (" + counts.entrySet().stream()
                .map(e -> e.getKey().getAddress().getHostAddress() + " " + e.getValue()).collect(Collectors.joining(", ")) + ")";
    }

    private static long total(Map<?, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * A health change and when the listener heard of it.
     *
     * @param nanos  {@link System#nanoTime()} at the event
     * @param change the event
     */
    private record Change(long nanos, FairwayEvent.HealthChanged change) {
        boolean is(InetAddress address, HealthState state) {
            return change.address().socketAddress().getAddress().equals(address) && change.current() == state;
        }
    }

    /**
     * Phase {@code unhealthy}: an active {@code http} health check with a short interval; while traffic flows, one of
     * the five backends answers {@code 503} on its health endpoint (and still {@code 200} on every other path). From
     * the {@code HealthChanged} event that makes it {@code UNHEALTHY}, the next requests must all go to the other
     * four; then it recovers and must get requests again. Only Fairway runs: a plain client has no health check.
     */
    private void unhealthy() throws Exception {
        InetAddress sick = InetAddress.getByName(SICK_IP);             // a literal: no look-up
        heading("5 backends with an active health check; " + SICK_IP + " fails it while traffic flows, then recovers");
        out.println("  health      healthCheck(\"http\"): GET " + Backends.HEALTH_PATH + " interval=" + HEALTH_INTERVAL + " timeout="
                + HEALTH_TIMEOUT + " (+-15 % jitter), unhealthy_threshold=" + UNHEALTHY_THRESHOLD + " healthy_threshold="
                + HEALTHY_THRESHOLD + " (defaults)");
        out.println("  failure     " + SICK_IP + " answers 503 on " + Backends.HEALTH_PATH + " and still 200 on every other path,"
                + " so only the health check can take it out");
        out.println("  counted     the first " + requests + " requests sent after the HealthChanged event that makes "
                + SICK_IP + " UNHEALTHY (nothing added)");
        out.println("  plain       not run: a plain HttpClient has no health check (and sends everything to " + BACKEND_IPS.get(0) + ")");
        List<InetAddress> five = literals(BACKEND_IPS);
        awaitResolves(HOST, five);
        backends.reset();
        List<Change> changes = new CopyOnWriteArrayList<>();
        List<Load.Sent> sent;
        long failAt = -1;
        long detectedAt = -1;
        long recoverAt = -1;
        long healthyAt = -1;
        boolean directCheck = false;
        try (FairwayClient client = fairwayBuilder()
                .healthCheck("http")
                .healthCheckOption("interval", HEALTH_INTERVAL)
                .healthCheckOption("timeout", HEALTH_TIMEOUT)
                .listener(e -> {
                    if (e instanceof FairwayEvent.HealthChanged h) {
                        changes.add(new Change(System.nanoTime(), h));
                    }
                })
                .build();
             LiveView view = view(client)) {
            Load.Continuous load = new Load.Continuous(client, uri, concurrency);
            load.keepSending();
            load.start();
            try {
                if (!expect("all 5 backends HEALTHY with traffic flowing", () -> allHealthy(client, five.size())
                        && load.completed().size() >= Math.min(500, requests))) {
                    return;
                }
                failAt = System.nanoTime();
                backends.healthy(sick, false);
                view.println("  +0.00 s   " + SICK_IP + " answers 503 on " + Backends.HEALTH_PATH + " from now on");
                if (!expect(SICK_IP + " to become UNHEALTHY", () -> changes.stream().anyMatch(c -> c.is(sick, HealthState.UNHEALTHY)))) {
                    return;
                }
                Change detected = changes.stream().filter(c -> c.is(sick, HealthState.UNHEALTHY)).findFirst().orElseThrow();
                detectedAt = detected.nanos();
                view.println(String.format(Locale.ROOT, "  %+.2f s   HealthChanged %s %s -> %s: %s", (detectedAt - failAt) / 1e9,
                        SICK_IP, detected.change().previous(), detected.change().current(), detected.change().reason()));
                load.countFrom(detectedAt, requests);
                load.awaitWindow();
                directCheck = directCheck(view, sick);
                recoverAt = System.nanoTime();
                backends.healthy(sick, true);
                view.println(String.format(Locale.ROOT, "  %+.2f s   %s answers 200 on %s again", (recoverAt - failAt) / 1e9,
                        SICK_IP, Backends.HEALTH_PATH));
                long recovering = recoverAt;
                if (!expect(SICK_IP + " to become HEALTHY again", () -> changes.stream()
                        .anyMatch(c -> c.nanos() >= recovering && c.is(sick, HealthState.HEALTHY)))) {
                    return;
                }
                Change healthy = changes.stream().filter(c -> c.nanos() >= recovering && c.is(sick, HealthState.HEALTHY))
                        .findFirst().orElseThrow();
                healthyAt = healthy.nanos();
                view.println(String.format(Locale.ROOT, "  %+.2f s   HealthChanged %s %s -> %s: %s", (healthyAt - failAt) / 1e9,
                        SICK_IP, healthy.change().previous(), healthy.change().current(), healthy.change().reason()));
                expect("a request on " + SICK_IP + " after its recovery", () -> load.completed().stream()
                        .anyMatch(r -> SICK_IP.equals(r.backend()) && r.sentNanos() >= recovering));
            } finally {
                load.stop();
                sent = new ArrayList<>(load.finish());
            }
        }
        if (recoverAt < 0 || healthyAt < 0) {
            return;                                                     // expect() recorded the problem
        }
        sent.sort(Comparator.comparingLong(Load.Sent::sentNanos));
        report(sent, sick, five, failAt, detectedAt, recoverAt, healthyAt, directCheck);
    }

    /** Prints and checks what {@link #unhealthy()} measured. */
    private void report(List<Load.Sent> sent, InetAddress sick, List<InetAddress> five, long failAt, long detectedAt,
                        long recoverAt, long healthyAt, boolean directCheck) {
        Map<InetAddress, Long> window = new TreeMap<>(Shares.BY_ADDRESS);
        five.forEach(a -> window.put(a, 0L));
        Map<String, Long> windowFailures = new TreeMap<>();
        long counted = 0;
        long windowEnd = detectedAt;
        long toSickWhileUnhealthy = 0;
        long lastOnSick = -1;
        long firstAfterRecovery = -1;
        long failures = 0;
        for (Load.Sent s : sent) {
            boolean onSick = SICK_IP.equals(s.backend());
            if (s.failure() != null) {
                failures++;
            }
            if (s.sentNanos() >= detectedAt && counted < requests) {
                counted++;
                windowEnd = s.sentNanos();
                if (s.failure() != null) {
                    windowFailures.merge(s.failure(), 1L, Long::sum);
                } else {
                    window.merge(literal(s.backend()), 1L, Long::sum);
                }
            }
            if (onSick && s.sentNanos() >= detectedAt && s.sentNanos() < recoverAt) {
                toSickWhileUnhealthy++;
            }
            if (onSick && s.sentNanos() < recoverAt) {
                lastOnSick = Math.max(lastOnSick, s.sentNanos());
            }
            if (onSick && s.sentNanos() >= recoverAt && firstAfterRecovery < 0) {
                firstAfterRecovery = s.sentNanos();
            }
        }
        long lastOnSickAt = lastOnSick;
        long inFailWindow = sent.stream().filter(s -> s.sentNanos() >= failAt && s.sentNanos() <= lastOnSickAt).count();
        long failedInFailWindow = sent.stream().filter(s -> s.sentNanos() >= failAt && s.sentNanos() <= lastOnSickAt
                && s.failure() != null).count();
        Map<InetAddress, Long> probes = backends.probes();
        out.println();
        out.printf(Locale.ROOT, "fairway client: %d requests in all, %d failed; of the %d sent in the %.2f s after %s became"
                + " UNHEALTHY, the backends served:%n", sent.size(), failures, counted, (windowEnd - detectedAt) / 1e9, SICK_IP);
        out.print(Shares.table(window));
        windowFailures.forEach((what, count) -> out.println("    FAILED " + count + " x " + what));
        out.println("    health probes answered: " + probes.entrySet().stream()
                .map(e -> e.getKey().getHostAddress() + " " + e.getValue()).collect(Collectors.joining(", ")));
        out.println();
        out.printf(Locale.ROOT, "  failing -> detected (HealthChanged UNHEALTHY)        %6.0f ms%n", (detectedAt - failAt) / 1e6);
        out.printf(Locale.ROOT, "  failing -> last request sent to %-10s          %6.0f ms  (%d of %d requests sent in"
                + " between failed)%n", SICK_IP, (lastOnSick - failAt) / 1e6, failedInFailWindow, inFailWindow);
        out.printf(Locale.ROOT, "  requests to %s from detection to recovery       %6d%n", SICK_IP, toSickWhileUnhealthy);
        out.printf(Locale.ROOT, "  recovery -> healthy (HealthChanged HEALTHY)           %6.0f ms%n", (healthyAt - recoverAt) / 1e6);
        out.printf(Locale.ROOT, "  recovery -> first request sent to %-10s        %s%n", SICK_IP,
                firstAfterRecovery < 0 ? "  never" : String.format(Locale.ROOT, "%6.0f ms", (firstAfterRecovery - recoverAt) / 1e6));
        check(failures == 0, "fairway: " + failures + " of " + sent.size() + " requests failed");
        check(counted == requests, "fairway: " + counted + " requests were sent after the detection, not " + requests);
        check(window.get(sick) == 0 && toSickWhileUnhealthy == 0, "fairway: " + SICK_IP + " got " + toSickWhileUnhealthy
                + " requests sent after it became UNHEALTHY");
        check(window.values().stream().filter(n -> n > 0).count() == five.size() - 1, "fairway: the other backends did not all"
                + " get requests while " + SICK_IP + " was unhealthy: " + window);
        check(lastOnSick >= failAt, "fairway: no request reached " + SICK_IP + " after its health check started failing");
        check(firstAfterRecovery >= 0, "fairway: no request reached " + SICK_IP + " after it recovered");
        check(directCheck, SICK_IP + " did not answer 200 on / and 503 on " + Backends.HEALTH_PATH + " while failing");
        long servedTotal = total(backends.served());
        long succeeded = sent.size() - failures;
        checkServed("fairway (besides the one direct check)", servedTotal - 1, succeeded);
        out.println();
        out.printf(Locale.ROOT, "figures phase=unhealthy interval=%s timeout=%s unhealthy_threshold=%d healthy_threshold=%d"
                        + " fail_to_detected_ms=%.0f fail_to_last_request_ms=%.0f failed_in_that_window=%d/%d"
                        + " recovery_to_healthy_ms=%.0f recovery_to_first_request_ms=%s%n",
                HEALTH_INTERVAL, HEALTH_TIMEOUT, UNHEALTHY_THRESHOLD, HEALTHY_THRESHOLD, (detectedAt - failAt) / 1e6,
                (lastOnSick - failAt) / 1e6, failedInFailWindow, inFailWindow, (healthyAt - recoverAt) / 1e6,
                firstAfterRecovery < 0 ? "never" : String.format(Locale.ROOT, "%.0f", (firstAfterRecovery - recoverAt) / 1e6));
        out.println(Shares.summary(phase, "fairway", counted, window));
    }

    /** Whether the client's only target has {@code n} backends, all {@code HEALTHY}. */
    private static boolean allHealthy(FairwayClient client, int n) {
        List<TargetSnapshot> targets = client.snapshot();
        return targets.size() == 1 && targets.get(0).backends().size() == n
                && targets.get(0).backends().stream().allMatch(b -> b.health() == HealthState.HEALTHY);
    }

    /**
     * Asks the failing backend directly, past Fairway: its health endpoint fails, its other paths answer. Prints the
     * result; returns whether it was {@code 503} and {@code 200}.
     */
    private boolean directCheck(LiveView view, InetAddress sick) throws InterruptedException {
        try (HttpClient direct = plainClient()) {
            URI base = URI.create("http://" + sick.getHostAddress() + ":" + backends.port());
            int health = direct.send(HttpRequest.newBuilder(base.resolve(Backends.HEALTH_PATH)).timeout(Load.REQUEST_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            int root = direct.send(HttpRequest.newBuilder(base.resolve("/")).timeout(Load.REQUEST_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            view.println("            meanwhile, asked directly: " + SICK_IP + " answers " + health + " on "
                    + Backends.HEALTH_PATH + " and " + root + " on /");
            return health == 503 && root == 200;
        } catch (IOException e) {
            view.println("            asking " + SICK_IP + " directly failed: " + e);
            return false;
        }
    }

    /** Waits up to {@link #EXPECT} for {@code condition}; records a problem and returns {@code false} if it never held. */
    private boolean expect(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + EXPECT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return check(false, "waited " + EXPECT.toSeconds() + " s for " + what);
            }
            Thread.sleep(2);                                            // polling wall-clock behaviour, with a deadline
        }
        return true;
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip);                           // an IP literal: no look-up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
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
        awaitResolves(HOST, expected);
    }

    /** Waits until the JVM resolves {@code host} to {@code expected} (its cache may still hold an older answer). */
    private static void awaitResolves(String host, List<InetAddress> expected) throws UnknownHostException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(CACHE_TTL_SECONDS + 10L).toNanos();
        while (!List.of(InetAddress.getAllByName(host)).equals(expected)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(host + " still resolves to " + List.of(InetAddress.getAllByName(host))
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
     * Sends the phase's requests through {@code client} to the demo host, prints the backends' table and cross-checks
     * the counts; failed requests and counts that disagree are recorded as problems. The phase prints the summary line.
     */
    private Measurement measure(String name, HttpClient client) throws InterruptedException {
        return measure(name, client, backends, uri, concurrency, true);
    }

    /**
     * As {@link #measure(String, HttpClient)}, against {@code servers} through {@code target} with {@code inFlight}
     * requests at a time. {@code servedByIsServer} says whether {@link FairwayClient#servedBy} names the server that
     * answered (not so behind a virtual IP, where it names the VIP).
     */
    private Measurement measure(String name, HttpClient client, Backends servers, URI target, int inFlight,
                                boolean servedByIsServer) throws InterruptedException {
        return measure(name, client, servers, servedByIsServer, () -> Load.run(client, target, requests, inFlight));
    }

    /** One run of load. */
    @FunctionalInterface
    private interface LoadRun {
        /**
         * @return the tally
         * @throws InterruptedException if interrupted while waiting
         */
        Load.Result run() throws InterruptedException;
    }

    /** As {@link #measure(String, HttpClient, Backends, URI, int, boolean)}, with the load that {@code load} sends. */
    private Measurement measure(String name, HttpClient client, Backends servers, boolean servedByIsServer, LoadRun load)
            throws InterruptedException {
        servers.reset();
        Load.Result result;
        LiveView view = view(client); // redraws while the load runs
        try {
            result = load.run();
        } finally {
            view.close();
        }
        Map<InetAddress, Long> served = servers.served();
        long servedTotal = served.values().stream().mapToLong(Long::longValue).sum();
        out.println();
        out.printf(Locale.ROOT, "%s client: %d requests in %.2f s, %d succeeded, %d failed; what the backends served:%n",
                name, result.sent(), result.elapsed().toNanos() / 1e9, result.succeeded(), result.failed());
        out.print(Shares.table(served));
        out.println("    Host header seen by the backends: " + servers.hostHeaders().entrySet().stream()
                .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", ")));
        result.failures().forEach((what, count) -> out.println("    FAILED " + count + " x " + what));
        check(result.failed() == 0, name + ": " + result.failed() + " of " + result.sent() + " requests failed");
        checkServed(name, servedTotal, result.succeeded());
        Map<String, Long> byServer = new TreeMap<>();
        served.forEach((address, count) -> {
            if (count > 0) {
                byServer.put(address.getHostAddress(), count);
            }
        });
        check(byServer.equals(result.bodies()), name + ": response bodies name backends " + result.bodies()
                + " but the backends counted " + byServer);
        if (client instanceof FairwayClient && servedByIsServer) {
            check(byServer.equals(result.servedBy()), name + ": FairwayClient.servedBy names backends " + result.servedBy()
                    + " but the backends counted " + byServer);
        }
        return new Measurement(result, served, Shares.summary(phase, name, result.sent(), served));
    }

    /** A live view of {@code client} while it runs, or one that only prints messages for a plain client. */
    private LiveView view(HttpClient client) {
        return client instanceof FairwayClient fairway ? LiveView.start(fairway, out, terminal, live) : LiveView.none(out);
    }

    /** Checks that each new backend got its first request within {@link #DISCOVERY} of joining DNS. */
    private void checkDiscovered(String name, List<String> ips, Map<String, Long> firstNanos) {
        for (String ip : ips) {
            Long first = firstNanos.get(ip);
            check(first != null && first <= DISCOVERY.toNanos(), name + ": the first request on " + ip + " came "
                    + (first == null ? "never" : String.format(Locale.ROOT, "%.2f s", first / 1e9)) + " after it joined DNS,"
                    + " not within the TTL + 1 s (" + DISCOVERY.toSeconds() + " s)");
        }
    }

    /** Records {@code problem} for the current phase unless {@code passed}. */
    /**
     * Every response was served by a backend, and the backends served little more than that: the JDK's client (plain,
     * or a Fairway leaf) sends an idempotent request once more when its connection closes before the response, so a
     * backend may have served a request whose first response was lost on the way. Fewer served than answered, or more
     * such resends than one in a thousand, fail the demo.
     */
    private void checkServed(String name, long served, long responses) {
        check(served >= responses && served - responses <= Math.max(1, responses / 1000), name + ": the backends served "
                + served + " requests but " + responses + " responses arrived");
        if (served > responses) {
            out.println("    note: " + (served - responses) + " request(s) served twice: the JDK client resent an idempotent"
                    + " request after its connection closed before the response");
        }
    }

    private boolean check(boolean passed, String problem) {
        if (!passed) {
            problems.add("phase " + phase + ": " + problem);
            out.println("    CHECK FAILED: " + problem);
        }
        return passed;
    }
}
