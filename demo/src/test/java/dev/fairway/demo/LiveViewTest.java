package dev.fairway.demo;

import dev.fairway.BackendSnapshot;
import dev.fairway.TargetSnapshot;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.HealthState;
import dev.fairway.spi.Target;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveViewTest {

    private static final String ESC = "\u001b";

    private static BackendAddress address(String ip, int port, String replica) throws UnknownHostException {
        return new BackendAddress(new InetSocketAddress(InetAddress.getByName(ip), port), 1,
                replica == null ? Map.of() : Map.of(BackendAddress.REPLICA, replica));
    }

    private static BackendSnapshot backend(BackendAddress address, HealthState health, boolean ejected, int inFlight,
                                           long requests, int leaves, Duration age) {
        return new BackendSnapshot(address, health, ejected, inFlight, 0, 100, requests, 0, 0, leaves, Optional.ofNullable(age));
    }

    /** Backends in the engine's (shuffled) order: 127.0.0.10, 127.0.0.9, 127.0.0.2. */
    private static TargetSnapshot target() throws UnknownHostException {
        return new TargetSnapshot(new Target("http", "orders.test", 8080), List.of(
                backend(address("127.0.0.10", 8080, null), HealthState.HEALTHY, false, 3, 1234, 1, Duration.ofMillis(400)),
                backend(address("127.0.0.9", 8080, null), HealthState.UNHEALTHY, true, 0, 12, 0, null),
                backend(address("127.0.0.2", 8080, null), HealthState.UNKNOWN, false, 16, 98_765_432, 2, Duration.ofSeconds(125))),
                3, 7, Optional.of(Duration.ofSeconds(1)), Optional.empty());
    }

    @Test
    void oneLinePerBackendOrderedByAddressWithHealthEjectionLoadAndLeaves() throws UnknownHostException {
        assertEquals(List.of(
                "live +2.0s  3 leaves open, 7 recycled, 19 in flight  orders.test:8080",
                "live backend              health    ejected in flight requests leaves leaf age",
                "live 127.0.0.2:8080       UNKNOWN   -              16 98765432      2     125s",
                "live 127.0.0.9:8080       UNHEALTHY ejected         0       12      0        -",
                "live 127.0.0.10:8080      HEALTHY   -               3     1234      1     0.4s"),
                LiveView.lines(List.of(target()), Duration.ofMillis(2_040), true));
    }

    @Test
    void withoutHeaderAndWithoutTargetsTheFrameIsShorter() throws UnknownHostException {
        List<String> lines = LiveView.lines(List.of(target()), Duration.ofSeconds(3), false);
        assertEquals(4, lines.size());
        assertEquals("live +3.0s  3 leaves open, 7 recycled, 19 in flight  orders.test:8080", lines.get(0));
        assertEquals(List.of(), LiveView.lines(List.of(), Duration.ZERO, true));
    }

    @Test
    void copiesOfOneVirtualIpAreNamedByReplicaAndSortedAfterThePlainAddress() throws UnknownHostException {
        TargetSnapshot vip = new TargetSnapshot(new Target("http", "vip.test", 80), List.of(
                backend(address("127.0.0.20", 80, "2"), HealthState.UNKNOWN, false, 0, 5, 1, Duration.ofMillis(50)),
                backend(address("127.0.0.20", 80, null), HealthState.UNKNOWN, false, 1, 6, 1, Duration.ofMillis(50)),
                backend(address("127.0.0.20", 80, "10"), HealthState.UNKNOWN, false, 0, 5, 1, Duration.ofMillis(50)),
                backend(address("127.0.0.20", 80, "1"), HealthState.UNKNOWN, false, 0, 5, 2, Duration.ofMillis(50))),
                5, 0, Optional.empty(), Optional.of("cannot resolve vip.test: UnknownHostException"));
        List<String> lines = LiveView.lines(List.of(vip), Duration.ZERO, false);
        assertEquals("live +0.0s  5 leaves open, 0 recycled, 1 in flight  vip.test:80  resolver: cannot resolve vip.test:"
                + " UnknownHostException", lines.get(0));
        assertEquals(List.of("127.0.0.20:80", "127.0.0.20:80 #1", "127.0.0.20:80 #2", "127.0.0.20:80 #10"),
                lines.subList(1, 5).stream().map(l -> l.substring(5, 25).strip()).toList());
    }

    @Test
    void backendLinesFitAnEightyColumnTerminal() throws UnknownHostException {
        assertTrue(LiveView.HEADER.length() <= LiveView.WIDTH, LiveView.HEADER);
        for (String line : LiveView.lines(List.of(target()), Duration.ofSeconds(100_000), true)) {
            assertTrue(line.length() <= LiveView.WIDTH, line);
        }
    }

    @Test
    void appendedFramesArePlainLines() {
        assertEquals("a\nb\n", LiveView.frame(List.of("a", "b"), 7, false));
    }

    @Test
    void terminalFramesMoveUpOverThePreviousFrameRewriteEachLineAndEraseTheRest() {
        assertEquals("\r" + ESC + "[2Ka\n\r" + ESC + "[2Kb\n" + ESC + "[J", LiveView.frame(List.of("a", "b"), 0, true));
        assertEquals(ESC + "[3A\r" + ESC + "[2Ka\n" + ESC + "[J", LiveView.frame(List.of("a"), 3, true));
        String wide = "x".repeat(LiveView.WIDTH + 10);
        assertEquals("\r" + ESC + "[2K" + "x".repeat(LiveView.WIDTH) + "\n" + ESC + "[J", LiveView.frame(List.of(wide), 0, true));
    }

    @Test
    void aMessageInATerminalReplacesTheFrameWhichIsDrawnAgainBelowIt() {
        assertEquals(ESC + "[2A\r" + ESC + "[Jmessage\n\r" + ESC + "[2Kc\n" + ESC + "[J",
                LiveView.above("message", 2, List.of("c")));
    }

    @Test
    void secondsHaveTenthsBelowOneHundred() {
        assertEquals("0.0s", LiveView.seconds(Duration.ZERO, ""));
        assertEquals("+12.3s", LiveView.seconds(Duration.ofMillis(12_340), "+"));
        assertEquals("99.9s", LiveView.seconds(Duration.ofMillis(99_949), ""));
        assertEquals("125s", LiveView.seconds(Duration.ofMillis(125_900), ""));
    }

    @Test
    void closingDrawsTheLastFrameOnceAndMessagesPassThrough() throws UnknownHostException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TargetSnapshot target = target();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            LiveView view = LiveView.start(() -> List.of(target), out, false, true, Duration.ofHours(1));
            view.println("hello");
            view.close();
            view.println("after");
        }
        List<String> printed = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(7, printed.size(), String.join("\n", printed));
        assertEquals("hello", printed.get(0));
        assertTrue(printed.get(1).startsWith("live +"), printed.get(1));
        assertEquals(LiveView.HEADER, printed.get(2));
        assertEquals("after", printed.get(6));
    }

    @Test
    void aQuietViewPrintsOnlyMessages() throws UnknownHostException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TargetSnapshot target = target();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            LiveView view = LiveView.start(() -> List.of(target), out, true, false, Duration.ofHours(1));
            view.println("only this");
            view.close();
        }
        assertEquals("only this" + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8));
    }
}
