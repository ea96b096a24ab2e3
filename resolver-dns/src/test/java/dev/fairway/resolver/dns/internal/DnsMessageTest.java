package dev.fairway.resolver.dns.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DNS wire format and transport: well-formed answers are read exactly, malformed ones fail with an
 * {@link IOException} ({@link FuzzTest} feeds tens of thousands of seeded random and mutated messages), and the
 * client accepts only the answer to its own question, from random ids and source ports.
 */
class DnsMessageTest {

    /** A response to {@code id} for {@code name A} with the given A records (compressed owner names) and TTL. */
    static byte[] response(int id, String name, int rcode, int ttl, String... ips) throws IOException {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(new byte[] {(byte) (id >> 8), (byte) id, (byte) 0x81, (byte) (0x80 | rcode), 0, 1, 0, (byte) ips.length,
                0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            m.write(label.length());
            m.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        m.writeBytes(new byte[] {0, 0, 1, 0, 1});
        for (String ip : ips) {
            m.writeBytes(new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1, (byte) (ttl >> 24), (byte) (ttl >> 16), (byte) (ttl >> 8),
                    (byte) ttl, 0, 4});
            m.writeBytes(InetAddress.getByName(ip).getAddress());
        }
        return m.toByteArray();
    }

    @Test
    void readsAnswersWithCompressedNamesAndTtls() throws IOException {
        byte[] m = response(0x1234, "orders.test", 0, 5, "10.0.0.1", "10.0.0.2");
        DnsMessage.Response r = DnsMessage.parse(m, m.length);
        assertTrue(r.answers(0x1234, "ORDERS.test.", DnsMessage.A), "same id and question, case and final dot aside");
        assertTrue(!r.answers(0x1235, "orders.test", DnsMessage.A), "another id");
        assertTrue(!r.answers(0x1234, "other.test", DnsMessage.A), "another question");
        assertTrue(!r.answers(0x1234, "orders.test", DnsMessage.AAAA), "another type");
        DnsMessage.Chain chain = r.follow("orders.test", DnsMessage.A);
        assertEquals(List.of(InetAddress.getByName("10.0.0.1"), InetAddress.getByName("10.0.0.2")),
                chain.records().stream().map(DnsMessage.Record::address).toList());
        assertEquals(5, chain.ttl());
        assertEquals(-1, r.negativeTtl());
    }

    @Test
    void rejectsWhatIsMalformed() throws IOException {
        byte[] good = response(1, "orders.test", 0, 5, "10.0.0.1");
        List<byte[]> bad = new ArrayList<>();
        bad.add(Arrays.copyOf(good, 11));                                 // shorter than a header
        byte[] query = good.clone();
        query[2] = 0x01;                                                  // QR not set
        bad.add(query);
        bad.add(Arrays.copyOf(good, good.length - 2));                    // record data cut off
        byte[] forward = good.clone();
        forward[30] = (byte) 40;                                          // the answer's pointer points forward
        bad.add(forward);
        byte[] self = good.clone();
        self[30] = (byte) 29;                                             // ... at itself: a loop
        bad.add(self);
        byte[] length = good.clone();
        length[40] = 5;                                                   // an A record of 5 bytes
        bad.add(length);
        byte[] label = good.clone();
        label[12] = (byte) 0x80;                                          // label type 2
        bad.add(label);
        for (byte[] m : bad) {
            assertThrows(IOException.class, () -> DnsMessage.parse(m, m.length), Arrays.toString(m));
        }
    }

    @Test
    void aTruncatedAnswerCutInsideARecordIsReadAsTruncatedForTcp() throws IOException {
        byte[] whole = response(3, "big.test", 0, 5, "10.0.0.1", "10.0.0.2", "10.0.0.3");
        byte[] cut = Arrays.copyOf(whole, whole.length - 7);             // inside the last record
        cut[2] |= 0x02;                                                   // TC
        DnsMessage.Response r = DnsMessage.parse(cut, cut.length);
        assertTrue(r.truncated());
        assertTrue(r.answers(3, "big.test", DnsMessage.A), "still the answer to the question, to be asked over TCP");
        assertEquals(List.of(), r.answers());
    }

    @Test
    void aNameLongerThan255BytesIsRejectedBothWays() {
        String longName = String.join(".", java.util.Collections.nCopies(5, "a".repeat(60)));
        assertThrows(UnknownHostException.class, () -> DnsMessage.query(1, longName, DnsMessage.A, false));
        assertThrows(UnknownHostException.class, () -> DnsMessage.query(1, "a".repeat(64) + ".test", DnsMessage.A, false));
        assertThrows(UnknownHostException.class, () -> DnsMessage.query(1, "a..test", DnsMessage.A, false));
    }

    @Test
    void aCnameLoopIsAnError() throws IOException {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(new byte[] {0, 1, (byte) 0x81, (byte) 0x80, 0, 1, 0, 2, 0, 0, 0, 0});
        m.writeBytes(new byte[] {1, 'a', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1});           // a.test A, at 12
        m.writeBytes(new byte[] {(byte) 0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 5, 0, 4, 1, 'b', (byte) 0xC0, 14}); // a -> b.test
        m.writeBytes(new byte[] {1, 'b', (byte) 0xC0, 14, 0, 5, 0, 1, 0, 0, 0, 5, 0, 2, (byte) 0xC0, 12}); // b -> a.test
        byte[] bytes = m.toByteArray();
        DnsMessage.Response r = DnsMessage.parse(bytes, bytes.length);
        IOException e = assertThrows(IOException.class, () -> r.follow("a.test", DnsMessage.A));
        assertTrue(e.getMessage().contains("CNAME chain"), e.getMessage());
    }

    // ---------------------------------------------------------------- transport

    /** A UDP server on 127.0.0.1 that answers each query with what {@code reply} makes of it (zero or more datagrams). */
    private static final class ScriptedServer implements AutoCloseable {
        final DatagramSocket socket;
        final List<byte[]> queries = new CopyOnWriteArrayList<>();
        final List<Integer> sourcePorts = new CopyOnWriteArrayList<>();
        private final Thread thread;

        ScriptedServer(Function<byte[], List<byte[]>> reply) throws IOException {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            thread = Thread.ofPlatform().daemon().start(() -> {
                byte[] buffer = new byte[2048];
                while (!socket.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                    try {
                        socket.receive(p);
                        byte[] q = Arrays.copyOf(buffer, p.getLength());
                        queries.add(q);
                        sourcePorts.add(p.getPort());
                        for (byte[] r : reply.apply(q)) {
                            socket.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
                        }
                    } catch (SocketException closed) {
                        return;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
        }

        NameServer server() {
            return new NameServer(socket.getLocalAddress(), socket.getLocalPort());
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

    private static int id(byte[] query) {
        return (query[0] & 0xFF) << 8 | query[1] & 0xFF;
    }

    private static byte[] answer(byte[] query, int id, String name, String ip) {
        try {
            return response(id, name, 0, 5, ip);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void onlyTheAnswerToItsOwnQuestionCounts() throws Exception {
        try (ScriptedServer server = new ScriptedServer(q -> List.of(
                answer(q, id(q) ^ 1, "orders.test", "10.6.6.6"),              // a spoofed id
                answer(q, id(q), "evil.test", "10.6.6.7"),                    // another question
                new byte[] {1, 2, 3},                                          // garbage
                answer(q, id(q), "orders.test", "10.0.0.1")))) {
            DnsClient client = new DnsClient(List.of(server.server()), Duration.ofSeconds(2), 1, false);
            DnsMessage.Response r = client.query("orders.test", DnsMessage.A);
            assertEquals(List.of(InetAddress.getByName("10.0.0.1")),
                    r.follow("orders.test", DnsMessage.A).records().stream().map(DnsMessage.Record::address).toList());
        }
    }

    @Test
    void idsAndSourcePortsAreRandom() throws Exception {
        try (ScriptedServer server = new ScriptedServer(q -> List.of(answer(q, id(q), "orders.test", "10.0.0.1")))) {
            DnsClient client = new DnsClient(List.of(server.server()), Duration.ofSeconds(2), 1, false);
            for (int i = 0; i < 40; i++) {
                client.query("orders.test", DnsMessage.A);
            }
            Set<Integer> ids = new HashSet<>();
            server.queries.forEach(q -> ids.add(id(q)));
            assertTrue(ids.size() >= 38, "40 queries, " + ids.size() + " distinct ids");
            assertTrue(new HashSet<>(server.sourcePorts).size() >= 38, "40 queries, source ports " + server.sourcePorts);
        }
    }

    @Test
    void aServerThatRejectsEdnsIsAskedWithoutIt() throws Exception {
        try (ScriptedServer server = new ScriptedServer(q -> {
            boolean edns = q[11] == 1;                                        // one additional record: the OPT
            if (edns) {
                byte[] formerr = Arrays.copyOf(q, 12);
                formerr[2] = (byte) 0x81;
                formerr[3] = (byte) 0x81;                                     // FORMERR, no question
                Arrays.fill(formerr, 4, 12, (byte) 0);
                return List.of(formerr);
            }
            return List.of(answer(q, id(q), "orders.test", "10.0.0.1"));
        })) {
            DnsClient client = new DnsClient(List.of(server.server()), Duration.ofSeconds(2), 1, false);
            assertEquals(DnsMessage.NOERROR, client.query("orders.test", DnsMessage.A).rcode());
            assertEquals(2, server.queries.size());
        }
    }
}
