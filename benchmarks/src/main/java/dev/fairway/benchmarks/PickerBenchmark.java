package dev.fairway.benchmarks;

import dev.fairway.spi.Backend;
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
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one {@link Picker#pick} for each picker found through {@link ServiceLoader}, by number of backends,
 * against two naive baselines that a user might write instead.
 *
 * <p>Each picker is built once per trial over {@code FakeBackend.numbered(0..n-1)} with its default options, the
 * way Fairway builds it. State is {@link Scope#Benchmark}, so with {@code -t 2} (or more) the threads share one
 * picker and its counter, as the requests of one client do; the baselines are shared the same way.
 *
 * <p>Run with {@code java -jar benchmarks/target/benchmarks.jar PickerBenchmark -prof gc}; see the module's
 * README for the full command. {@code gc.alloc.rate.norm} should be about 0 B/op for every picker.
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
        @Param({"round_robin", "random"})
        public String picker;

        /** The number of usable backends. */
        @Param({"1", "10", "100", "1000", "10000"})
        public int backends;

        Picker instance;

        @Setup
        public void setUp() {
            PickerProvider provider = provider(picker);
            instance = provider.create(new PickerContext(TARGET, numbered(backends),
                    OptionValues.defaults(provider.options()), System::nanoTime, SEED, Optional.empty()));
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
