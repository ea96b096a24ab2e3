package dev.fairway.resolver.dns.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A UDP "name server" on 127.0.0.1 that answers every query with one response code and no records (SERVFAIL,
 * REFUSED, ...), or never answers at all: the failures a real server is hard to make give on demand.
 */
final class FakeDnsServer implements AutoCloseable {

    /** Response code 2. */
    static final int SERVFAIL = 2;
    /** Response code 5. */
    static final int REFUSED = 5;
    /** Never answer. */
    static final int SILENT = -1;

    private final DatagramSocket socket;
    private final Thread thread;
    private final AtomicInteger queries = new AtomicInteger();

    /**
     * Starts answering with {@code rcode}.
     *
     * @param rcode a DNS response code, or {@link #SILENT}
     */
    FakeDnsServer(int rcode) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        thread = Thread.ofPlatform().daemon().name("fake-dns-" + socket.getLocalPort()).start(() -> serve(rcode));
    }

    private void serve(int rcode) {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                queries.incrementAndGet();
                if (rcode == SILENT || packet.getLength() < 12) {
                    continue;
                }
                byte[] response = java.util.Arrays.copyOf(buffer, packet.getLength());
                response[2] = (byte) (0x80 | (buffer[2] & 0x01));       // a response, recursion desired as asked
                response[3] = (byte) (0x80 | rcode);                      // recursion available, the code
                for (int i = 6; i < 12; i++) {
                    response[i] = 0;                                      // no answer, authority or additional records
                }
                socket.send(new DatagramPacket(response, response.length, packet.getSocketAddress()));
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                // a bad packet: go on
            }
        }
    }

    /**
     * The server as a {@code name_servers} option value.
     *
     * @return {@code 127.0.0.1:port}
     */
    String server() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /**
     * How many queries arrived.
     *
     * @return the count
     */
    int queries() {
        return queries.get();
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
