package dev.fairway.health.internal;

import dev.fairway.health.internal.Checks.Report;
import dev.fairway.health.internal.Checks.Reports;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.HealthCheck;
import dev.fairway.spi.HealthState;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeBackend;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code tcp} check against real listening, closed and overloaded sockets on loopback addresses. */
class TcpHealthCheckTest {

    private static final Duration TEN_S = Duration.ofSeconds(10);

    private final FakeClock clock = new FakeClock();
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger executed = new AtomicInteger();
    private final Executor executor = task -> {
        executed.incrementAndGet();
        pool.execute(task);
    };
    private final Reports reports = new Reports();
    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();

    @AfterEach
    void tearDown() throws Exception {
        Checks.closeAll(cleanup, pool);
    }

    private HealthCheck start(InetSocketAddress backend, Map<String, Object> raw) {
        TcpHealthCheckProvider provider = new TcpHealthCheckProvider();
        Map<String, Object> options = new HashMap<>(Map.of("jitter", "0", "idle_interval", "1h", "timeout", "8s"));
        options.putAll(raw);
        HttpClient unused = HttpClient.newHttpClient();
        cleanup.push(unused::shutdownNow);
        HealthCheck check = provider.create(Checks.context(new Target("http", "orders.fairway.test", backend.getPort()),
                new FakeBackend(BackendAddress.of(backend.getAddress(), backend.getPort())), Checks.options(provider, options),
                clock, executor, unused));
        cleanup.push(check::close);
        check.start(reports);
        return check;
    }

    private ServerSocket listen(String ip, int port, int backlog) throws IOException {
        ServerSocket s = new ServerSocket(port, backlog, InetAddress.getByName(ip));
        cleanup.push(s);
        return s;
    }

    @Test
    void aListenerThatGoesAwayAndComesBack() throws Exception {
        ServerSocket server = listen("127.0.0.4", 0, 50);
        int port = server.getLocalPort();
        InetSocketAddress address = new InetSocketAddress("127.0.0.4", port);
        HealthCheck check = start(address, Map.of());
        String probe = "TCP connect to 127.0.0.4:" + port;

        clock.runDueTasks();
        assertEquals(new Report(HealthState.HEALTHY, probe + " succeeded"), reports.next());
        Checks.awaitProbes(check, 1); // the next timer is set once the result has been handled

        server.close();
        for (int n = 2; n <= 4; n++) {
            clock.advance(TEN_S);
            Checks.awaitProbes(check, n);
        }
        assertEquals(new Report(HealthState.UNHEALTHY, probe + " refused (3 failures in a row)"), reports.take());

        listen("127.0.0.4", port, 50);
        clock.advance(TEN_S);
        Checks.awaitProbes(check, 5);
        reports.assertNoneWaiting();
        clock.advance(TEN_S);
        Checks.awaitProbes(check, 6);
        assertEquals(new Report(HealthState.HEALTHY, probe + " succeeded (2 successes in a row)"), reports.take());
        assertEquals(6, executed.get(), "every connect ran on the executor, none on the thread that runs the timers");
    }

    @Test
    void aConnectThatIsNeverAcceptedTimesOut() throws Exception {
        ServerSocket full = listen("127.0.0.5", 0, 1); // never accepts; once its queue is full, the kernel drops SYNs
        boolean filled = false;
        for (int i = 0; i < 16 && !filled; i++) {
            Socket filler = new Socket();
            cleanup.push(filler);
            try {
                filler.connect(full.getLocalSocketAddress(), 300);
            } catch (SocketTimeoutException e) {
                filled = true;
            }
        }
        assertTrue(filled, "could not fill the accept queue of a listener with backlog 1; the kernel accepts more than expected");

        start(new InetSocketAddress("127.0.0.5", full.getLocalPort()), Map.of("timeout", "300ms", "unhealthy_threshold", 1));
        clock.runDueTasks(); // the fake clock stays put: the socket's own connect timeout fires
        assertEquals(new Report(HealthState.UNHEALTHY, "TCP connect to 127.0.0.5:" + full.getLocalPort()
                + " timed out after 300ms (1 failure in a row)"), reports.next());
    }
}
