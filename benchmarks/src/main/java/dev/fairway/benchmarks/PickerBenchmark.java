package dev.fairway.benchmarks;

import dev.fairway.spi.Backend;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.PickerProvider;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeBackend;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one {@link Picker#pick} for each picker found through {@link ServiceLoader}, by number of backends,
 * against two naive baselines that a user might write instead.
 *
 * <p>Each picker is built once per trial over {@code n} fake backends with its default options, the way Fairway
 * builds it, in one of three {@code mode}s: {@code equal} (weight 1 everywhere, nothing ramping: the common case),
 * {@code weighted} (weights 1 to 10 in turn) and {@code ramping} (equal weights, a {@code slow_start_window} of one
 * hour, and every tenth backend usable since the start of the trial, so that the ramp is computed on every pick;
 * pickers without slow start run as in {@code equal}). Backend loads are fixed per trial (0 to 3 in flight, in turn),
 * so that the least-loaded pickers compare real numbers. State is {@link Scope#Benchmark}, so with {@code -t 2} (or
 * more) the threads share one picker and its counters, as the requests of one client do; the baselines are shared the
 * same way. {@link #pickAndComplete} adds the {@link Picker#completed} call that Fairway makes once per exchange
 * (only {@code peak_ewma} does work there).
 *
 * <p>Run with {@code java -jar benchmarks/target/benchmarks.jar 'PickerBenchmark.pick$' -prof gc}; see the
 * module's README and {@code docs/benchmarks.md} for the commands behind the published figures.
 * {@code gc.alloc.rate.norm} should be about 0 B/op for every picker.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
public class PickerBenchmark {

    static final Target TARGET = Target.of(URI.create("http://orders.example/"));

    /** The request handed to every pick; the built-in pickers ignore it. */
    static final HttpRequest REQUEST = HttpRequest.newBuilder(URI.create("http://orders.example/orders/42")).build();

    /** A fixed per-client seed, so that runs are comparable. */
    static final long SEED = 42L;

    /** A picker of every provider name by every backend count. */
    @State(Scope.Benchmark)
    public static class PickerState {

        /** The provider's name, as users select it. */
        @Param({"round_robin", "random", "weighted_round_robin", "least_conn", "least_loaded", "peak_ewma"})
        public String picker;

        /** The number of usable backends. */
        @Param({"1", "10", "100", "1000", "10000"})
        public int backends;

        /** {@code equal}, {@code weighted} or {@code ramping}. */
        @Param({"equal"})
        public String mode;

        Picker instance;

        @Setup
        public void setUp() {
            PickerProvider provider = provider(picker);
            long now = System.nanoTime();
            List<Backend> list = new ArrayList<>(backends);
            for (int i = 0; i < backends; i++) {
                FakeBackend b = mode.equals("weighted")
                        ? new FakeBackend(new BackendAddress(FakeBackend.numbered(i).address().socketAddress(), 1 + i % 10, Map.of()))
                        : FakeBackend.numbered(i);
                b.inFlight(i % 4);
                b.usableSince(mode.equals("ramping") && i % 10 == 0 ? now : now - TimeUnit.HOURS.toNanos(2));
                list.add(b);
            }
            Map<String, Object> options = new HashMap<>();
            boolean slowStart = provider.options().stream().anyMatch(o -> o.key().equals("slow_start_window"));
            if (mode.equals("ramping") && slowStart) {
                options.put("slow_start_window", "1h");
            } else if (!mode.equals("equal") && !mode.equals("weighted") && !mode.equals("ramping")) {
                throw new IllegalArgumentException("mode '" + mode + "' is not known: use equal, weighted or ramping");
            }
            OptionValues values = OptionValues.of("fairway.picker.", provider.options(), options);
            instance = provider.create(new PickerContext(TARGET, List.copyOf(list), values, System::nanoTime, SEED,
                    Optional.empty()));
        }
    }

    /** The same backends for the baselines, which do not depend on the picker name. */
    @State(Scope.Benchmark)
    public static class BaselineState {

        /** The number of usable backends. */
        @Param({"1", "10", "100", "1000", "10000"})
        public int backends;

        List<Backend> list;
        private int next;

        @Setup
        public void setUp() {
            list = numbered(backends);
            next = 0;
        }

        /** A round-robin counter as one might first write it: a lock around an int. */
        synchronized int nextIndex() {
            int i = next;
            next = i + 1 == list.size() ? 0 : i + 1;
            return i;
        }
    }

    /**
     * One pick by the picker under test.
     *
     * @param state the picker
     * @return the picked backend, consumed by JMH
     */
    @Benchmark
    public Backend pick(PickerState state) {
        return state.instance.pick(REQUEST);
    }

    /**
     * One pick and the outcome report Fairway sends the picker when the response headers arrive.
     *
     * @param state the picker
     * @return the picked backend, consumed by JMH
     */
    @Benchmark
    public Backend pickAndComplete(PickerState state) {
        Backend b = state.instance.pick(REQUEST);
        state.instance.completed(b, 1_000_000L, true);
        return b;
    }

    /**
     * Baseline: a {@link ThreadLocalRandom} index into a {@link List}.
     *
     * @param state the backends
     * @return a backend, consumed by JMH
     */
    @Benchmark
    public Backend baselineRandomIndex(BaselineState state) {
        List<Backend> list = state.list;
        return list.get(ThreadLocalRandom.current().nextInt(list.size()));
    }

    /**
     * Baseline: a synchronized counter modulo the number of backends.
     *
     * @param state the backends
     * @return a backend, consumed by JMH
     */
    @Benchmark
    public Backend baselineSynchronizedCounter(BaselineState state) {
        return state.list.get(state.nextIndex());
    }

    /** Backends {@code 10.0.x.y:8080} numbered 0 to {@code n - 1}. */
    static List<Backend> numbered(int n) {
        List<Backend> backends = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            backends.add(FakeBackend.numbered(i));
        }
        return List.copyOf(backends);
    }

    /**
     * The available provider of {@code name} with the highest priority, as Fairway's registry selects it.
     *
     * @throws IllegalStateException naming the providers found, if none is called {@code name}
     */
    static PickerProvider provider(String name) {
        List<PickerProvider> found = new ArrayList<>();
        ServiceLoader.load(PickerProvider.class).forEach(found::add);
        return found.stream()
                .filter(p -> p.name().equals(name) && p.isAvailable())
                .max(Comparator.comparingInt(PickerProvider::priority))
                .orElseThrow(() -> {
                    TreeSet<String> names = new TreeSet<>();
                    found.forEach(p -> names.add(p.name()));
                    return new IllegalStateException("no available picker provider named '" + name + "' on the class path; found "
                            + names + ": build benchmarks.jar with the provider modules as dependencies");
                });
    }
}
