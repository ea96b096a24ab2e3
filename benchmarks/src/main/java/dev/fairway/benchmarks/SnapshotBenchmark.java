package dev.fairway.benchmarks;

import dev.fairway.FairwayClient;
import dev.fairway.TargetSnapshot;
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

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What it costs to look at a client: {@link FairwayClient#snapshot()} with {@code backends} backends that have all
 * served requests (so each has a leaf, an age and counters), and the same counters read the way a JMX exporter reads
 * them, through the platform {@link MBeanServer}.
 *
 * <p>The client is built as in {@link FacadeBenchmark}: the {@code static} resolver over {@code 127.0.1.1} onwards and
 * in-process leaves, so no socket is opened.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class SnapshotBenchmark {

    /** One client whose backends have all served requests. */
    @State(Scope.Benchmark)
    public static class Client {

        /** How many backends the client's one target has. */
        @Param({"10", "100", "1000"})
        public int backends;

        FairwayClient fairway;
        MBeanServer server;
        ObjectName name;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            StringBuilder addresses = new StringBuilder();
            for (int i = 0; i < backends; i++) {
                addresses.append(i == 0 ? "" : ",").append("127.0.").append(1 + i / 250).append('.').append(1 + i % 250);
            }
            FairwayClient.Builder builder = FairwayClient.newBuilder()
                    .resolver("static")
                    .resolverOption("addresses", addresses.toString())
                    .picker("round_robin")
                    .version(HttpClient.Version.HTTP_1_1)
                    .seed(42);
            FacadeBenchmark.leafFactory(builder, configured -> new InProcessHttpClient(HttpClient.Version.HTTP_1_1));
            fairway = builder.build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://orders.example:8080/orders/42")).build();
            for (int i = 0; i < 3 * backends; i++) {
                fairway.send(request, HttpResponse.BodyHandlers.discarding());
            }
            List<TargetSnapshot> first = fairway.snapshot();
            if (first.size() != 1 || first.get(0).backends().size() != backends || first.get(0).leavesOpen() != backends) {
                throw new IllegalStateException("expected one target with " + backends + " backends, each with a leaf: " + first);
            }
            server = ManagementFactory.getPlatformMBeanServer();
            Set<ObjectName> names = server.queryNames(new ObjectName("dev.fairway:type=FairwayClient,*"), null);
            if (names.size() != 1) {
                throw new IllegalStateException("expected the one client's MXBean, found " + names);
            }
            name = names.iterator().next();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            fairway.close();
        }
    }

    /**
     * One {@link FairwayClient#snapshot()}.
     *
     * @param c the client
     * @return the snapshot, consumed by JMH
     */
    @Benchmark
    public List<TargetSnapshot> snapshot(Client c) {
        return c.fairway.snapshot();
    }

    /**
     * The MXBean's scalar counters, read through the platform MBean server as an exporter polls them.
     *
     * @param c the client
     * @return the attribute list, consumed by JMX
     * @throws Exception if JMX fails
     */
    @Benchmark
    public Object mxbeanCounters(Client c) throws Exception {
        return c.server.getAttributes(c.name, new String[] {"Backends", "UnhealthyBackends", "EjectedBackends",
                "InFlight", "Queued", "Requests", "Failures", "LeavesOpen", "Recycles"});
    }

    /**
     * The MXBean's per-backend lines ({@code BackendDetails}), one string per backend.
     *
     * @param c the client
     * @return the attribute, consumed by JMH
     * @throws Exception if JMX fails
     */
    @Benchmark
    public Object mxbeanDetails(Client c) throws Exception {
        return c.server.getAttribute(c.name, "BackendDetails");
    }
}
