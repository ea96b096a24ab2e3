package dev.fairway.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's cluster DNS on the wire: a UDP name server on {@code 127.0.0.1} that answers A and AAAA queries for the
 * names registered with {@link DemoDns#answer} (so the JVM's resolver and this server always agree), with one TTL for
 * every answer, as CoreDNS answers cluster names (5 s). Unknown names are NXDOMAIN, a known name without records of
 * the asked family NODATA; anything that is not a plain query gets FORMERR or is dropped.
 *
 * <p>Demo only, and deliberately small: one thread, one datagram at a time, answers of at most 512 bytes (the
 * demo's names have a handful of addresses).
 */
final class DemoDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final int ttlSeconds;
    private final Thread thread;
    private final AtomicLong queries = new AtomicLong();

    private DemoDnsServer(DatagramSocket socket, int ttlSeconds) {
        this.socket = socket;
        this.ttlSeconds = ttlSeconds;
        this.thread = Thread.ofPlatform().daemon().name("demo-dns").start(this::serve);
    }

    /**
     * Starts a server on a free port of {@code 127.0.0.1}.
     *
     * @param ttlSeconds the TTL of every answer
     * @return the running server
     * @throws IOException if no port could be had
     */
    static DemoDnsServer start(int ttlSeconds) throws IOException {
        return new DemoDnsServer(new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)), ttlSeconds);
    }

    /**
     * The server as a {@code name_servers} option value.
     *
     * @return {@code 127.0.0.1:port}
     */
    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /**
     * How many queries arrived.
     *
     * @return the count
     */
    long queries() {
        return queries.get();
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                byte[] response = respond(buffer, packet.getLength());
                if (response != null) {
                    queries.incrementAndGet();
                    socket.send(new DatagramPacket(response, response.length, packet.getSocketAddress()));
                }
            } catch (SocketException closed) {
                return;
            } catch (IOException | RuntimeException e) {
                // one bad datagram: go on with the next
            }
        }
    }

    /** The response to one query, or {@code null} to drop it. */
    byte[] respond(byte[] q, int length) {
        if (length < 12 || (q[2] & 0x80) != 0 || (q[4] << 8 | q[5] & 0xFF) != 1) {
            return null;                                   // a response, or not one question: drop it
        }
        int at = 12;
        StringBuilder name = new StringBuilder();
        while (at < length && q[at] != 0) {
            int len = q[at] & 0xFF;
            if (len > 63 || at + 1 + len > length) {
                return null;
            }
            if (!name.isEmpty()) {
                name.append('.');
            }
            name.append(new String(q, at + 1, len, StandardCharsets.US_ASCII));
            at += len + 1;
        }
        if (at + 5 > length) {
            return null;
        }
        int questionEnd = at + 5;
        int type = (q[at + 1] & 0xFF) << 8 | q[at + 2] & 0xFF;
        List<InetAddress> known = DemoDns.registered(name.toString().toLowerCase(Locale.ROOT));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(q[0]);
        out.write(q[1]);
        out.write(0x84 | (q[2] & 0x01));                   // a response, authoritative, recursion desired as asked
        int rcode = known == null ? 3 : 0;                 // NXDOMAIN for names nobody registered
        out.write(0x80 | rcode);
        List<InetAddress> records = known == null ? List.of() : known.stream()
                .filter(a -> type == 1 ? a instanceof Inet4Address : type == 28 && a instanceof Inet6Address).toList();
        out.writeBytes(new byte[] {0, 1, 0, (byte) records.size(), 0, 0, 0, 0});
        out.write(q, 12, questionEnd - 12);
        for (InetAddress a : records) {
            byte[] ip = a.getAddress();
            out.writeBytes(new byte[] {(byte) 0xC0, 12, 0, (byte) type, 0, 1, (byte) (ttlSeconds >> 24),
                    (byte) (ttlSeconds >> 16), (byte) (ttlSeconds >> 8), (byte) ttlSeconds, 0, (byte) ip.length});
            out.writeBytes(ip);
        }
        return out.size() <= 512 ? out.toByteArray() : null;
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
