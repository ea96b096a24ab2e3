package dev.fairway.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.ResolverProvider;
import dev.fairway.spi.Scheduler;
import dev.fairway.spi.Target;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Wall-clock figures of the {@code kubernetes} resolver against a local stand-in for the API server (the JDK's HTTP
 * server on loopback, answering the list and streaming the watch the way the API server does):
 *
 * <ul>
 * <li>event to published set: the time from writing a watch event (an endpoint turns ready, or turns terminating)
 *     to the resolver's listener receiving the set that shows it (the new address, or the address as draining);</li>
 * <li>1,000 endpoints in 10 slices: heap and threads per resolver (each has its own {@code HttpClient}), and CPU per
 *     update (one slice of 100 endpoints modified), on the resolver's executor tasks and for the whole process.</li>
 * </ul>
 *
 * <p>Run: {@code java -Dsun.net.httpserver.nodelay=true -cp benchmarks/target/benchmarks.jar
 * dev.fairway.benchmarks.KubernetesFigures [events] [resolvers]} (defaults 200 and 20). The property sets TCP_NODELAY
 * on the stand-in's sockets, as the API server has it; without it the JDK's HTTP server holds back the tail of large
 * events for a delayed ACK (about 20 ms per update here).
 */
public final class KubernetesFigures {

    private KubernetesFigures() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int resolvers = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        System.out.println("JDK " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
        int status = 0;
        try (Stub a = new Stub(); Stub b = new Stub(); Stub c = new Stub(); Stub d = new Stub()) {   // a fresh stand-in per phase
            latency(a, events);
            cpu(b, events);
            memory(c, resolvers);
            endToEnd(d, Math.max(5, events / 10));
        } catch (RuntimeException e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);                                           // a failed run's resolver threads must not keep the JVM
    }

    // ---------------------------------------------------------------- event → published

    private static void latency(Stub stub, int events) throws Exception {
        List<String> base = endpoints(0, 10, true);
        stub.list = list("1", List.of(slice("a", "1", base)));
        Tasks tasks = new Tasks();
        Sets sets = new Sets();
        try (Resolver r = create(stub, tasks)) {
            r.start(sets);
            sets.await(s -> s.size() == 10);
            Watch w = stub.nextWatch();
            long[] ready = new long[events];
            long[] draining = new long[events];
            int rv = 2;
            for (int i = 0; i < events; i++) {
                String ip = "10.9." + (i / 250) + "." + (i % 250 + 1);
                List<String> eps = new ArrayList<>(base);
                eps.add(endpoint(ip, true, false));
                String addReady = event("MODIFIED", slice("a", String.valueOf(rv++), eps));
                eps.set(eps.size() - 1, endpoint(ip, false, true));
                String turnTerminating = event("MODIFIED", slice("a", String.valueOf(rv++), eps));
                String remove = event("MODIFIED", slice("a", String.valueOf(rv++), base));
                String authority = ip + ":8080";

                long t0 = System.nanoTime();
                w.send(addReady);
                ready[i] = sets.await(s -> s.stream().anyMatch(a -> a.authority().equals(authority) && !a.draining())) - t0;
                t0 = System.nanoTime();
                w.send(turnTerminating);
                draining[i] = sets.await(s -> s.stream().anyMatch(a -> a.authority().equals(authority) && a.draining())) - t0;
                w.send(remove);
                sets.await(s -> s.size() == 10);
            }
            w.end();
            System.out.println("event to published set, " + events + " events each (median, min–max, p99):");
            System.out.println("  endpoint turns ready       " + summary(ready));
            System.out.println("  endpoint turns terminating " + summary(draining) + " (published as draining)");
        }
    }

    // ---------------------------------------------------------------- through a FairwayClient

    /**
     * A {@code FairwayClient} with the {@code kubernetes} resolver sends one request at a time to three loopback
     * backends while a fourth endpoint turns ready (timed until its first request) and then serving-and-terminating
     * (counted: requests it still gets 200 to 400 ms after the event, which an engine that honours
     * {@code draining} would not send).
     */
    private static void endToEnd(Stub stub, int rounds) throws Exception {
        List<Backend> backends = new ArrayList<>();
        backends.add(new Backend("127.0.0.2", 0));
        int port = backends.get(0).port();
        backends.add(new Backend("127.0.0.3", port));
        backends.add(new Backend("127.0.0.4", port));
        Backend fourth = backends.get(2);
        String base = endpoint("127.0.0.2", true, false) + "," + endpoint("127.0.0.3", true, false);
        stub.list = list("1", List.of(slice("a", "1", List.of(base), port)));
        dev.fairway.FairwayClient client = dev.fairway.FairwayClient.newBuilder().resolver("kubernetes")
                .resolverOption("api_url", "http://127.0.0.1:" + stub.port()).resolverOption("port_mode", "endpoint")
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.net.URI uri = java.net.URI.create("http://orders.shop:" + port + "/");
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        Thread sender = new Thread(() -> {
            while (running.get()) {
                try {
                    client.send(java.net.http.HttpRequest.newBuilder(uri).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
                    sent.incrementAndGet();
                } catch (IOException e) {
                    // counted as not sent; the figures below do not depend on it
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "sender");
        sender.start();
        Watch w = stub.nextWatch();
        long[] first = new long[rounds];
        long[] after = new long[rounds];
        long[] last = new long[rounds];
        int rv = 2;
        for (int i = 0; i < rounds; i++) {
            String withReady = event("MODIFIED", slice("a", String.valueOf(rv++), List.of(base + "," + endpoint("127.0.0.4", true, false)), port));
            String withDraining = event("MODIFIED", slice("a", String.valueOf(rv++), List.of(base + "," + endpoint("127.0.0.4", false, true)), port));
            String without = event("MODIFIED", slice("a", String.valueOf(rv++), List.of(base), port));
            long t0 = System.nanoTime();
            w.send(withReady);
            first[i] = fourth.firstRequestAfter(t0, 10_000) - t0;
            t0 = System.nanoTime();
            w.send(withDraining);
            Thread.sleep(400);                                         // a harness: observe a fixed window
            after[i] = fourth.requestsBetween(t0 + 200_000_000L, t0 + 400_000_000L);
            last[i] = Math.max(0, fourth.lastRequestBetween(t0, t0 + 400_000_000L) - t0); // 0: none after the event
            w.send(without);
            fourth.quietFor(200, 10_000);
        }
        running.set(false);
        sender.join(10_000);
        w.end();
        client.close();
        for (Backend b : backends) {
            b.close();
        }
        System.out.println("through a FairwayClient (" + rounds + " rounds, one request at a time, " + sent.get() + " requests):");
        System.out.println("  endpoint turns ready → its first request " + summary(first));
        long[] sortedAfter = after.clone();
        Arrays.sort(sortedAfter);
        System.out.println("  endpoint turns serving+terminating → requests it still got 200–400 ms later: median " + sortedAfter[rounds / 2]
                + ", " + sortedAfter[0] + "–" + sortedAfter[rounds - 1] + " (0 once the engine honours draining)");
        System.out.println("  endpoint turns serving+terminating → its last request (0: none after the event) " + summary(last));
    }

    /** A loopback backend that records when each request came. */
    private static final class Backend implements AutoCloseable {
        private final HttpServer server;
        private final List<Long> times = new ArrayList<>();

        Backend(String ip, int port) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(ip), port), 100);
            server.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "backend-" + ip);
                t.setDaemon(true);
                return t;
            }));
            server.createContext("/", exchange -> {
                synchronized (times) {
                    times.add(System.nanoTime());
                    times.notifyAll();
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        long firstRequestAfter(long t0, long timeoutMillis) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            synchronized (times) {
                while (true) {
                    for (long t : times) {
                        if (t >= t0) {
                            return t;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("no request within " + timeoutMillis + " ms");
                    }
                    times.wait(Math.max(1, left / 1_000_000));
                }
            }
        }

        /** When the last request in {@code [from, to)} came, or -1 when none did. */
        long lastRequestBetween(long from, long to) {
            synchronized (times) {
                return times.stream().filter(t -> t >= from && t < to).mapToLong(Long::longValue).max().orElse(-1);
            }
        }

        long requestsBetween(long from, long to) {
            synchronized (times) {
                return times.stream().filter(t -> t >= from && t < to).count();
            }
        }

        void quietFor(long millis, long timeoutMillis) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (System.nanoTime() < deadline) {
                long last;
                synchronized (times) {
                    last = times.isEmpty() ? 0 : times.get(times.size() - 1);
                }
                if (System.nanoTime() - last >= millis * 1_000_000L) {
                    return;
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("the removed endpoint still got requests after " + timeoutMillis + " ms");
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    // ---------------------------------------------------------------- 1,000 endpoints in 10 slices

    private static void setTenSlices(Stub stub) {
        List<String> slices = new ArrayList<>();
        for (int s = 0; s < 10; s++) {
            slices.add(slice("s" + s, "1", endpoints(s * 100, 100, true)));
        }
        stub.list = list("1", slices);
    }

    private static void memory(Stub stub, int resolvers) throws Exception {
        setTenSlices(stub);
        Runtime rt = Runtime.getRuntime();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        gc();
        long heap0 = rt.totalMemory() - rt.freeMemory();
        int threads0 = threads.getThreadCount();
        List<Resolver> all = new ArrayList<>();
        List<Sets> listeners = new ArrayList<>();
        Tasks tasks = new Tasks();
        for (int i = 0; i < resolvers; i++) {
            Sets sets = new Sets();
            Resolver r = create(stub, tasks);
            r.start(sets);
            all.add(r);
            listeners.add(sets);
        }
        List<Watch> watches = new ArrayList<>();
        for (Sets sets : listeners) {
            sets.await(s -> s.size() == 1000);
            watches.add(stub.nextWatch());
        }
        gc();
        long heap1 = rt.totalMemory() - rt.freeMemory();
        int threads1 = threads.getThreadCount();
        System.out.printf(Locale.ROOT, "1,000 endpoints in 10 slices, %d resolvers: heap %.0f KiB per resolver, %.1f threads per"
                + " resolver%n", resolvers, (heap1 - heap0) / 1024.0 / resolvers, (threads1 - threads0) / (double) resolvers);
        for (Watch x : watches) {
            x.end();
        }
        for (Resolver r : all) {
            r.close();
        }
    }

    /** CPU per update: one resolver over 1,000 endpoints; slice s0 takes one endpoint out of ready and back. */
    private static void cpu(Stub stub, int updates) throws Exception {
        setTenSlices(stub);
        Tasks tasks = new Tasks();
        Sets sets = new Sets();
        try (Resolver r = create(stub, tasks)) {
            r.start(sets);
            sets.await(s -> s.size() == 1000);
            Watch w = stub.nextWatch();
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < updates; i++) {
                List<String> eps = endpoints(0, 100, true);
                eps.set(i % 100, endpoint("10.1.0." + (i % 100 + 1), false, false));
                lines.add(event("MODIFIED", slice("s0", String.valueOf(10 + i), eps)));
            }
            String back = event("MODIFIED", slice("s0", String.valueOf(10 + updates), endpoints(0, 100, true)));
            for (int i = 0; i < Math.min(50, updates); i++) {                // warm-up, not measured
                w.send(lines.get(i));
                sets.await(s -> s.size() == 999);
                w.send(back);
                sets.await(s -> s.size() == 1000);
            }
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            tasks.cpu.set(0);
            long process0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            for (int i = 0; i < updates; i++) {
                w.send(lines.get(i));
                sets.await(s -> s.size() == 999);
                w.send(back);
                sets.await(s -> s.size() == 1000);
            }
            long wall = System.nanoTime() - wall0;
            long process = os.getProcessCpuTime() - process0;
            int n = 2 * updates;
            System.out.printf(Locale.ROOT, "CPU per update of one 100-endpoint slice (1,000 endpoints), %d updates: %.0f µs on the"
                            + " resolver's executor tasks (read, parse, merge, publish), %.0f µs for the whole process (also the"
                            + " stand-in server and the selector threads); wall %.0f µs per update%n",
                    n, tasks.cpu.get() / 1e3 / n, process / 1e3 / n, wall / 1e3 / n);
            w.end();
        }
    }

    // ---------------------------------------------------------------- plumbing

    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor();
    private static final Scheduler SCHEDULER = (task, delay) -> TIMERS.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);

    private static Resolver create(Stub stub, Tasks tasks) {
        ResolverProvider provider = ServiceLoader.load(ResolverProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("kubernetes")).findFirst().orElseThrow();
        OptionValues options = OptionValues.of("fairway.resolver.", provider.options(),
                Map.of("api_url", "http://127.0.0.1:" + stub.port(), "port_mode", "endpoint"));
        ResolverContext context = new ResolverContext(new Target("http", "orders.shop", 8080), options, System::nanoTime,
                SCHEDULER, tasks, 1);
        return provider.create(context);
    }

    /** An executor that adds up the CPU time of the tasks it runs. */
    private static final class Tasks implements java.util.concurrent.Executor {
        private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "resolver-task");
            t.setDaemon(true);
            return t;
        });
        final AtomicLong cpu = new AtomicLong();
        private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();

        @Override
        public void execute(Runnable command) {
            pool.execute(() -> {
                long t0 = mx.getCurrentThreadCpuTime();
                try {
                    command.run();
                } finally {
                    cpu.addAndGet(mx.getCurrentThreadCpuTime() - t0);
                }
            });
        }
    }

    /** Records published sets with the time they came, and waits for one that matches. */
    private static final class Sets implements Resolver.Listener {
        private final BlockingQueue<Object[]> queue = new LinkedBlockingQueue<>();

        @Override
        public void onAddresses(List<BackendAddress> addresses) {
            queue.add(new Object[] {System.nanoTime(), addresses});
        }

        @Override
        public void onError(IOException error) {
            System.err.println("resolver error: " + error.getMessage());
        }

        @SuppressWarnings("unchecked")
        long await(Predicate<List<BackendAddress>> condition) throws InterruptedException {
            while (true) {
                Object[] e = queue.poll(30, TimeUnit.SECONDS);
                if (e == null) {
                    throw new IllegalStateException("no matching set within 30 s");
                }
                if (condition.test((List<BackendAddress>) e[1])) {
                    return (long) e[0];
                }
            }
        }
    }

    private static final class Watch {
        private final OutputStream out;
        private final CountDownLatch ended = new CountDownLatch(1);

        Watch(OutputStream out) {
            this.out = out;
        }

        void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void end() {
            ended.countDown();
        }
    }

    /** The API server's list and watch for one Service, on loopback. */
    private static final class Stub implements AutoCloseable {
        final BlockingQueue<Watch> watches = new LinkedBlockingQueue<>();
        volatile String list;
        private final HttpServer server;
        private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "api-stub");
            t.setDaemon(true);
            return t;
        });

        Stub() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        Watch nextWatch() throws InterruptedException {
            Watch w = watches.poll(30, TimeUnit.SECONDS);
            if (w == null) {
                throw new IllegalStateException("no watch request within 30 s");
            }
            return w;
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                if (exchange.getRequestURI().getRawQuery().contains("watch=true")) {
                    exchange.sendResponseHeaders(200, 0);
                    Watch w = new Watch(exchange.getResponseBody());
                    watches.add(w);
                    w.ended.await();
                } else {
                    byte[] body = list.getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static void gc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);                                         // a measurement harness, not a test: let the GC settle
        }
    }

    private static String summary(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "median %.2f ms, %.2f–%.2f ms, p99 %.2f ms", s[s.length / 2] / 1e6, s[0] / 1e6,
                s[s.length - 1] / 1e6, s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)] / 1e6);
    }

    private static List<String> endpoints(int from, int n, boolean ready) {
        List<String> eps = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            eps.add(endpoint("10.1." + (i / 100) + "." + (i % 100 + 1), ready, false));
        }
        return eps;
    }

    private static String endpoint(String ip, boolean ready, boolean terminating) {
        return "{\"addresses\":[\"" + ip + "\"],\"conditions\":{\"ready\":" + ready + ",\"serving\":" + (ready || terminating)
                + ",\"terminating\":" + terminating + "},\"zone\":\"zone-a\",\"nodeName\":\"node-1\"}";
    }

    private static String slice(String name, String rv, List<String> endpoints) {
        return slice(name, rv, endpoints, 8080);
    }

    private static String slice(String name, String rv, List<String> endpoints, int port) {
        return "{\"kind\":\"EndpointSlice\",\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"shop\",\"resourceVersion\":\"" + rv + "\",\"labels\":{\"kubernetes.io/service-name\":\"orders\"}},"
                + "\"addressType\":\"IPv4\",\"endpoints\":[" + String.join(",", endpoints)
                + "],\"ports\":[{\"name\":\"http\",\"port\":" + port + ",\"protocol\":\"TCP\"}]}";
    }

    private static String list(String rv, List<String> slices) {
        return "{\"kind\":\"EndpointSliceList\",\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":{\"resourceVersion\":\"" + rv
                + "\"},\"items\":[" + String.join(",", slices) + "]}";
    }

    private static String event(String type, String object) {
        return "{\"type\":\"" + type + "\",\"object\":" + object + "}";
    }
}
