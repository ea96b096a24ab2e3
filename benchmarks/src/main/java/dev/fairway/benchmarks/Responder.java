package dev.fairway.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The cheapest HTTP/1.1 backend that still speaks HTTP over real sockets: one thread and one {@link Selector} serve
 * {@code n} listening sockets on {@code 127.0.0.2}, {@code 127.0.0.3}, … sharing one port. Every request head (up to
 * its empty line) is answered with a fixed {@code 200} and a 3-byte body on the same keep-alive connection, pipelined
 * requests in order. Request bodies are not read: it serves body-less requests such as the load harness's {@code GET}s.
 *
 * <p>Started by {@code LoadHarness serve --backends n}, normally as a child process of {@code LoadHarness throughput
 * --servers process}: it prints {@code port <p>} once it listens, serves until its standard input ends, then prints
 * {@code hits <a> <b> …} (requests served per backend) and exits. Its cost per request is a read and a write system
 * call, far below a client's, so the clients, not this server, limit the throughput the harness measures; and because
 * one thread serves every backend, one backend or five cost the server the same.
 */
final class Responder {

    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};

    private Responder() {
    }

    /** One connection: how far into {@code \r\n\r\n} the last read ended, and the responses not yet written. */
    private static final class Connection {
        final int backend;
        final ByteBuffer in = ByteBuffer.allocateDirect(16 * 1024);
        ByteBuffer out = ByteBuffer.allocateDirect(16 * 1024).flip();
        int matched;

        Connection(int backend) {
            this.backend = backend;
        }
    }

    /**
     * Serves until standard input ends.
     *
     * @param n how many backends (listening addresses)
     * @throws IOException if a socket cannot be bound
     */
    static void serve(int n) throws IOException {
        if (n < 1 || n > 200) {
            throw new IllegalArgumentException("--backends " + n + " is out of range: use 1 to 200");
        }
        long[] hits = new long[n];
        List<ServerSocketChannel> listeners = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (Selector selector = Selector.open()) {
            int port = 0;
            for (int i = 0; i < n; i++) {
                ServerSocketChannel listener = ServerSocketChannel.open();
                listener.bind(new InetSocketAddress(LoadHarness.loopback(i), port), 1024);
                port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
                listener.configureBlocking(false);
                listener.register(selector, SelectionKey.OP_ACCEPT, i);
                listeners.add(listener);
            }
            Thread.ofPlatform().daemon().name("responder-stdin").start(() -> {
                try (InputStream in = System.in) {
                    while (in.read() >= 0) {
                        // wait for the end of input: the parent closed it, or died
                    }
                } catch (IOException e) {
                    // the same: no parent to serve
                }
                stop.set(true);
                selector.wakeup();
            });
            System.out.println("port " + port);
            System.out.flush();
            while (!stop.get()) {
                selector.select();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    try {
                        if (key.isAcceptable()) {
                            accept(key, selector);
                        } else {
                            Connection c = (Connection) key.attachment();
                            if (key.isReadable() && !read(key, c, hits)) {
                                continue;
                            }
                            if (key.isValid() && (key.isWritable() || c.out.hasRemaining())) {
                                write(key, c);
                            }
                        }
                    } catch (IOException e) {
                        key.cancel();
                        key.channel().close(); // the client closed or reset the connection
                    }
                }
            }
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
        }
        StringJoiner line = new StringJoiner(" ", "hits ", "");
        for (long h : hits) {
            line.add(Long.toString(h));
        }
        System.out.println(line);
        System.out.flush();
    }

    private static void accept(SelectionKey key, Selector selector) throws IOException {
        SocketChannel channel = ((ServerSocketChannel) key.channel()).accept();
        if (channel == null) {
            return;
        }
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.register(selector, SelectionKey.OP_READ, new Connection((Integer) key.attachment()));
    }

    /** Reads what arrived and queues a response per complete request head; false if the connection closed. */
    private static boolean read(SelectionKey key, Connection c, long[] hits) throws IOException {
        SocketChannel channel = (SocketChannel) key.channel();
        c.in.clear();
        int read = channel.read(c.in);
        if (read < 0) {
            key.cancel();
            channel.close();
            return false;
        }
        c.in.flip();
        int complete = 0;
        int matched = c.matched;
        while (c.in.hasRemaining()) {
            byte b = c.in.get();
            if (b == END_OF_HEAD[matched]) {
                if (++matched == END_OF_HEAD.length) {
                    complete++;
                    matched = 0;
                }
            } else {
                matched = b == '\r' ? 1 : 0;
            }
        }
        c.matched = matched;
        if (complete > 0) {
            hits[c.backend] += complete;
            int needed = c.out.remaining() + complete * RESPONSE.length;
            if (needed > c.out.capacity()) {
                ByteBuffer bigger = ByteBuffer.allocateDirect(Integer.highestOneBit(needed) * 2);
                bigger.put(c.out);
                c.out = bigger.flip();
            }
            c.out.compact();
            for (int i = 0; i < complete; i++) {
                c.out.put(RESPONSE);
            }
            c.out.flip();
        }
        return true;
    }

    private static void write(SelectionKey key, Connection c) throws IOException {
        ((SocketChannel) key.channel()).write(c.out);
        key.interestOps(c.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }
}
