package dev.fairway.benchmarks;

import dev.fairway.FairwayClient;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What balancing costs per request: {@link FairwayClient#sendAsync} over in-process leaves that answer at once
 * ({@link InProcessHttpClient}), against calling such a leaf directly. The difference is Fairway's own work: finding
 * the target's pool, picking, re-addressing the request, counting it in flight, wrapping the body subscriber and the
 * response, and completing the caller's future.
 *
 * <p>The client resolves with the built-in {@code static} resolver to three loopback addresses and never touches the
 * network: its leaves come from the builder's package-private {@code leafFactory}, called by reflection (the
 * benchmarks run on the class path, where the module boundary does not apply). {@code version = HTTP_1_1} takes
 * Fairway's plain-HTTP/1.1 path (the leaf is a proxy, the request is passed on as it is); {@code HTTP_2} takes the
 * direct path, which builds a new request with the backend's IP in the URI. With {@code -p jfr=default} or
 * {@code -p jfr=profile} a JFR recording runs meanwhile, to show what recording costs on the request path.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
public class FacadeBenchmark {

    /** The clients under test. */
    @State(Scope.Benchmark)
    public static class Clients {

        /** {@code HTTP_1_1} (proxy-mode leaves) or {@code HTTP_2} (direct leaves). */
        @Param({"HTTP_1_1", "HTTP_2"})
        public String version;

        /** The picker. */
        @Param({"round_robin"})
        public String picker;

        /**
         * A JFR recording running during the trial: {@code off} (none), or the JDK's {@code default} or
         * {@code profile} settings; Fairway's own events are enabled in both.
         */
        @Param({"off"})
        public String jfr;

        private static final String[] FAIRWAY_EVENTS = {"dev.fairway.Resolution", "dev.fairway.Backend",
            "dev.fairway.HealthTransition", "dev.fairway.Ejection", "dev.fairway.Leaf", "dev.fairway.NoBackend"};

        HttpClient leaf;
        FairwayClient fairway;
        HttpRequest request;
        Recording recording;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            if (!jfr.equals("off")) {
                recording = new Recording(Configuration.getConfiguration(jfr));
                for (String event : FAIRWAY_EVENTS) { // by name: they register when first used
                    recording.enable(event);
                }
                recording.setToDisk(true);
                recording.start();
            }
            HttpClient.Version v = HttpClient.Version.valueOf(version);
            leaf = new InProcessHttpClient(v);
            FairwayClient.Builder builder = FairwayClient.newBuilder()
                    .resolver("static")
                    .resolverOption("addresses", "127.0.0.2,127.0.0.3,127.0.0.4")
                    .picker(picker)
                    .version(v)
                    .seed(42);
            Function<HttpClient.Builder, HttpClient> factory = configured -> new InProcessHttpClient(v);
            leafFactory(builder, factory);
            fairway = builder.build();
            request = HttpRequest.newBuilder(URI.create("http://orders.example:8080/orders/42")).build();
            HttpResponse<Void> first = fairway.send(request, HttpResponse.BodyHandlers.discarding());
            if (first.statusCode() != 200 || FairwayClient.servedBy(first).isEmpty()) {
                throw new IllegalStateException("the in-process leaf did not answer through Fairway: " + first);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            fairway.close();
            if (recording != null) {
                recording.close(); // stops it and deletes its data
            }
        }
    }

    /**
     * Calls {@code FairwayClient.Builder.leafFactory}, which is package-private.
     *
     * @throws IllegalStateException if the method is missing or not accessible (run on the class path)
     */
    static void leafFactory(FairwayClient.Builder builder, Function<HttpClient.Builder, HttpClient> factory) {
        try {
            Method m = FairwayClient.Builder.class.getDeclaredMethod("leafFactory", Function.class);
            m.setAccessible(true);
            m.invoke(builder, factory);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot set FairwayClient.Builder.leafFactory by reflection (run the benchmarks "
                    + "on the class path, with a fairway-api that has it): " + e, e);
        }
    }

    /**
     * The leaf alone: the floor under Fairway.
     *
     * @param c the clients
     * @return the response, consumed by JMH
     */
    @Benchmark
    public HttpResponse<Void> direct(Clients c) {
        return c.leaf.sendAsync(c.request, HttpResponse.BodyHandlers.discarding()).join();
    }

    /**
     * The same request through Fairway.
     *
     * @param c the clients
     * @return the response, consumed by JMH
     */
    @Benchmark
    public HttpResponse<Void> fairway(Clients c) {
        return c.fairway.sendAsync(c.request, HttpResponse.BodyHandlers.discarding()).join();
    }
}
