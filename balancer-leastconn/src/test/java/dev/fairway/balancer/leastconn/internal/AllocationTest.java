package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerProvider;
import dev.fairway.testing.FakeBackend;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.fairway.balancer.leastconn.internal.Fixtures.context;
import static dev.fairway.balancer.leastconn.internal.Fixtures.numbered;
import static dev.fairway.balancer.leastconn.internal.Fixtures.weighted;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Picking must not allocate, in every mode of every picker: equal weights, weights, a ramp in progress, more choices;
 * nor may {@code completed}. Needs module {@code jdk.management}: on the module path this module's pom adds it and
 * the read edge to the surefire run and to test compilation.
 */
class AllocationTest {

    private static final int PICKS = 100_000;
    private static final HttpRequest REQUEST = HttpRequest.newBuilder(URI.create("http://orders.example/")).build();

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @BeforeAll
    static void enable() {
        assumeTrue(THREADS.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes per thread");
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    /** A named setup: provider, backends, options. */
    record Mode(String name, PickerProvider provider, List<FakeBackend> backends, Map<String, Object> options) {
        @Override
        public String toString() {
            return provider.name() + " " + name;
        }
    }

    static List<Mode> modes() {
        List<Mode> modes = new ArrayList<>();
        for (PickerProvider p : List.of(new LeastConnPickerProvider(), new LeastLoadedPickerProvider(), new PeakEwmaPickerProvider())) {
            modes.add(new Mode("equal weights", p, numbered(5), Map.of()));
            modes.add(new Mode("weights", p, weighted(1, 3, 5, 7, 9), Map.of()));
            modes.add(new Mode("ramping", p, weighted(1, 3, 5, 7, 9), Map.of("slow_start_window", "1h")));
            if (!p.name().equals(LeastLoadedPickerProvider.NAME)) {
                modes.add(new Mode("4 choices", p, numbered(20), Map.of("choices", 4)));
                modes.add(new Mode("4 choices, weights, ramping", p, weighted(1, 3, 5, 7, 9, 2, 4, 6),
                        Map.of("choices", 4, "slow_start_window", "1h")));
            }
        }
        return modes;
    }

    private static long allocatedBytes(Picker picker, Backend marker) {
        int hits = 0;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < PICKS; i++) {
            Backend b = picker.pick(REQUEST);
            if (b == marker) {
                hits++;
            }
            picker.completed(b, 1_000_000L + (i & 1023), (i & 7) != 0);
        }
        long after = THREADS.getCurrentThreadAllocatedBytes();
        assertTrue(hits > 0, "the marker backend was never picked");
        return after - before;
    }

    @ParameterizedTest
    @MethodSource("modes")
    void picksAndCompletionsDoNotAllocate(Mode mode) {
        FakeClock clock = new FakeClock();
        List<FakeBackend> backends = mode.backends();
        for (int i = 0; i < backends.size(); i++) {
            backends.get(i).usableSince(clock.read() - Duration.ofMinutes(i).toNanos()).inFlight(i % 3);
        }
        Picker picker = mode.provider().create(context(mode.provider(), backends, 3, clock, mode.options(), null));
        for (int round = 0; round < 5; round++) {
            allocatedBytes(picker, backends.get(0)); // warm up
        }
        long bytes = allocatedBytes(picker, backends.get(0));
        assertTrue(bytes < 1024, mode + ": " + PICKS + " picks allocated " + bytes + " bytes");
    }
}
