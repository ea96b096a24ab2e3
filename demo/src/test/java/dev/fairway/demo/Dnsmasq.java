package dev.fairway.demo;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real DNS server for tests: dnsmasq on 127.0.0.1 and a free high port, authoritative for the zone {@code test}
 * (unknown names there are NXDOMAIN, names without records of a type NODATA), answering from a hosts file and a
 * configuration file in a directory of the test's. Changing the hosts file takes effect by SIGHUP; changing the
 * configuration (SRV and TXT records) by a restart on the same port. Every change waits until the server answers
 * with it, and every wait has a deadline.
 *
 * {@snippet :
 * try (Dnsmasq dns = Dnsmasq.start(tempDir)) {
 *     dns.hosts(Map.of("orders.test", List.of("127.0.0.2", "127.0.0.3")));
 *     // query 127.0.0.1:dns.port()
 * }
 * }
 *
 * <p>When dnsmasq is not installed, {@link #start} fails (never skips) with a message saying how to install it.
 * A copy of {@code resolver-dns}'s test helper of the same name (test classes are not shared between modules).
 */
final class Dnsmasq implements AutoCloseable {

    /** How long a start, a reload or a stop may take. */
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The name whose address tells which version of the hosts file the server answers from. */
    private static final String GENERATION = "generation.test";

    private final Path dir;
    private final Path hostsFile;
    private final Path confFile;
    private final Path log;
    private final Path output;
    private final String binary;
    private final int localTtl;
    private int port;
    private int generation;
    private Process process;
    private final Thread cleanup;

    private Dnsmasq(Path dir, String binary, int localTtl) {
        this.dir = dir;
        this.localTtl = localTtl;
        this.binary = binary;
        this.hostsFile = dir.resolve("hosts");
        this.confFile = dir.resolve("dnsmasq.conf");
        this.log = dir.resolve("queries.log");
        this.output = dir.resolve("dnsmasq.out");
        this.cleanup = new Thread(this::kill, "dnsmasq-cleanup");
    }

    /**
     * Starts dnsmasq with no names but the zone itself.
     *
     * @param dir a directory the test owns (a {@code @TempDir})
     * @return the running server
     * @throws AssertionError if dnsmasq is not installed or does not start
     */
    static Dnsmasq start(Path dir) throws IOException {
        return start(dir, 0);
    }

    /**
     * Starts dnsmasq with no names but the zone itself, answering with {@code ttl} as the TTL of every record (as
     * CoreDNS answers cluster names with 5 s); {@link #start(Path)} answers with TTL 0, dnsmasq's default.
     *
     * @param dir a directory the test owns (a {@code @TempDir})
     * @param ttl the TTL of every answer, in seconds, also for negative answers (their SOA)
     * @return the running server
     * @throws AssertionError if dnsmasq is not installed or does not start
     */
    static Dnsmasq start(Path dir, int ttl) throws IOException {
        Dnsmasq dns = new Dnsmasq(dir, binary(), ttl);
        Files.writeString(dns.confFile, "");
        dns.writeHosts(Map.of());
        Runtime.getRuntime().addShutdownHook(dns.cleanup);
        try {
            dns.launch(0);
        } catch (RuntimeException | Error | IOException e) {
            dns.close();
            throw e;
        }
        return dns;
    }

    /** The installed dnsmasq; fails with installation advice when there is none. */
    static String binary() {
        List<String> candidates = new ArrayList<>(List.of("/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq"));
        for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!p.isEmpty()) {
                candidates.add(p + "/dnsmasq");
            }
        }
        for (String c : candidates) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        throw new AssertionError("dnsmasq is not installed, and these tests run a real DNS server on loopback: install"
                + " it with 'apt-get install dnsmasq-base' (Debian/Ubuntu; it adds /usr/sbin/dnsmasq and no system"
                + " service) and run again. .ci/run installs it when it is missing.");
    }

    /**
     * The port the server listens on, UDP and TCP, at 127.0.0.1.
     *
     * @return the port
     */
    int port() {
        return port;
    }

    /**
     * The server as a {@code name_servers} option value.
     *
     * @return {@code 127.0.0.1:port}
     */
    String server() {
        return "127.0.0.1:" + port;
    }

    /**
     * Replaces the host records (A and AAAA, by the addresses' family) and waits until the server answers from them.
     *
     * @param names name to addresses; a name with an empty list has no address records
     */
    void hosts(Map<String, List<String>> names) throws IOException {
        writeHosts(names);
        signal("HUP");
        awaitGeneration();
    }

    /**
     * Replaces the configuration lines (for example {@code srv-host=...}, {@code txt-record=...}) and restarts the
     * server on the same port, waiting until it answers.
     *
     * @param lines dnsmasq configuration lines
     */
    void configure(List<String> lines) throws IOException {
        Files.write(confFile, lines);
        stop();
        launch(port);
    }

    /** Stops the server (SIGTERM, then SIGKILL after the deadline) and waits until it has exited. */
    void stop() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(DEADLINE_NANOS, TimeUnit.NANOSECONDS)) {
                p.destroyForcibly().waitFor(DEADLINE_NANOS, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts the server again on the same port after {@link #stop()}, waiting until it answers. */
    void restart() throws IOException {
        stop();
        launch(port);
    }

    /**
     * The queries the server has logged, as {@code TYPE name} ({@code A orders.test}), in order, without the
     * helper's own readiness queries.
     *
     * @return the queries
     */
    List<String> queries() throws IOException {
        List<String> queries = new ArrayList<>();
        if (!Files.exists(log)) {
            return queries;
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            int q = line.indexOf(" query[");
            if (q < 0) {
                continue;
            }
            int close = line.indexOf(']', q);
            String type = line.substring(q + " query[".length(), close);
            String name = line.substring(close + 2, line.indexOf(' ', close + 2));
            if (!name.equals(GENERATION)) {
                queries.add(type + " " + name);
            }
        }
        return queries;
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // the JVM is shutting down, or the hook was never added
        }
    }

    private void kill() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    /** Starts dnsmasq on {@code wanted}, or on a free port when 0, and waits until it answers. */
    private void launch(int wanted) throws IOException {
        String failure = "";
        for (int attempt = 0; attempt < (wanted == 0 ? 10 : 3); attempt++) {
            int candidate = wanted != 0 ? wanted : freePort();
            List<String> command = new ArrayList<>(List.of(binary, "--keep-in-foreground", "--no-resolv", "--no-hosts",
                    "--port=" + candidate, "--listen-address=127.0.0.1", "--bind-interfaces",
                    "--addn-hosts=" + hostsFile, "--conf-file=" + confFile, "--local=/test/", "--log-queries",
                    "--log-facility=" + log, "--pid-file=" + dir.resolve("dnsmasq.pid"), "--cache-size=0",
                    "--local-ttl=" + localTtl, "--neg-ttl=" + localTtl));
            if ("root".equals(System.getProperty("user.name"))) {
                command.add("--user=root");              // otherwise it drops to 'nobody', who cannot read our files
                command.add("--group=root");
            }
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile())).start();
            process = p;
            port = candidate;
            if (awaitAnswer(p)) {
                return;
            }
            stop();
            failure = Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8).strip() : "";
        }
        throw new AssertionError("dnsmasq did not start on 127.0.0.1" + (wanted != 0 ? ":" + wanted : "")
                + "; its output: " + failure);
    }

    /** Waits until the running server answers the generation query, or has died; true when it answers. */
    private boolean awaitAnswer(Process p) throws IOException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                return false;
            }
            Optional<InetAddress> answer = queryA(GENERATION, 50);
            if (answer.isPresent() && answer.get().equals(generationAddress(generation))) {
                return true;
            }
        }
        return false;
    }

    private void awaitGeneration() throws IOException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (System.nanoTime() < deadline) {
            Optional<InetAddress> answer = queryA(GENERATION, 50);
            if (answer.isPresent() && answer.get().equals(generationAddress(generation))) {
                return;
            }
        }
        throw new AssertionError("dnsmasq did not reload " + hostsFile + " within 10 s");
    }

    private void writeHosts(Map<String, List<String>> names) throws IOException {
        generation++;
        StringBuilder text = new StringBuilder(generationAddress(generation).getHostAddress() + " " + GENERATION + "\n");
        Map<String, List<String>> sorted = new LinkedHashMap<>(names);
        sorted.forEach((name, ips) -> ips.forEach(ip -> text.append(ip).append(' ').append(name).append('\n')));
        Path tmp = dir.resolve("hosts.tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, hostsFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static InetAddress generationAddress(int generation) throws IOException {
        return InetAddress.getByAddress(new byte[] {10, (byte) 255, (byte) (generation >> 8), (byte) generation});
    }

    private void signal(String signal) throws IOException {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException("dnsmasq is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).redirectErrorStream(true).start();
            if (!kill.waitFor(DEADLINE_NANOS, TimeUnit.NANOSECONDS) || kill.exitValue() != 0) {
                throw new IOException("kill -" + signal + " " + p.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signalling dnsmasq", e);
        }
    }

    private static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            int candidate = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            if (free(candidate)) {
                return candidate;
            }
        }
        throw new IOException("no free port for dnsmasq on 127.0.0.1");
    }

    /** Whether both UDP and TCP {@code port} are free on 127.0.0.1 now. */
    private static boolean free(int port) {
        DatagramSocket udp = null;
        ServerSocket tcp = null;
        try {
            udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", port));
            tcp = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"));
            return true;
        } catch (IOException taken) {
            return false;
        } finally {
            if (udp != null) {
                udp.close();
            }
            if (tcp != null) {
                try {
                    tcp.close();
                } catch (IOException ignored) {
                    // closing a listening socket that accepted nothing
                }
            }
        }
    }

    /**
     * Asks the server for the A record of {@code name} with a raw UDP query.
     *
     * @param name      the name
     * @param timeoutMs how long to wait for the answer
     * @return the first address, if the server answered with one in time
     */
    Optional<InetAddress> queryA(String name, int timeoutMs) throws IOException {
        int id = ThreadLocalRandom.current().nextInt(1 << 16);
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        q.write(id >> 8);
        q.write(id);
        q.writeBytes(new byte[] {1, 0, 0, 1, 0, 0, 0, 0, 0, 0});   // recursion desired, one question
        for (String label : name.toLowerCase(Locale.ROOT).split("\\.")) {
            q.write(label.length());
            q.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        q.writeBytes(new byte[] {0, 0, 1, 0, 1});                   // root, type A, class IN
        byte[] query = q.toByteArray();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(timeoutMs);
            socket.send(new DatagramPacket(query, query.length, new InetSocketAddress("127.0.0.1", port)));
            byte[] buffer = new byte[512];
            DatagramPacket response = new DatagramPacket(buffer, buffer.length);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (System.nanoTime() < deadline) {
                socket.receive(response);
                if (response.getLength() >= 12 && ((buffer[0] & 0xFF) << 8 | buffer[1] & 0xFF) == id) {
                    return firstA(buffer, response.getLength(), query.length);
                }
            }
            return Optional.empty();
        } catch (SocketTimeoutException | java.net.PortUnreachableException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("refused")) {
                return Optional.empty();                              // ICMP port unreachable, reported on Linux
            }
            throw new UncheckedIOException(e);
        }
    }

    /** The first A record of a response whose question section ends at {@code offset}. */
    private static Optional<InetAddress> firstA(byte[] m, int length, int offset) throws IOException {
        int answers = (m[6] & 0xFF) << 8 | m[7] & 0xFF;
        int i = offset;
        for (int a = 0; a < answers && i + 12 <= length; a++) {
            i = (m[i] & 0xC0) == 0xC0 ? i + 2 : skipName(m, i);
            int type = (m[i] & 0xFF) << 8 | m[i + 1] & 0xFF;
            int rdLength = (m[i + 8] & 0xFF) << 8 | m[i + 9] & 0xFF;
            i += 10;
            if (type == 1 && rdLength == 4) {
                return Optional.of(InetAddress.getByAddress(java.util.Arrays.copyOfRange(m, i, i + 4)));
            }
            i += rdLength;
        }
        return Optional.empty();
    }

    private static int skipName(byte[] m, int i) {
        while (m[i] != 0) {
            if ((m[i] & 0xC0) == 0xC0) {
                return i + 2;
            }
            i += (m[i] & 0xFF) + 1;
        }
        return i + 1;
    }

    @Override
    public String toString() {
        return "dnsmasq on " + server();
    }
}
