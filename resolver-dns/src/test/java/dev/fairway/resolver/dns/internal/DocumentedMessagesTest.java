package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Target;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The messages docs/dns.md (and the guide and operations.md) quote for the DNS resolvers are the messages they give:
 * each quote is looked up in its page, the failure produced against a real or a crafted name server, and its message
 * matched against the quote, where {@code …} stands for any text, a lone {@code N} for a number, and the example
 * values the test names (a host, a server, a path) for what it produced instead. Every message in dns.md's error table
 * must be checked here ({@link #everyMessageOfTheErrorTableIsCheckedHere}).
 */
class DocumentedMessagesTest {

    private static final String DNS = "docs/dns.md";
    private static final String GUIDE = "docs/guide.md";
    private static final String OPERATIONS = "docs/operations.md";

    // docs/dns.md, "Options" and "Errors"
    static final String BAD_POLICY = "fairway.resolver.address_policy = 'ipv4' is not allowed: use one of prefer_ipv4,"
            + " prefer_ipv6, ipv4_only, ipv6_only, both";
    static final String FORM = "cannot resolve <host>: <Type>: <what was asked, of whom, and what came back>[; keeping the last N"
            + " addresses]";
    static final String RETRY_LOG = "… (failure 2 in a row; retrying in 1.9s)";
    static final String NXDOMAIN = "NXDOMAIN (no such name) for A orders.test from name server 10.96.0.10:53";
    static final String NXDOMAIN_SEARCH = "NXDOMAIN (no such name) for A ordres (tried ordres.shop.svc.cluster.local,"
            + " ordres.svc.cluster.local, ordres.cluster.local, ordres: the search list and ndots:5 of /etc/resolv.conf) from …";
    static final String NODATA = "NODATA (no A or AAAA records) for orders.test from name server …";
    static final String SERVFAIL = "SERVFAIL (the name server failed) for A … from name server …";
    static final String REFUSED = "REFUSED for A … from name server … (does that server resolve this name for you?)";
    static final String TIMEOUT = "timeout: no answer for A … from name server … within 3s (query_timeout 1s, query_attempts 2)";
    static final String UNREACHABLE = "name server unreachable: A … from name server 127.0.0.1:53 got ICMP port unreachable"
            + " (is a DNS server listening there?)";
    static final String UNREADABLE = "malformed configuration: cannot read /etc/resolv.conf (…)";
    static final String SRV_NO_SERVERS = "malformed configuration: /etc/resolv.conf does not exist, so there are no name servers to"
            + " query; set fairway.resolver.name_servers";
    static final String MALFORMED = "DNS error for A … from name server …: malformed response: a compression pointer at byte 29"
            + " points forward (to 40)";
    static final String SRV_REFUSED_LOG = "SRV _http._tcp.orders.test 0 1 22 pod-b.test: refused: the port is not in"
            + " fairway.resolver.ports = 8000-8999 (logged once)";
    static final String SRV_ALL_REFUSED = "every SRV record of … has a port outside fairway.resolver.ports = … and was refused: …";
    static final String SRV_PORT_0 = "every SRV record of _http._tcp.orders.test has a port outside fairway.resolver.ports ="
            + " 1-65535 and was refused: SRV _http._tcp.orders.test 0 1 0 pod-a.test";
    // docs/guide.md, "Health checks and DNS"
    static final String GUIDE_MALFORMED = "IOException: malformed response: …";
    static final String GUIDE_CNAME = "IOException: malformed answer: the CNAME chain from … is longer than 8 (a loop?)";
    static final String GUIDE_SRV_ALL_REFUSED = "IOException: every SRV record of … has a port outside …";
    static final String GUIDE_SKIPPED = "and N more lines skipped";
    // docs/operations.md, "Troubleshooting"
    static final String OPS_NXDOMAIN = "UnknownHostException: NXDOMAIN … (tried a.ns.svc.cluster.local, …)";

    @TempDir
    static Path dir;
    private static Dnsmasq dns;

    @BeforeAll
    static void startDns() throws IOException {
        dns = Dnsmasq.start(dir);
        dns.hosts(Map.of("pod-a.test", List.of("127.0.0.2"), "pod-b.test", List.of("127.0.0.3")));
        dns.configure(BASE);
    }

    /**
     * The server's configuration besides the tests' SRV records: orders.test exists without addresses (a TXT record),
     * and names under cluster.local and single labels are its own (NXDOMAIN rather than REFUSED).
     */
    private static final List<String> BASE = List.of("txt-record=orders.test,\"exists without addresses\"",
            "local=/cluster.local/", "domain-needed");

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    // ---------------------------------------------------------------------------------------------------- quotes

    /** A page of the docs with its lines joined, so that a quote wrapped over two lines reads as one. */
    static String page(String relative) {
        try {
            return Files.readString(Path.of("..").resolve(relative)).replaceAll("\n[ \t]*", " ");
        } catch (IOException e) {
            throw new AssertionError("cannot read " + relative + " (the tests run in the module's directory)", e);
        }
    }

    /** The lines of a page of the docs, as they are. */
    static List<String> lines(String relative) {
        try {
            return Files.readAllLines(Path.of("..").resolve(relative));
        } catch (IOException e) {
            throw new AssertionError("cannot read " + relative, e);
        }
    }

    /** Asserts {@code page} quotes {@code quote} (in backticks or double quotes) and returns it. */
    static String quoted(String page, String quote) {
        String text = page(page);
        assertTrue(text.contains("`" + quote + "`") || text.contains("\"" + quote + "\""),
                () -> page + " no longer quotes '" + quote + "': update the check here with the docs");
        return quote;
    }

    /**
     * The quote as a pattern: its text literally, except {@code …} (any text) and a lone {@code N} (a number);
     * {@code examples} replaces example values with what the test produced (a {@link Pattern} for a value that
     * varies from run to run).
     */
    static Pattern pattern(String quote, Map<String, ?> examples) {
        String text = quote;
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, ?> e : examples.entrySet()) {
            assertTrue(text.contains(e.getKey()), () -> "the quote '" + quote + "' has no example value '" + e.getKey() + "'");
            text = text.replace(e.getKey(), "\u0000" + values.size() + "\u0001");
            values.add(e.getValue() instanceof Pattern p ? p.pattern() : Pattern.quote(e.getValue().toString()));
        }
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("…|\\bN\\b|\u0000(\\d+)\u0001").matcher(text);
        int at = 0;
        while (m.find()) {
            regex.append(Pattern.quote(text.substring(at, m.start())));
            regex.append(m.group(1) != null ? values.get(Integer.parseInt(m.group(1))) : m.group().equals("N") ? "\\d+" : ".*?");
            at = m.end();
        }
        regex.append(Pattern.quote(text.substring(at)));
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /** Asserts {@code actual} holds what {@code quote} says, with the example values {@code examples} replaced. */
    static void holds(String quote, String actual, Map<String, ?> examples) {
        assertTrue(pattern(quote, examples).matcher(actual).find(),
                () -> "the docs quote '" + quote + "' (examples " + examples + "); the code says: " + actual);
    }

    static void holds(String quote, String actual) {
        holds(quote, actual, Map.of());
    }

    /** {@code SimpleName: message}, as a quote that names the type reads. */
    static String typed(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** The failure and its causes, one {@link #typed} line each. */
    static String chain(Throwable e) {
        StringBuilder lines = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            lines.append(typed(t)).append('\n');
        }
        return lines.toString();
    }

    private static Map<String, String> examples(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    // ---------------------------------------------------------------------------------------------------- resolvers

    private static final Target ORDERS = new Target("http", "orders.test", 8080);

    /** The first error of a {@code dns} resolver (direct mode) with {@code options} over quick retries. */
    private static IOException firstError(Target target, Map<String, String> options, DirectLookup.SystemFiles files) {
        Map<String, String> all = new HashMap<>(Map.of("refresh_interval", "10s", "backoff_initial", "5s", "backoff_max", "10s",
                "query_timeout", "200ms"));
        all.putAll(options);
        try (Live live = new Live(new DnsResolverProvider(), target, all, files)) {
            return live.awaitErrors(1).get(0);
        }
    }

    private static IOException firstError(Map<String, String> options) {
        return firstError(ORDERS, options, null);
    }

    @Test
    void aBadOptionValueIsTheExampleOfDnsMd() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OptionValues.of(DnsOptions.PREFIX,
                new DnsResolverProvider().options(), Map.of("address_policy", "ipv4")));
        holds(quoted(DNS, BAD_POLICY), e.getMessage());
    }

    @Test
    void answersWithoutAddressesAreTheTablesNxdomainAndNodata() throws IOException {
        IOException nx = firstError(new Target("http", "nope.test", 8080), Map.of("name_servers", dns.server()), null);
        holds(quoted(DNS, NXDOMAIN), nx.getMessage(), examples("orders.test", "nope.test", "10.96.0.10:53", dns.server()));
        holds(formOf(quoted(DNS, FORM)), nx.getMessage(), Map.of());
        assertTrue(nx instanceof java.net.UnknownHostException, chain(nx));

        // NODATA is an error only when it would replace a published set (with nothing published, it is the answer)
        Map<String, List<String>> pods = Map.of("pod-a.test", List.of("127.0.0.2"), "pod-b.test", List.of("127.0.0.3"));
        Map<String, List<String>> withOrders = new HashMap<>(pods);
        withOrders.put("orders.test", List.of("127.0.0.2"));
        dns.hosts(withOrders);
        try (Live live = new Live(new DnsResolverProvider(), ORDERS, Map.of("name_servers", dns.server(), "refresh_interval", "100ms",
                "backoff_initial", "5s", "backoff_max", "10s"))) {
            live.awaitSockets(java.util.Set.of("127.0.0.2:8080"));
            dns.hosts(pods);                                             // orders.test keeps its TXT record only
            IOException nodata = live.awaitErrors(1).get(0);
            holds(quoted(DNS, NODATA), nodata.getMessage());
            assertTrue(nodata instanceof java.net.UnknownHostException, chain(nodata));
            holds(formOf(quoted(DNS, FORM)) + "; keeping the last N address", nodata.getMessage(), Map.of());
        } finally {
            dns.hosts(pods);
        }
    }

    /** The form {@code cannot resolve <host>: <Type>: <what…>[; keeping the last N addresses]} as a quote of its own. */
    private static String formOf(String form) {
        String text = form.replace("<host>", "…").replace("<Type>", "…").replace("<what was asked, of whom, and what came back>", "…");
        assertTrue(text.endsWith("[; keeping the last N addresses]"), form);
        return text.substring(0, text.length() - "[; keeping the last N addresses]".length());
    }

    @Test
    void aSearchThatFindsNothingNamesEveryNameTried() throws IOException {
        Path conf = Files.writeString(dir.resolve("resolv-search.conf"),
                "search shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\nnameserver 127.0.0.1\n");
        DirectLookup.SystemFiles files = new DirectLookup.SystemFiles(conf, dir.resolve("hosts-none"), dns.port(), Map.of());
        IOException e = firstError(new Target("http", "ordres", 8080), Map.of(), files);
        holds(quoted(DNS, NXDOMAIN_SEARCH), e.getMessage(), examples("/etc/resolv.conf", conf.toString()));
        holds(quoted(OPERATIONS, OPS_NXDOMAIN), typed(e), examples("a.ns.svc.cluster.local", "ordres.shop.svc.cluster.local"));
    }

    @Test
    void serverFailuresAreTheTablesServfailRefusedTimeoutAndUnreachable() throws IOException {
        try (FakeDnsServer servfail = new FakeDnsServer(FakeDnsServer.SERVFAIL);
             FakeDnsServer refused = new FakeDnsServer(FakeDnsServer.REFUSED);
             FakeDnsServer silent = new FakeDnsServer(FakeDnsServer.SILENT)) {
            holds(quoted(DNS, SERVFAIL), firstError(Map.of("name_servers", servfail.server())).getMessage());
            holds(quoted(DNS, REFUSED), firstError(Map.of("name_servers", refused.server())).getMessage());
            IOException timeout = firstError(Map.of("name_servers", silent.server(), "query_timeout", "100ms"));
            holds(quoted(DNS, TIMEOUT), timeout.getMessage(), examples("within 3s", "within 300ms", "query_timeout 1s", "query_timeout 100ms"));
            assertTrue(timeout instanceof java.net.SocketTimeoutException, chain(timeout));
        }
        int closed;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            closed = probe.getLocalPort();
        }
        IOException unreachable = firstError(Map.of("name_servers", "127.0.0.1:" + closed));
        holds(quoted(DNS, UNREACHABLE), unreachable.getMessage(), examples("127.0.0.1:53", "127.0.0.1:" + closed));
        assertTrue(unreachable instanceof java.net.PortUnreachableException, chain(unreachable));
    }

    @Test
    void configurationProblemsAreTheTablesWords() throws IOException {
        Path unreadable = Files.createDirectories(dir.resolve("resolv-dir.conf")); // a directory: it cannot be read
        IOException e = firstError(ORDERS, Map.of(), new DirectLookup.SystemFiles(unreadable, dir.resolve("hosts-none"), dns.port(), Map.of()));
        holds(quoted(DNS, UNREADABLE), e.getMessage(), examples("/etc/resolv.conf", unreadable.toString()));

        DirectLookup.SystemFiles none = new DirectLookup.SystemFiles(dir.resolve("no-resolv.conf"), dir.resolve("hosts-none"), dns.port(), Map.of());
        try (Live live = new Live(new DnsSrvResolverProvider(), ORDERS, Map.of("backoff_initial", "5s", "backoff_max", "10s"), none)) {
            holds(quoted(DNS, SRV_NO_SERVERS), live.awaitErrors(1).get(0).getMessage(),
                    examples("/etc/resolv.conf", none.resolvConf().toString()));
        }

        StringBuilder bad = new StringBuilder("nameserver 127.0.0.1\n");
        for (int i = 0; i < ResolvConf.MAX_PROBLEMS + 3; i++) {
            bad.append("nameserver not-an-address-").append(i).append('\n');
        }
        ResolvConf conf = ResolvConf.parse(bad.toString().getBytes(StandardCharsets.US_ASCII), "resolv.conf", 53, Map.of());
        holds(quoted(GUIDE, GUIDE_SKIPPED), conf.problems().get(conf.problems().size() - 1));
    }

    // ---------------------------------------------------------------------------------------------------- crafted

    /** A name server on 127.0.0.1 that answers each query with what {@code answer} makes of it. */
    private static final class CraftedServer implements AutoCloseable {
        private final DatagramSocket socket;

        CraftedServer(UnaryOperator<byte[]> answer) throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            Thread.ofPlatform().daemon().start(() -> {
                byte[] buffer = new byte[1500];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket query = new DatagramPacket(buffer, buffer.length);
                        socket.receive(query);
                        byte[] response = answer.apply(java.util.Arrays.copyOf(buffer, query.getLength()));
                        socket.send(new DatagramPacket(response, response.length, query.getSocketAddress()));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        String server() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /**
     * A response to {@code query} (for {@code orders.test}: its question ends at byte 29) with one answer record
     * whose name is {@code name} and whose type and data follow.
     */
    private static byte[] respond(byte[] query, byte[] name, int type, byte[] data) {
        int questionEnd = 12;
        while (query[questionEnd] != 0) {
            questionEnd += query[questionEnd] + 1;
        }
        questionEnd += 5;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(query, 0, 2);                                        // the query's id
        out.writeBytes(new byte[]{(byte) 0x81, (byte) 0x80, 0, 1, 0, 1, 0, 0, 0, 0}); // a response, 1 question, 1 answer
        out.write(query, 12, questionEnd - 12);
        out.writeBytes(name);
        out.writeBytes(new byte[]{0, (byte) type, 0, 1, 0, 0, 0, 5, 0, (byte) data.length});
        out.writeBytes(data);
        return out.toByteArray();
    }

    @Test
    void aMalformedResponseAndACnameLoopAreTheWordsOfDnsMdAndTheGuide() throws IOException {
        // the answer's name, at byte 29, is a compression pointer to byte 40, after it
        try (CraftedServer forward = new CraftedServer(q -> respond(q, new byte[]{(byte) 0xC0, 40}, 1, new byte[]{127, 0, 0, 2}))) {
            IOException e = firstError(Map.of("name_servers", forward.server()));
            String lines = chain(e);
            holds(quoted(DNS, MALFORMED), lines);
            holds(quoted(GUIDE, GUIDE_MALFORMED), lines);
        }
        // orders.test is a CNAME of itself
        try (CraftedServer loop = new CraftedServer(q -> respond(q, new byte[]{(byte) 0xC0, 12}, 5, new byte[]{(byte) 0xC0, 12}))) {
            IOException e = firstError(Map.of("name_servers", loop.server()));
            holds(quoted(GUIDE, GUIDE_CNAME), chain(e));
        }
    }

    // ---------------------------------------------------------------------------------------------------- logs

    /** Runs {@code body} while recording what {@code logger} logs, at every level. */
    private static List<String> logged(String logger, ThrowingRunnable body) throws IOException {
        List<String> messages = new CopyOnWriteArrayList<>();
        Logger jul = Logger.getLogger(logger);
        Level level = jul.getLevel();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                messages.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.setLevel(Level.ALL);
        jul.addHandler(handler);
        try {
            body.run();
        } finally {
            jul.removeHandler(handler);
            jul.setLevel(level);
        }
        return messages;
    }

    private interface ThrowingRunnable {
        void run() throws IOException;
    }

    @Test
    void theSecondFailureInARowIsLoggedWithTheRetry() throws IOException {
        try (FakeDnsServer servfail = new FakeDnsServer(FakeDnsServer.SERVFAIL)) {
            List<String> lines = logged(DnsResolver.class.getName(), () -> {
                try (Live live = new Live(new DnsResolverProvider(), ORDERS, Map.of("name_servers", servfail.server(),
                        "backoff_initial", "50ms", "backoff_max", "100ms"))) {
                    live.awaitErrors(2);
                }
            });
            String second = lines.stream().filter(l -> l.contains("(failure 2 in a row")).findFirst()
                    .orElseThrow(() -> new AssertionError("no second failure logged: " + lines));
            holds(quoted(DNS, RETRY_LOG), second, Map.of("1.9s", Pattern.compile("[0-9.]+m?s")));
        }
    }

    @Test
    void refusedSrvRecordsAreLoggedAndFailInTheDocsWords() throws IOException {
        Target orders = new Target("http", "orders.test", 80);
        Map<String, String> quick = Map.of("name_servers", dns.server(), "backoff_initial", "5s", "backoff_max", "10s",
                "refresh_interval", "10s");
        dns.configure(with("srv-host=_http._tcp.orders.test,pod-a.test,8081,0,1", "srv-host=_http._tcp.orders.test,pod-b.test,22,0,1"));
        Map<String, String> ports = new HashMap<>(quick);
        ports.put("ports", "8000-8999");
        List<String> lines = logged(SrvLookup.class.getName(), () -> {
            try (Live live = new Live(new DnsSrvResolverProvider(), orders, ports)) {
                live.awaitSockets(java.util.Set.of("127.0.0.2:8081"));
            }
        });
        holds(quoted(DNS, SRV_REFUSED_LOG), String.join("\n", lines));
        holds(quoted(GUIDE, SRV_REFUSED_LOG), String.join("\n", lines));

        dns.configure(with("srv-host=_http._tcp.orders.test,pod-a.test,0,0,1")); // port 0: refused whatever ports allows
        try (Live live = new Live(new DnsSrvResolverProvider(), orders, quick)) {
            IOException e = live.awaitErrors(1).get(0);
            holds(quoted(DNS, SRV_ALL_REFUSED), e.getMessage());
            holds(quoted(DNS, SRV_PORT_0), e.getMessage());
            holds(quoted(GUIDE, GUIDE_SRV_ALL_REFUSED), typed(e));
        } finally {
            dns.configure(BASE);
        }
    }

    private static List<String> with(String... lines) {
        List<String> all = new ArrayList<>(BASE);
        all.addAll(List.of(lines));
        return all;
    }

    // ---------------------------------------------------------------------------------------------------- coverage

    @Test
    void everyMessageOfTheErrorTableIsCheckedHere() throws IllegalAccessException {
        List<String> checked = new ArrayList<>();
        for (var field : DocumentedMessagesTest.class.getDeclaredFields()) {
            if (field.getType() == String.class && java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                checked.add((String) field.get(null));
            }
        }
        List<String> lines = lines(DNS);
        int start = lines.indexOf("| failure | type | message says | meaning and what to do |");
        assertTrue(start >= 0, "dns.md's error table is gone");
        List<String> unchecked = new ArrayList<>();
        for (String row : lines.subList(start + 2, lines.size())) {
            if (!row.startsWith("|")) {
                break;
            }
            String[] parts = row.split("\\|")[3].split("`");
            for (int i = 1; i < parts.length; i += 2) {
                if (parts[i].contains(" ") && !checked.contains(parts[i])) {
                    unchecked.add(parts[i]);
                }
            }
        }
        // the system resolver's row quotes the JDK's own words for one platform ("for example"): not Fairway's
        unchecked.remove("orders: Name or service not known");
        assertTrue(unchecked.isEmpty(), "quoted in dns.md's error table, checked nowhere: " + unchecked);
    }
}
