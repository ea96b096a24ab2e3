package dev.fairway.balancer.leastconn.internal;

import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerProvider;
import dev.fairway.spi.Ticker;
import dev.fairway.testing.FakeBackend;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.fairway.balancer.leastconn.internal.Fixtures.context;
import static dev.fairway.balancer.leastconn.internal.Fixtures.countIdle;
import static dev.fairway.balancer.leastconn.internal.Fixtures.numbered;
import static dev.fairway.balancer.leastconn.internal.Fixtures.weighted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlowStartTest {

    private static final Map<String, Object> RAMP = Map.of("slow_start_window", "100s", "slow_start_min_percent", 10);
    private static final int PICKS = 200_000;

    static List<PickerProvider> providers() {
        return List.of(new LeastConnPickerProvider(), new LeastLoadedPickerProvider(), new PeakEwmaPickerProvider());
    }

    /** A ticker that counts its readings. */
    private static final class CountingTicker implements Ticker {
        final FakeClock clock;
        final AtomicInteger reads = new AtomicInteger();

        CountingTicker(FakeClock clock) {
            this.clock = clock;
        }

        @Override
        public long read() {
            reads.incrementAndGet();
            return clock.read();
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void aNewBackendRampsLinearlyFromTheMinimumToItsFullShare(PickerProvider provider) {
        FakeClock clock = new FakeClock();
        List<FakeBackend> backends = numbered(10);
        long start = clock.read();
        for (int i = 0; i < 9; i++) {
            backends.get(i).usableSince(start - Duration.ofHours(1).toNanos());
        }
        backends.get(9).usableSince(start);
        Picker picker = provider.create(context(provider, backends, 3, clock, RAMP, null));
        for (int seconds : new int[] {0, 25, 50, 75, 100, 150}) {
            clock.advance(Duration.ofSeconds(seconds).minus(Duration.ofNanos(clock.read() - start)));
            double factor = Math.min(1.0, 0.1 + 0.9 * seconds / 100.0);
            double expected = factor / (9 + factor);
            long[] counts = countIdle(picker, backends, PICKS);
            double share = counts[9] / (double) PICKS;
            assertEquals(expected, share, 0.003, provider.name() + " at " + seconds + " s: " + Arrays.toString(counts));
            for (int i = 0; i < 9; i++) {
                assertEquals((1 - expected) / 9, counts[i] / (double) PICKS, 0.005, provider.name() + " at " + seconds + " s, old backend "
                        + i + ": " + Arrays.toString(counts));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void theRampScalesTheAddressWeight(PickerProvider provider) {
        FakeClock clock = new FakeClock();
        List<FakeBackend> backends = weighted(3, 1);
        backends.get(0).usableSince(clock.read());
        backends.get(1).usableSince(clock.read() - Duration.ofHours(1).toNanos());
        Picker picker = provider.create(context(provider, backends, 5, clock, RAMP, null));
        clock.advance(Duration.ofSeconds(50));
        double effective = 3 * 0.55;
        long[] counts = countIdle(picker, backends, PICKS);
        assertEquals(effective / (effective + 1), counts[0] / (double) PICKS, 0.004, provider.name() + ": " + Arrays.toString(counts));
    }

    @ParameterizedTest
    @MethodSource("providers")
    void backendsThatBecameUsableTogetherKeepTheirShares(PickerProvider provider) {
        FakeClock clock = new FakeClock();
        CountingTicker ticker = new CountingTicker(clock);
        List<FakeBackend> backends = numbered(4);
        backends.forEach(b -> b.usableSince(clock.read()));
        Picker picker = provider.create(context(provider, backends, 5, ticker, RAMP, null));
        int readsAtCreation = ticker.reads.get();
        long[] counts = countIdle(picker, backends, 100_000);
        for (long c : counts) {
            assertEquals(0.25, c / 100_000.0, 0.01, provider.name() + ": " + Arrays.toString(counts));
        }
        if (!provider.name().equals(PeakEwmaPickerProvider.NAME)) { // peak_ewma reads the ticker for its decay anyway
            assertEquals(readsAtCreation, ticker.reads.get(), provider.name() + " read the ticker without a ramp");
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void theTickerIsNoLongerReadOnceTheRampIsOver(PickerProvider provider) {
        FakeClock clock = new FakeClock();
        CountingTicker ticker = new CountingTicker(clock);
        List<FakeBackend> backends = numbered(3);
        backends.forEach(b -> b.usableSince(clock.read()));
        backends.get(0).usableSince(clock.read() - Duration.ofSeconds(30).toNanos());
        Picker picker = provider.create(context(provider, backends, 5, ticker, RAMP, null));
        int before = ticker.reads.get();
        picker.pick(null);
        assertTrue(ticker.reads.get() > before, provider.name() + " did not read the ticker while a backend ramps");
        clock.advance(Duration.ofSeconds(100));
        picker.pick(null); // sees the end of the ramp
        int after = ticker.reads.get();
        countIdle(picker, backends, 1000);
        int expected = provider.name().equals(PeakEwmaPickerProvider.NAME) ? after + 1000 : after;
        assertEquals(expected, ticker.reads.get(), provider.name());
    }

    @ParameterizedTest
    @MethodSource("providers")
    void withoutAWindowNewBackendsGetTheirFullShareAtOnce(PickerProvider provider) {
        FakeClock clock = new FakeClock();
        List<FakeBackend> backends = numbered(2);
        backends.get(0).usableSince(clock.read() - Duration.ofHours(1).toNanos());
        backends.get(1).usableSince(clock.read());
        Picker picker = provider.create(context(provider, backends, 5, clock, Map.of(), null));
        long[] counts = countIdle(picker, backends, 100_000);
        assertEquals(0.5, counts[1] / 100_000.0, 0.01, provider.name() + ": " + Arrays.toString(counts));
    }

    @Test
    void aMinimumWithoutAWindowIsRejectedNamingBothOptions() {
        for (PickerProvider provider : providers()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> context(provider, numbered(2), 1, () -> 0L, Map.of("slow_start_min_percent", "20"), null));
            assertTrue(e.getMessage().contains("fairway.picker.slow_start_min_percent = 20")
                    && e.getMessage().contains("slow_start_window"), e.getMessage());
            context(provider, numbered(2), 1, () -> 0L, Map.of("slow_start_min_percent", "20", "slow_start_window", "1m"), null);
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                    () -> context(provider, numbered(2), 1, () -> 0L, Map.of("slow_start_min_percent", "0", "slow_start_window", "1m"), null));
            assertTrue(range.getMessage().contains("fairway.picker.slow_start_min_percent"), range.getMessage());
        }
    }
}
