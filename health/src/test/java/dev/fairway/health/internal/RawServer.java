package dev.fairway.health.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on a loopback address that misbehaves on purpose: it accepts and never answers, it answers the
 * headers of a response and never sends the whole body, or it answers every request with the same bytes, whatever
 * they are.
 */
final class RawServer implements AutoCloseable {

    enum Behaviour {
        /** Accepts connections and never reads or writes. */
        SILENT,
        /** Reads a request, writes the status line, headers and part of the body, then waits for the client to close. */
        PARTIAL_BODY,
        /** Reads each request (headers and a Content-Length body) and writes {@link #answer}, then closes. */
        ANSWER
    }

    private final ServerSocket server;
    private final Behaviour behaviour;
    /** What {@link Behaviour#ANSWER} writes: a whole HTTP response, hostile or not. */
    volatile byte[] answer = new byte[0];
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    /** Counted down when a partial response has been written. */
    final CountDownLatch responded = new CountDownLatch(1);
    /** Counted down when the client closed a connection that got a partial response. */
    final CountDownLatch closedByClient = new CountDownLatch(1);

    RawServer(String ip, Behaviour behaviour) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getByName(ip));
        this.behaviour = behaviour;
        Thread.ofPlatform().daemon().name("raw-server-" + ip).start(this::acceptLoop);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.add(s);
            connections.incrementAndGet();
            if (behaviour == Behaviour.PARTIAL_BODY) {
                Thread.ofPlatform().daemon().start(() -> partialBody(s));
            } else if (behaviour == Behaviour.ANSWER) {
                Thread.ofPlatform().daemon().start(() -> answer(s));
            }
        }
    }

    private void partialBody(Socket s) {
        try {
            InputStream in = s.getInputStream();
            int matched = 0;
            byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            while (matched < end.length) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
            }
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/plain\r\n\r\nonly part".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            responded.countDown();
            while (in.read() >= 0) {
                // wait for the client to give up
            }
            closedByClient.countDown();
        } catch (IOException e) {
            closedByClient.countDown(); // reset by the client
        }
    }

    /** A response of {@code status} with {@code body} and a Content-Length, closing the connection. */
    static byte[] response(int status, byte[] body) {
        byte[] head = ("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    private void answer(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.append((char) b);
            }
            long length = head.toString().lines().filter(l -> l.regionMatches(true, 0, "Content-Length:", 0, 15))
                    .mapToLong(l -> Long.parseLong(l.substring(15).trim())).findFirst().orElse(0);
            in.readNBytes((int) length);
            OutputStream out = s.getOutputStream();
            out.write(answer);
            out.flush();
            responded.countDown();
            s.shutdownOutput();
            while (in.read() >= 0) {
                // let the client close first, so that it reads the whole answer
            }
        } catch (IOException e) {
            // the client gave up reading: that is what a bounded reader does
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
    }
}
