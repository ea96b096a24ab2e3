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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    @Test
    void roundRobinStaysExactUnderContention() throws Exception {
        int threadCount = 8;
        int calls = 10_000;
        L4Proxy.RoundRobin four = new L4Proxy.RoundRobin(4);
        AtomicIntegerArray counts = new AtomicIntegerArray(4);
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            done.add(threads.submit(() -> {
                gate.await();
                for (int i = 0; i < calls; i++) {
                    counts.incrementAndGet(four.next());
                }
                return null;
            }));
        }
        gate.countDown();
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(threadCount * calls / 4, counts.get(i), "index " + i);
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
    void eachConnectionGoesToTheNextBackendAndStaysThere() throws IOException {
        InetSocketAddress a = echo("127.0.0.31");
        InetSocketAddress b = echo("127.0.0.32");
        InetSocketAddress c = echo("127.0.0.33");
        try (L4Proxy proxy = L4Proxy.start(InetAddress.getByName("127.0.0.30"), List.of(a, b, c))) {
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
