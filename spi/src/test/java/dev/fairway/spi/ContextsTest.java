package dev.fairway.spi;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContextsTest {

    private static final Target TARGET = Target.of(URI.create("http://orders.example/"));
    private static final OptionValues OPTIONS = OptionValues.defaults(List.of());
    private static final Ticker TICKER = () -> 0L;
    private static final Scheduler SCHEDULER = (task, delay) -> CompletableFuture.completedFuture(null);
    private static final Executor EXECUTOR = Runnable::run;

    private record TestBackend(BackendAddress address) implements Backend {
        TestBackend(int last) {
            this(BackendAddress.of(InetAddress.getLoopbackAddress(), 8000 + last));
        }

        @Override
        public int inFlight() {
            return 0;
        }

        @Override
        public HealthState health() {
            return HealthState.UNKNOWN;
        }

        @Override
        public long usableSince() {
            return 0;
        }

        @Override
        public long lastRequestSent() {
            return 0;
        }
    }

    // ---- PickerContext

    @Test
    void pickerContextKeepsItsComponents() {
        Picker previous = request -> null;
        List<Backend> backends = List.of(new TestBackend(1), new TestBackend(2));
        PickerContext context = new PickerContext(TARGET, backends, OPTIONS, TICKER, 7L, Optional.of(previous));
        assertEquals(TARGET, context.target());
        assertEquals(backends, context.backends());
        assertSame(OPTIONS, context.options());
        assertSame(TICKER, context.ticker());
        assertEquals(7L, context.seed());
        assertSame(previous, context.previous().orElseThrow());
    }

    @Test
    void pickerContextCopiesTheBackends() {
        Backend first = new TestBackend(1);
        List<Backend> backends = new ArrayList<>(List.of(first));
        PickerContext context = new PickerContext(TARGET, backends, OPTIONS, TICKER, 1L, Optional.empty());
        backends.add(new TestBackend(2));
        backends.set(0, new TestBackend(3));
        assertEquals(1, context.backends().size());
        assertSame(first, context.backends().get(0));
        assertThrows(UnsupportedOperationException.class, () -> context.backends().add(new TestBackend(4)));
    }

    @Test
    void pickerContextRejectsNoBackendsNamingTheTarget() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PickerContext(TARGET, List.of(), OPTIONS, TICKER, 1L, Optional.empty()));
        assertTrue(e.getMessage().contains("http://orders.example:80"), e.getMessage());
    }

    @Test
    void pickerContextRejectsNulls() {
        List<Backend> backends = List.of(new TestBackend(1));
        assertEquals("target", assertThrows(NullPointerException.class,
                () -> new PickerContext(null, backends, OPTIONS, TICKER, 1L, Optional.empty())).getMessage());
        assertThrows(NullPointerException.class, () -> new PickerContext(TARGET, null, OPTIONS, TICKER, 1L, Optional.empty()));
        assertThrows(NullPointerException.class,
                () -> new PickerContext(TARGET, Arrays.asList(new TestBackend(1), null), OPTIONS, TICKER, 1L, Optional.empty()));
        assertEquals("options", assertThrows(NullPointerException.class,
                () -> new PickerContext(TARGET, backends, null, TICKER, 1L, Optional.empty())).getMessage());
        assertEquals("previous", assertThrows(NullPointerException.class,
                () -> new PickerContext(TARGET, backends, OPTIONS, TICKER, 1L, null)).getMessage());
    }

    // ---- ResolverContext

    @Test
    void resolverContextKeepsItsComponentsAndRejectsNulls() {
        ResolverContext context = new ResolverContext(TARGET, OPTIONS, TICKER, SCHEDULER, EXECUTOR, 9L);
        assertSame(TICKER, context.ticker());
        assertSame(SCHEDULER, context.scheduler());
        assertSame(EXECUTOR, context.executor());
        assertEquals(9L, context.seed());
        assertEquals("target", assertThrows(NullPointerException.class,
                () -> new ResolverContext(null, OPTIONS, TICKER, SCHEDULER, EXECUTOR, 1L)).getMessage());
        assertEquals("options", assertThrows(NullPointerException.class,
                () -> new ResolverContext(TARGET, null, TICKER, SCHEDULER, EXECUTOR, 1L)).getMessage());
        assertEquals("ticker", assertThrows(NullPointerException.class,
                () -> new ResolverContext(TARGET, OPTIONS, null, SCHEDULER, EXECUTOR, 1L)).getMessage());
        assertEquals("scheduler", assertThrows(NullPointerException.class,
                () -> new ResolverContext(TARGET, OPTIONS, TICKER, null, EXECUTOR, 1L)).getMessage());
        assertEquals("executor", assertThrows(NullPointerException.class,
                () -> new ResolverContext(TARGET, OPTIONS, TICKER, SCHEDULER, null, 1L)).getMessage());
    }

    // ---- HealthCheckContext

    @Test
    void healthCheckContextKeepsItsComponentsAndRejectsNulls() {
        TestBackend address = new TestBackend(80);
        try (HttpClient client = HttpClient.newHttpClient()) {
            HealthCheckContext context = new HealthCheckContext(TARGET, address, OPTIONS, TICKER, SCHEDULER, EXECUTOR, client, 5L);
            assertSame(client, context.client());
            assertEquals(address, context.backend());
            assertEquals(address.address(), context.address());
            assertEquals(5L, context.seed());
            assertEquals("target", assertThrows(NullPointerException.class,
                    () -> new HealthCheckContext(null, address, OPTIONS, TICKER, SCHEDULER, EXECUTOR, client, 1L)).getMessage());
            assertEquals("backend", assertThrows(NullPointerException.class,
                    () -> new HealthCheckContext(TARGET, null, OPTIONS, TICKER, SCHEDULER, EXECUTOR, client, 1L)).getMessage());
            assertEquals("options", assertThrows(NullPointerException.class,
                    () -> new HealthCheckContext(TARGET, address, null, TICKER, SCHEDULER, EXECUTOR, client, 1L)).getMessage());
            assertEquals("ticker", assertThrows(NullPointerException.class,
                    () -> new HealthCheckContext(TARGET, address, OPTIONS, null, SCHEDULER, EXECUTOR, client, 1L)).getMessage());
            assertEquals("scheduler", assertThrows(NullPointerException.class,
                    () -> new HealthCheckContext(TARGET, address, OPTIONS, TICKER, null, EXECUTOR, client, 1L)).getMessage());
            assertEquals("executor", assertThrows(NullPointerException.class,
                    () -> new HealthCheckContext(TARGET, address, OPTIONS, TICKER, SCHEDULER, null, client, 1L)).getMessage());
            assertEquals("client", assertThrows(NullPointerException.class,
                    () -> new HealthCheckContext(TARGET, address, OPTIONS, TICKER, SCHEDULER, EXECUTOR, null, 1L)).getMessage());
        }
    }

    // ---- LifetimePolicyContext

    @Test
    void lifetimePolicyContextRejectsNulls() {
        assertEquals(3L, new LifetimePolicyContext(TARGET, OPTIONS, 3L).seed());
        assertEquals("target", assertThrows(NullPointerException.class,
                () -> new LifetimePolicyContext(null, OPTIONS, 1L)).getMessage());
        assertEquals("options", assertThrows(NullPointerException.class,
                () -> new LifetimePolicyContext(TARGET, null, 1L)).getMessage());
    }
}
