package dev.fairway.demo;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class L4ProxyTest {

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<ServerSocket> servers = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (ServerSocket server : servers) {
            server.close();
        }
        threads.shutdownNow();
    }

    @Test
    void roundRobinVisitsEveryIndexInTurn() {
        L4Proxy.RoundRobin three = new L4Proxy.RoundRobin(3);
        List<Integer> picks = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            picks.add(three.next());
        }
        assertEquals(List.of(0, 1, 2, 0, 1, 2, 0), picks);
        L4Proxy.RoundRobin one = new L4Proxy.RoundRobin(1);
        assertEquals(0, one.next());
        assertEquals(0, one.next());
        assertThrows(IllegalArgumentException.class, () -> new L4Proxy.RoundRobin(0));
    }

    /** {@code threadCount} threads released together each draw {@code calls} indexes from 0 to 3; the counts per index. */
    private AtomicIntegerArray countBehindAGate(int threadCount, int calls, java.util.function.IntSupplier next) throws Exception {
        AtomicIntegerArray counts = new AtomicIntegerArray(4);
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            done.add(threads.submit(() -> {
                gate.await();
                for (int i = 0; i < calls; i++) {
                    counts.incrementAndGet(next.getAsInt());
                }
                return null;
            }));
        }
        gate.countDown();
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        return counts;
    }

    @Test
    void roundRobinStaysExactUnderContention() throws Exception {
        int threadCount = 8;
        int calls = 10_000;
        L4Proxy.RoundRobin four = new L4Proxy.RoundRobin(4);
        AtomicIntegerArray counts = countBehindAGate(threadCount, calls, four::next);
        for (int i = 0; i < 4; i++) {
            assertEquals(threadCount * calls / 4, counts.get(i), "index " + i);
        }
    }

    @Test
    void uniformIsUnbiasedButNotEvenAndRepeatsItsSeed() {
        int draws = 40_000;
        L4Proxy.Uniform four = new L4Proxy.Uniform(4, 42);
        int[] counts = new int[4];
        int repeats = 0;
        int previous = -1;
        List<Integer> first = new ArrayList<>();
        for (int i = 0; i < draws; i++) {
            int index = four.next();
            counts[index]++;
            repeats += index == previous ? 1 : 0;
            previous = index;
            if (i < 20) {
                first.add(index);
            }
        }
        for (int i = 0; i < 4; i++) {
            // binomial(40,000, 1/4): standard deviation 87; 5 deviations from 10,000 would mean a biased generator
            assertTrue(Math.abs(counts[i] - draws / 4) < 5 * 87, "index " + i + " drawn " + counts[i] + " times of " + draws);
        }
        assertNotEquals(List.of(counts[0], counts[0], counts[0], counts[0]), List.of(counts[0], counts[1], counts[2], counts[3]),
                "independent draws do not come out exactly even");
        // independent draws repeat the previous index a quarter of the time; round robin never does
        assertTrue(Math.abs(repeats - draws / 4) < 5 * 87, repeats + " repeats in " + draws + " draws");
        L4Proxy.Uniform again = new L4Proxy.Uniform(4, 42);
        L4Proxy.Uniform other = new L4Proxy.Uniform(4, 43);
        List<Integer> same = new ArrayList<>();
        List<Integer> different = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            same.add(again.next());
            different.add(other.next());
        }
        assertEquals(first, same, "one seed, one sequence");
        assertNotEquals(first, different, "another seed, another sequence");
        assertEquals(0, new L4Proxy.Uniform(1, 7).next());
        assertThrows(IllegalArgumentException.class, () -> new L4Proxy.Uniform(0, 7));
    }

    @Test
    void uniformHandsOutEachDrawOnceUnderContention() throws Exception {
        int threadCount = 8;
        int calls = 10_000;
        L4Proxy.Uniform shared = new L4Proxy.Uniform(4, 99);
        AtomicIntegerArray counts = countBehindAGate(threadCount, calls, shared::next);
        // the same draws as one thread making all the calls: none lost or repeated by a race
        L4Proxy.Uniform alone = new L4Proxy.Uniform(4, 99);
        int[] expected = new int[4];
        for (int i = 0; i < threadCount * calls; i++) {
            expected[alone.next()]++;
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], counts.get(i), "index " + i);
        }
    }

    /** A TCP backend that answers every line with its own address and the line, on the same connection. */
    private InetSocketAddress echo(String ip) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName(ip));
        servers.add(server);
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    threads.execute(() -> {
                        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                             PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.US_ASCII)) {
                            for (String line; (line = in.readLine()) != null; ) {
                                out.println(ip + " " + line);
                            }
                        } catch (IOException ignored) {
                            // the test closed the connection
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final PrintWriter out;

        Client(InetSocketAddress to) throws IOException {
            socket = new Socket();
            socket.connect(to, 5_000);
            socket.setSoTimeout(5_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.US_ASCII);
        }

        String ask(String line) throws IOException {
            out.println(line);
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void byDefaultEachConnectionGoesToARandomBackendAndStaysThere() throws IOException {
        InetSocketAddress a = echo("127.0.0.31");
        InetSocketAddress b = echo("127.0.0.32");
        InetSocketAddress c = echo("127.0.0.33");
        try (L4Proxy proxy = L4Proxy.start(InetAddress.getByName("127.0.0.30"), List.of(a, b, c))) {
            assertEquals(L4Proxy.Mode.RANDOM, proxy.mode(), "kube-proxy's default");
        }
        long seed = 2024;
        int connects = 300;
        List<InetSocketAddress> three = List.of(a, b, c);
        try (L4Proxy proxy = L4Proxy.start(InetAddress.getByName("127.0.0.30"), three, L4Proxy.Mode.RANDOM, seed)) {
            L4Proxy.Uniform expected = new L4Proxy.Uniform(3, seed);
            Map<InetSocketAddress, Long> answered = new HashMap<>(Map.of(a, 0L, b, 0L, c, 0L));
            for (int i = 0; i < connects; i++) {
                InetSocketAddress backend = three.get(expected.next());
                String ip = backend.getAddress().getHostAddress();
                try (Client client = new Client(proxy.address())) {
                    assertEquals(ip + " one", client.ask("one"), "connection " + i + " goes where the seeded sequence says");
                    assertEquals(ip + " two", client.ask("two"), "a kept-alive connection stays on its backend");
                }
                answered.merge(backend, 1L, Long::sum);
            }
            Map<InetSocketAddress, Long> counts = proxy.connections();
            assertEquals(answered, counts, "the proxy counts the connections each backend answered");
            assertEquals(connects, counts.values().stream().mapToLong(Long::longValue).sum());
            assertTrue(counts.values().stream().allMatch(n -> n > 0), "every backend gets connections: " + counts);
            assertNotEquals(1, counts.values().stream().distinct().count(), "random placement is not forced even: " + counts);
            assertEquals(0, proxy.failedConnects());
        }
    }

    @Test
    void inRoundRobinModeEachConnectionGoesToTheNextBackendAndStaysThere() throws IOException {
        InetSocketAddress a = echo("127.0.0.31");
        InetSocketAddress b = echo("127.0.0.32");
        InetSocketAddress c = echo("127.0.0.33");
        try (L4Proxy proxy = L4Proxy.start(InetAddress.getByName("127.0.0.30"), List.of(a, b, c), L4Proxy.Mode.ROUND_ROBIN, 0)) {
            assertEquals("127.0.0.30", proxy.address().getAddress().getHostAddress());
            try (Client first = new Client(proxy.address()); Client second = new Client(proxy.address())) {
                assertEquals("127.0.0.31 one", first.ask("one"));
                assertEquals("127.0.0.32 two", second.ask("two"));
                assertEquals("127.0.0.31 three", first.ask("three"), "a kept-alive connection stays on its backend");
                try (Client third = new Client(proxy.address()); Client fourth = new Client(proxy.address())) {
                    assertEquals("127.0.0.33 x", third.ask("x"));
                    assertEquals("127.0.0.31 y", fourth.ask("y"));
                }
            }
            assertEquals(Map.of(a, 2L, b, 1L, c, 1L), proxy.connections());
            assertEquals(0, proxy.failedConnects());
            proxy.resetCounts();
            assertEquals(Map.of(a, 0L, b, 0L, c, 0L), proxy.connections());
        }
    }

    @Test
    void aBackendThatRefusesClosesTheClientsConnection() throws IOException {
        InetSocketAddress closed;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.34"))) {
            closed = new InetSocketAddress(gone.getInetAddress(), gone.getLocalPort());
        }
        try (L4Proxy proxy = L4Proxy.start(InetAddress.getByName("127.0.0.30"), List.of(closed));
             Client client = new Client(proxy.address())) {
            assertEquals(null, client.ask("anyone?"), "end of stream: the proxy closed the connection");
            assertEquals(1, proxy.failedConnects());
        }
    }
}
