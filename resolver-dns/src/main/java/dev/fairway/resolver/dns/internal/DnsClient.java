package dev.fairway.resolver.dns.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static dev.fairway.resolver.dns.internal.DnsMessage.FORMERR;
import static dev.fairway.resolver.dns.internal.DnsMessage.NOTIMP;
import static dev.fairway.resolver.dns.internal.DnsMessage.REFUSED;
import static dev.fairway.resolver.dns.internal.DnsMessage.SERVFAIL;

/**
 * Sends one question to name servers and returns the first usable response: the smallest stub-resolver transport
 * the JDK allows, in the manner of glibc's {@code res_send}.
 *
 * <ul>
 * <li>UDP first, from a fresh socket on a random source port, connected to the server (the kernel then drops
 *     datagrams from anyone else), with a random message id from {@link SecureRandom}; a response counts only when
 *     its id and question match the query (RFC 5452), anything else is ignored while the wait lasts.</li>
 * <li>The query announces a {@value DnsMessage#UDP_PAYLOAD}-byte UDP payload with EDNS (RFC 6891); a server that
 *     answers FORMERR to that is asked again without it. A truncated response (TC bit) is asked again over TCP,
 *     whose messages are at most 65,535 bytes.</li>
 * <li>Servers are tried in order (from a rotating start with {@code rotate}), the first round waiting
 *     {@code timeout} for each, each further round twice as long, {@code attempts} rounds in all. SERVFAIL, REFUSED,
 *     NOTIMP and FORMERR move on to the next server, as does a malformed response, ICMP port unreachable or a
 *     failed TCP exchange; a server that answered so is not asked again by this query. When no server gives a
 *     usable answer, the last error response is returned (so that the caller sees SERVFAIL or REFUSED), else the
 *     query fails with a timeout or the transport error.</li>
 * </ul>
 *
 * <p>Thread-safe; each query uses its own sockets. Blocking: call it from the resolver's executor.
 */
final class DnsClient {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** The largest UDP response read; larger datagrams are cut and then fail to parse. */
    private static final int UDP_BUFFER = 4096;
    /** The lowest source port chosen at random; below it are the well-known and registered low ports. */
    private static final int FIRST_PORT = 1024;

    private final List<NameServer> servers;
    private final long timeoutNanos;
    private final int attempts;
    private final boolean rotate;
    private final AtomicInteger start = new AtomicInteger();

    /**
     * A client for {@code servers}.
     *
     * @param servers  the name servers, in order; not empty
     * @param timeout  the first round's wait per server
     * @param attempts the rounds, 1 or more
     * @param rotate   whether each query starts at the next server (resolv.conf {@code options rotate})
     */
    DnsClient(List<NameServer> servers, Duration timeout, int attempts, boolean rotate) {
        this.servers = List.copyOf(servers);
        if (this.servers.isEmpty()) {
            throw new IllegalArgumentException("no name servers");
        }
        this.timeoutNanos = Objects.requireNonNull(timeout, "timeout").toNanos();
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts " + attempts);
        }
        this.attempts = attempts;
        this.rotate = rotate;
    }

    /** Whether this client waits {@code timeout}, makes {@code attempts} rounds and rotates as given. */
    boolean matches(Duration timeout, int attempts, boolean rotate) {
        return timeout.toNanos() == timeoutNanos && attempts == this.attempts && rotate == this.rotate;
    }

    /** The servers, in configured order. */
    List<NameServer> servers() {
        return servers;
    }

    /**
     * Asks {@code name} {@code type}.
     *
     * @param name an absolute name, with or without the final dot
     * @param type the record type
     * @return the response: NOERROR or NXDOMAIN from the first server that gave one, else the last error response
     * @throws java.net.UnknownHostException when {@code name} is not a valid DNS name
     * @throws SocketTimeoutException        when no server answered within the rounds
     * @throws PortUnreachableException      when every server that did not time out was unreachable
     * @throws IOException                   for malformed responses and failed TCP exchanges
     */
    DnsMessage.Response query(String name, int type) throws IOException {
        DnsMessage.query(0, name, type, false);             // fails early for a name that is not a DNS name
        int first = rotate ? Math.floorMod(start.getAndIncrement(), servers.size()) : 0;
        boolean[] done = new boolean[servers.size()];
        DnsMessage.Response errorResponse = null;
        IOException failure = null;
        int unreachable = 0;
        for (int round = 0; round < attempts; round++) {
            long wait = timeoutNanos << Math.min(round, 20);
            boolean asked = false;
            for (int k = 0; k < servers.size(); k++) {
                int index = (first + k) % servers.size();
                if (done[index]) {
                    continue;
                }
                asked = true;
                NameServer server = servers.get(index);
                try {
                    DnsMessage.Response r = exchange(server, name, type, wait);
                    if (r == null) {
                        continue;                          // timed out: ask again in the next round
                    }
                    int rcode = r.rcode();
                    if (rcode == SERVFAIL || rcode == REFUSED || rcode == NOTIMP || rcode == FORMERR) {
                        errorResponse = r;
                        done[index] = true;
                        continue;
                    }
                    return r;
                } catch (PortUnreachableException e) {
                    unreachable++;
                    done[index] = true;
                } catch (java.net.UnknownHostException e) {
                    throw e;
                } catch (IOException e) {
                    failure = e;
                    done[index] = true;
                }
            }
            if (!asked) {
                break;
            }
        }
        if (errorResponse != null) {
            return errorResponse;
        }
        String question = DnsMessage.typeName(type) + " " + name + " from " + serverList();
        if (failure != null) {
            throw new IOException("DNS error for " + question + ": " + failure.getMessage(), failure);
        }
        if (unreachable == servers.size()) {
            throw new PortUnreachableException("name server unreachable: " + question
                    + " got ICMP port unreachable (is a DNS server listening there?)");
        }
        throw new SocketTimeoutException("timeout: no answer for " + question + " within " + DnsResolver.format(worstCase())
                + " (query_timeout " + DnsResolver.format(timeoutNanos) + ", query_attempts " + attempts + ")");
    }

    /** One server: UDP with EDNS, without EDNS after FORMERR, TCP after truncation; {@code null} on timeout. */
    private DnsMessage.Response exchange(NameServer server, String name, int type, long waitNanos) throws IOException {
        DnsMessage.Response r = udp(server, name, type, waitNanos, true);
        if (r != null && r.rcode() == FORMERR) {
            r = udp(server, name, type, waitNanos, false);
        }
        if (r != null && r.truncated()) {
            r = tcp(server, name, type, waitNanos);
        }
        return r;
    }

    private static DnsMessage.Response udp(NameServer server, String name, int type, long waitNanos, boolean edns)
            throws IOException {
        int id = RANDOM.nextInt(1 << 16);
        byte[] query = DnsMessage.query(id, name, type, edns);
        try (DatagramSocket socket = bindRandomPort()) {
            socket.connect(new InetSocketAddress(server.address(), server.port()));
            socket.send(new DatagramPacket(query, query.length));
            byte[] buffer = new byte[UDP_BUFFER];
            long deadline = System.nanoTime() + waitNanos;
            IOException malformed = null;
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    if (malformed != null) {
                        throw malformed;
                    }
                    return null;
                }
                socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left))));
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    continue;                               // the loop ends at the deadline
                }
                try {
                    DnsMessage.Response r = DnsMessage.parse(buffer, packet.getLength());
                    if (r.answers(id, name, type)) {
                        return r;
                    }
                } catch (IOException e) {
                    malformed = e;                          // keep waiting: the real answer may still come
                }
            }
        }
    }

    /** A UDP socket on a random port of the wildcard address; the system's choice after a few ports were taken. */
    private static DatagramSocket bindRandomPort() throws IOException {
        for (int i = 0; i < 4; i++) {
            DatagramSocket socket = new DatagramSocket(null);
            try {
                socket.bind(new InetSocketAddress(FIRST_PORT + RANDOM.nextInt(65536 - FIRST_PORT)));
                return socket;
            } catch (BindException taken) {
                socket.close();
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }
        return new DatagramSocket(new InetSocketAddress(0));
    }

    private static DnsMessage.Response tcp(NameServer server, String name, int type, long waitNanos) throws IOException {
        int id = RANDOM.nextInt(1 << 16);
        byte[] query = DnsMessage.query(id, name, type, false);
        long deadline = System.nanoTime() + waitNanos;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.address(), server.port()), millisLeft(deadline));
            OutputStream out = socket.getOutputStream();
            byte[] framed = new byte[query.length + 2];
            framed[0] = (byte) (query.length >> 8);
            framed[1] = (byte) query.length;
            System.arraycopy(query, 0, framed, 2, query.length);
            out.write(framed);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] prefix = new byte[2];
            readFully(socket, in, prefix, deadline);
            int length = (prefix[0] & 0xFF) << 8 | prefix[1] & 0xFF;
            byte[] message = new byte[length];
            readFully(socket, in, message, deadline);
            DnsMessage.Response r = DnsMessage.parse(message, length);
            if (!r.answers(id, name, type)) {
                throw new IOException("the TCP response from " + server + " does not match the question "
                        + DnsMessage.typeName(type) + " " + name);
            }
            return r;
        } catch (SocketTimeoutException e) {
            return null;
        } catch (EOFException e) {
            throw new IOException("the TCP connection to " + server + " closed before a whole response arrived", e);
        } catch (java.net.ConnectException e) {
            throw new IOException("TCP to " + server + " (for a truncated answer) failed: " + e.getMessage(), e);
        }
    }

    /** Milliseconds until {@code deadline}, at least 1; the whole TCP exchange shares one deadline. */
    private static int millisLeft(long deadline) throws SocketTimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("no whole answer within the wait");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left)));
    }

    /** Reads {@code into} fully before {@code deadline}, however the server paces its bytes. */
    private static void readFully(Socket socket, InputStream in, byte[] into, long deadline) throws IOException {
        int at = 0;
        while (at < into.length) {
            socket.setSoTimeout(millisLeft(deadline));
            int n = in.read(into, at, into.length - at);
            if (n < 0) {
                throw new EOFException();
            }
            at += n;
        }
    }

    /**
     * The servers, for messages.
     *
     * @return for example {@code name server 10.96.0.10:53}
     */
    String serverList() {
        return (servers.size() == 1 ? "name server " : "name servers ")
                + servers.stream().map(NameServer::authority).collect(Collectors.joining(", "));
    }

    /** The longest a query can wait, over all rounds and servers. */
    private long worstCase() {
        return timeoutNanos * ((1L << Math.min(attempts, 20)) - 1) * servers.size();
    }

    @Override
    public String toString() {
        List<String> s = new ArrayList<>();
        servers.forEach(n -> s.add(n.authority()));
        return "DNS " + s + (rotate ? " rotate" : "");
    }
}
