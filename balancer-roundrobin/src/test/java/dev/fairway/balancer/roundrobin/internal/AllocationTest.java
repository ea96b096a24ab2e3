package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerProvider;
import dev.fairway.testing.FakeBackend;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.fairway.balancer.roundrobin.internal.Contexts.context;
import static dev.fairway.balancer.roundrobin.internal.Contexts.numbered;
import static dev.fairway.balancer.roundrobin.internal.Contexts.weighted;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Picking must not allocate. Needs module {@code jdk.management}: on the module path this module's pom adds it and
 * the read edge to the surefire run and to test compilation.
 */
class AllocationTest {

    private static final int PICKS = 100_000;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocatedBytes(Picker picker, HttpRequest request, Backend marker) {
        int hits = 0;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < PICKS; i++) {
            if (picker.pick(request) == marker) {
                hits++;
            }
        }
        long after = THREADS.getCurrentThreadAllocatedBytes();
        assertTrue(hits > 0, "the marker backend was never picked");
        return after - before;
    }

    private static void assertPicksDoNotAllocate(PickerProvider provider, List<? extends Backend> backends,
                                                 Map<String, Object> options) {
        assumeTrue(THREADS.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes per thread");
        THREADS.setThreadAllocatedMemoryEnabled(true);
        FakeClock clock = new FakeClock();
        Picker picker = provider.create(context(provider, backends, 3, clock, options, null));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://orders.example/")).build();
        for (int round = 0; round < 5; round++) {
            allocatedBytes(picker, request, backends.get(0)); // warm up the loop and the counter itself
        }
        long bytes = allocatedBytes(picker, request, backends.get(0));
        assertTrue(bytes < 1024, provider.name() + " " + options + ": " + PICKS + " picks allocated " + bytes + " bytes");
    }

    @Test
    void roundRobinPicksDoNotAllocate() {
        assertPicksDoNotAllocate(new RoundRobinPickerProvider(), numbered(5), Map.of());
    }

    @Test
    void randomPicksDoNotAllocate() {
        assertPicksDoNotAllocate(new RandomPickerProvider(), numbered(5), Map.of());
        assertPicksDoNotAllocate(new RandomPickerProvider(), weighted(1, 3, 5, 7, 9), Map.of());
    }

    @Test
    void weightedRoundRobinPicksDoNotAllocate() {
        WeightedRoundRobinPickerProvider provider = new WeightedRoundRobinPickerProvider();
        assertPicksDoNotAllocate(provider, numbered(5), Map.of());
        assertPicksDoNotAllocate(provider, weighted(1, 3, 5, 7, 9), Map.of());
        List<FakeBackend> ramping = weighted(1, 3, 5, 7, 9);
        FakeClock clock = new FakeClock();
        for (int i = 0; i < ramping.size(); i++) {
            ramping.get(i).usableSince(clock.read() - Duration.ofMinutes(i).toNanos());
        }
        assertPicksDoNotAllocate(provider, ramping, Map.of("slow_start_window", "1h"));
    }
}
