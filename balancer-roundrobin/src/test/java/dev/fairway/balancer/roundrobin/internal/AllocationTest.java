package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerProvider;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

import static dev.fairway.balancer.roundrobin.internal.Contexts.context;
import static dev.fairway.balancer.roundrobin.internal.Contexts.numbered;
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

    private static void assertPicksDoNotAllocate(PickerProvider provider) {
        assumeTrue(THREADS.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes per thread");
        THREADS.setThreadAllocatedMemoryEnabled(true);
        List<Backend> backends = numbered(5);
        Picker picker = provider.create(context(backends, 3));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://orders.example/")).build();
        for (int round = 0; round < 5; round++) {
            allocatedBytes(picker, request, backends.get(0)); // warm up the loop and the counter itself
        }
        long bytes = allocatedBytes(picker, request, backends.get(0));
        assertTrue(bytes < 1024, provider.name() + ": " + PICKS + " picks allocated " + bytes + " bytes");
    }

    @Test
    void roundRobinPicksDoNotAllocate() {
        assertPicksDoNotAllocate(new RoundRobinPickerProvider());
    }

    @Test
    void randomPicksDoNotAllocate() {
        assertPicksDoNotAllocate(new RandomPickerProvider());
    }
}
