package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.ResolverProvider;
import dev.fairway.testing.Fuzz;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Everything this module parses itself, fed tens of thousands of seeded random and mutated-valid inputs: nothing but
 * the documented exception escapes, and each input stays within an allocation bound and a generous time bound (see
 * {@link Fuzz}). Run {@code mvn -pl resolver-dns -am verify} and look for the {@code fuzz} lines for the figures.
 */
class FuzzTest {

    // ---------------------------------------------------------------- DNS messages

    /** The question name, {@code orders.test}, is written at byte 12: answers point there. */
    private static final byte[] QUESTION_NAME = {6, 'o', 'r', 'd', 'e', 'r', 's', 4, 't', 'e', 's', 't', 0};

    /** A response to {@code orders.test} of {@code type}, with answer and authority records. */
    private static byte[] message(int type, List<byte[]> answers, List<byte[]> authority) {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(new byte[] {0x12, 0x34, (byte) 0x81, (byte) 0x80, 0, 1, (byte) (answers.size() >> 8), (byte) answers.size(),
                0, (byte) authority.size(), 0, 0});
        m.writeBytes(QUESTION_NAME);
        m.writeBytes(new byte[] {0, (byte) type, 0, 1});
        answers.forEach(m::writeBytes);
        authority.forEach(m::writeBytes);
        return m.toByteArray();
    }

    /** A record owned by the question name (a pointer to byte 12), with a TTL of 30 and {@code data}. */
    private static byte[] record(int type, byte[] data) {
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        r.writeBytes(new byte[] {(byte) 0xC0, 12, 0, (byte) type, 0, 1, 0, 0, 0, 30, (byte) (data.length >> 8), (byte) data.length});
        r.writeBytes(data);
        return r.toByteArray();
    }

    /** Bytes from ints: {@code ip(10, 0, 0, 1)}. */
    private static byte[] ip(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    /** A name of one label before the question name: {@code <label>.orders.test}, compressed. */
    private static byte[] under(String label) {
        byte[] b = new byte[label.length() + 3];
        b[0] = (byte) label.length();
        System.arraycopy(Fuzz.bytes(label), 0, b, 1, label.length());
        b[b.length - 2] = (byte) 0xC0;
        b[b.length - 1] = 12;
        return b;
    }

    private static byte[] srv(int priority, int weight, int port, String target) {
        byte[] name = under(target);
        byte[] data = new byte[6 + name.length];
        data[0] = (byte) (priority >> 8);
        data[1] = (byte) priority;
        data[2] = (byte) (weight >> 8);
        data[3] = (byte) weight;
        data[4] = (byte) (port >> 8);
        data[5] = (byte) port;
        System.arraycopy(name, 0, data, 6, name.length);
        return record(DnsMessage.SRV, data);
    }

    private static final List<byte[]> MESSAGE_SEEDS = List.of(
            message(DnsMessage.A, List.of(record(DnsMessage.A, ip(10, 0, 0, 1)), record(DnsMessage.A, ip(10, 0, 0, 2))), List.of()),
            message(DnsMessage.AAAA, List.of(record(DnsMessage.AAAA, ip(0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, 0, 0, 1))), List.of()),
            message(DnsMessage.SRV, List.of(srv(0, 10, 8080, "pod-a"), srv(0, 0, 8081, "pod-b"), srv(1, 5, 9090, "pod-c")),
                    List.of()),
            message(DnsMessage.A, List.of(record(DnsMessage.CNAME, under("www")), record(DnsMessage.CNAME, under("www"))),
                    List.of()),
            message(DnsMessage.A, List.of(), List.of(record(DnsMessage.SOA, concat(under("ns"), under("admin"),
                    new byte[] {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5})))));

    private static final List<byte[]> MESSAGE_PIECES = List.of(new byte[] {(byte) 0xC0, 12}, new byte[] {(byte) 0xC0, 0},
            new byte[] {(byte) 0xFF, (byte) 0xFF}, new byte[] {0x3F}, new byte[] {0}, new byte[] {0x40}, new byte[] {(byte) 0x80},
            new byte[] {0, 1, 0, 1}, new byte[] {0, 0x21, 0, 1}, new byte[] {0, 5, 0, 1}, under("pod-x"), record(DnsMessage.A, ip(1, 2, 3, 4)),
            srv(0, 1, 0, "p"));

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * The most a message can cost: a question name of 255 bytes and as many A records pointing at it as 64 KiB holds
     * (a TCP answer), each decoded into its own 253-character name.
     */
    private static byte[] amplifying() {
        ByteArrayOutputStream name = new ByteArrayOutputStream();
        for (int i = 0; i < 4; i++) {
            name.write(62);
            name.writeBytes(Fuzz.bytes(Character.toString('a' + i).repeat(62)));
        }
        name.write(0);
        byte[] q = name.toByteArray();
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        int records = (65_535 - 12 - q.length - 4) / 16;
        m.writeBytes(new byte[] {0, 1, (byte) 0x81, (byte) 0x80, 0, 1, (byte) (records >> 8), (byte) records, 0, 0, 0, 0});
        m.writeBytes(q);
        m.writeBytes(new byte[] {0, 1, 0, 1});
        for (int i = 0; i < records; i++) {
            m.writeBytes(record(DnsMessage.A, ip(10, 0, i >> 8, i)));
        }
        return m.toByteArray();
    }

    @Test
    void dnsMessages() throws IOException {
        byte[] big = amplifying();
        assertTrue(big.length <= 65_535 && DnsMessage.parse(big, big.length).answers().size() > 4_000, "the big seed is valid");
        Fuzz.Figures f = Fuzz.run("dns_message", 24, 50_000, (random, i) -> {
            if (i % 5 == 0) {
                byte[] m = Fuzz.randomBytes(random, "\u0000\u0001\u00C0\u000C\u0021", 1_500);
                if (m.length > 3) {
                    m[2] = (byte) (m[2] & 0x87 | 0x80);                     // mostly responses, to get past the header
                }
                return m;
            }
            return i % 500 == 1 ? Fuzz.mutate(random, big, MESSAGE_PIECES)
                    : Fuzz.mutate(random, MESSAGE_SEEDS.get(random.nextInt(MESSAGE_SEEDS.size())), MESSAGE_PIECES);
        }, m -> {
            try {
                DnsMessage.Response r = DnsMessage.parse(m, m.length);
                assertTrue(r.answers().size() <= m.length / 11, "more records than bytes allow");
                r.follow("orders.test", DnsMessage.A);
                return r.follow("orders.test", DnsMessage.SRV);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, UncheckedIOException.class, m -> 128L * m.length + 64 * 1024);
        assertTrue(f.rejected() > f.cases() / 100 && f.rejected() < f.cases() - f.cases() / 100, "both outcomes exercised: " + f);
    }

    // ---------------------------------------------------------------- /etc files

    private static final List<String> CONF_SEEDS = List.of(
            "nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5 timeout:2"
                    + " attempts:3 rotate\n",
            "# generated\ndomain example.com\nnameserver fd00::10\nnameserver 127.0.0.53 ; stub\nsortlist 10.0.0.0\n",
            "127.0.0.1 localhost\n10.0.0.5 orders.test orders # a pod\nfd00::1 orders.test\nfe80::1%lo orders.test\n");

    private static final List<byte[]> CONF_PIECES = List.of(Fuzz.bytes("nameserver "), Fuzz.bytes("search "),
            Fuzz.bytes("options "), Fuzz.bytes("ndots:"), Fuzz.bytes("timeout:99999999999"), Fuzz.bytes("\n"), Fuzz.bytes("#"),
            Fuzz.bytes(";"), Fuzz.bytes(" "), Fuzz.bytes("fe80::1%eth0"), Fuzz.bytes("::"), Fuzz.bytes("["), Fuzz.bytes("999.1.1.1"),
            Fuzz.bytes("orders.test "), Fuzz.bytes("a".repeat(70) + "."), Fuzz.bytes("10.0.0.9 orders.test\n"));

    private static byte[] etcFile(SplittableRandom random, int i) {
        return i % 4 == 0 ? Fuzz.randomBytes(random, "nameserver search options ndots:1 0123456789.:#;\n", 600)
                : Fuzz.mutate(random, Fuzz.bytes(CONF_SEEDS.get(random.nextInt(CONF_SEEDS.size()))), CONF_PIECES);
    }

    @Test
    void resolvConf() {
        Fuzz.run("resolv_conf", 25, 30_000, (random, i) -> {
            Map<String, String> environment = random.nextInt(4) == 0 ? Map.of("LOCALDOMAIN", Fuzz.text(etcFile(random, i)),
                    "RES_OPTIONS", Fuzz.text(etcFile(random, i))) : Map.of();
            return new Object[] {etcFile(random, i), environment};
        }, in -> {
            @SuppressWarnings("unchecked")
            ResolvConf conf = ResolvConf.parse((byte[]) in[0], "resolv.conf", 53, (Map<String, String>) in[1]);
            assertTrue(conf.problems().size() <= ResolvConf.MAX_PROBLEMS + 1, conf.problems().toString());
            assertTrue(conf.servers().size() <= ResolvConf.MAX_SERVERS && conf.search().size() <= ResolvConf.MAX_SEARCH);
            return conf.candidates("orders.shop");
        }, null, in -> 128L * (((byte[]) in[0]).length + ((Map<?, ?>) in[1]).values().stream()
                .mapToInt(v -> ((String) v).length()).sum()) + 64 * 1024);
    }

    @Test
    void hostsFile() {
        Fuzz.run("hosts", 26, 30_000, FuzzTest::etcFile, bytes -> HostsFile.lookup(bytes, "orders.test"), null,
                bytes -> 128L * bytes.length + 64 * 1024);
    }

    // ---------------------------------------------------------------- option values

    /**
     * The fixed part of an option case's bound: the first time a message is built its string concatenation call site
     * is linked, a one-time cost of about 100 KB that the warm-up cannot reach for every message.
     */
    private static final long FIRST_MESSAGE = 256 * 1024;

    private static final List<byte[]> OPTION_PIECES = List.of(Fuzz.bytes("0"), Fuzz.bytes("9"), Fuzz.bytes("."), Fuzz.bytes(":"),
            Fuzz.bytes(","), Fuzz.bytes("-"), Fuzz.bytes("["), Fuzz.bytes("]"), Fuzz.bytes("%"), Fuzz.bytes("_"), Fuzz.bytes(" "),
            Fuzz.bytes("ms"), Fuzz.bytes("PT"), Fuzz.bytes("99999999999999999999"), Fuzz.bytes("NaN"), Fuzz.bytes("65536"));

    /** An option value: random, or a mutation of one of {@code seeds}. */
    private static String optionValue(SplittableRandom random, int i, List<String> seeds) {
        return Fuzz.text(i % 4 == 0 ? Fuzz.randomBytes(random, "0123456789.:,-[]abcdefx_ ", 40)
                : Fuzz.mutate(random, Fuzz.bytes(seeds.get(random.nextInt(seeds.size()))), OPTION_PIECES));
    }

    @Test
    void nameServers() {
        List<String> seeds = List.of("10.96.0.10", "127.0.0.1:5353, [fd00::10]:53", "fd00::1", "[fe80::1%lo]:53");
        Fuzz.Figures f = Fuzz.run("name_servers", 27, 30_000, (random, i) -> optionValue(random, i, seeds),
                NameServer::parseList, IllegalArgumentException.class, s -> 256L * s.length() + FIRST_MESSAGE);
        assertTrue(f.rejected() > f.cases() / 100 && f.rejected() < f.cases() - f.cases() / 100, "both outcomes exercised: " + f);
    }

    @Test
    void srvPorts() {
        List<String> seeds = List.of("1-65535", "443,8000-8999", "8443", "80, 443 ,8080-8090");
        Fuzz.Figures f = Fuzz.run("ports", 28, 30_000, (random, i) -> optionValue(random, i, seeds), SrvPorts::parse,
                IllegalArgumentException.class, s -> 64L * s.length() + 32 * 1024);
        assertTrue(f.rejected() > f.cases() / 100 && f.rejected() < f.cases() - f.cases() / 100, "both outcomes exercised: " + f);
    }

    @Test
    void everyOptionOfBothProviders() {
        List<ResolverProvider> providers = List.of(new DnsResolverProvider(), new DnsSrvResolverProvider());
        List<String> seeds = List.of("ttl", "5s", "PT1S", "250ms", "0.1", "3", "64", "believe_after:3", "keep", "believe",
                "prefer_ipv6", "both", "direct", "system", "10.0.0.1:53", "_grpc", "udp", "443,8000-8999");
        Fuzz.Figures f = Fuzz.run("dns_options", 29, 30_000, (random, i) -> {
            ResolverProvider p = providers.get(random.nextInt(providers.size()));
            List<Option<?>> options = p.options();
            return new Object[] {p, options.get(random.nextInt(options.size())).key(), optionValue(random, i, seeds)};
        }, in -> {
            ResolverProvider p = (ResolverProvider) in[0];
            OptionValues values = OptionValues.of(DnsOptions.PREFIX, p.options(), Map.of((String) in[1], in[2]));
            p.validate(values);
            return values;
        }, IllegalArgumentException.class, in -> 256L * ((String) in[2]).length() + FIRST_MESSAGE);
        assertTrue(f.rejected() > f.cases() / 100 && f.rejected() < f.cases() - f.cases() / 100, "both outcomes exercised: " + f);
    }
}
