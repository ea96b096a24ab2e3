package dev.fairway.resolver.dns.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The system resolver's configuration, {@code /etc/resolv.conf}, read as glibc reads it (resolv.conf(5)):
 *
 * <ul>
 * <li>{@code nameserver} lines, in order, at most {@value #MAX_SERVERS}; a line whose value is not an IP address is
 *     skipped (as glibc does) and reported in {@link #problems()};</li>
 * <li>{@code search} and {@code domain}: the last of them wins; {@code domain d} is {@code search d}; at most
 *     {@value #MAX_SEARCH} domains;</li>
 * <li>{@code options ndots:n} (0 to 15, default 1), {@code timeout:n} (seconds, 1 to 30), {@code attempts:n} (1 to 5)
 *     and {@code rotate}; other options are ignored; values beyond the bounds are clamped as glibc clamps them;</li>
 * <li>the environment as glibc reads it: {@code LOCALDOMAIN} replaces the search list, {@code RES_OPTIONS} adds
 *     options after the file's.</li>
 * </ul>
 *
 * <p>Comments start with {@code #} or {@code ;}. At most {@value #MAX_BYTES} bytes of the file are read, at most
 * {@value #MAX_PROBLEMS} skipped lines are reported (the rest counted), each quoted up to {@value #MAX_QUOTE}
 * characters.
 *
 * @param servers  the name servers; empty when the file names no usable one
 * @param search   the search domains, lower case, without final dots
 * @param ndots    a name with at least this many dots is tried as given before the search domains
 * @param timeout  {@code options timeout:}, if given, in seconds
 * @param attempts {@code options attempts:}, if given
 * @param rotate   {@code options rotate}
 * @param problems lines that were skipped, with the reason, for a warning
 */
record ResolvConf(List<NameServer> servers, List<String> search, int ndots, OptionalInt timeout, OptionalInt attempts,
                  boolean rotate, List<String> problems) {

    /** The system configuration file. */
    static final Path SYSTEM = Path.of("/etc/resolv.conf");

    /** No configuration: no servers, no search list, glibc's defaults (as without the file). */
    static final ResolvConf EMPTY = new ResolvConf(List.of(), List.of(), 1, OptionalInt.empty(), OptionalInt.empty(),
            false, List.of());

    /** How many name servers glibc uses (MAXNS). */
    static final int MAX_SERVERS = 3;
    /** How many search domains are kept. */
    static final int MAX_SEARCH = 32;
    /** How much of the file is read (and of {@code LOCALDOMAIN} and {@code RES_OPTIONS}). */
    static final int MAX_BYTES = 64 * 1024;
    /** How many skipped lines are reported one by one; the rest are counted. */
    static final int MAX_PROBLEMS = 10;
    /** How much of a skipped line a problem quotes. */
    static final int MAX_QUOTE = 100;
    /** glibc's ceiling for ndots (RES_MAXNDOTS). */
    static final int MAX_NDOTS = 15;
    /** glibc's ceiling for timeout, in seconds (RES_MAXRETRANS). */
    static final int MAX_TIMEOUT = 30;
    /** glibc's ceiling for attempts (RES_MAXRETRY). */
    static final int MAX_ATTEMPTS = 5;

    ResolvConf {
        servers = List.copyOf(servers);
        search = List.copyOf(search);
        problems = List.copyOf(problems);
    }

    /**
     * Reads {@code file} and the environment.
     *
     * @param file        the file, usually {@link #SYSTEM}
     * @param defaultPort the port of each server (resolv.conf has no port syntax; 53 outside tests)
     * @param environment the environment ({@link System#getenv()} outside tests), for {@code LOCALDOMAIN} and
     *                    {@code RES_OPTIONS}
     * @return the configuration; its server list may be empty
     * @throws NoSuchFileException when the file does not exist
     * @throws IOException         when it cannot be read
     */
    static ResolvConf read(Path file, int defaultPort, Map<String, String> environment) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES);
        }
        return parse(bytes, file.toString(), defaultPort, environment);
    }

    /**
     * Reads the text of a configuration file and the environment. Total: whatever the bytes and the environment
     * hold, it returns (lines it cannot use are skipped, and at most {@value #MAX_PROBLEMS} of them reported, each
     * quoted up to {@value #MAX_QUOTE} characters); it allocates a small multiple of the input's size.
     *
     * @param bytes       the file's bytes, at most {@value #MAX_BYTES} of them are read
     * @param file        the file's name, for problems
     * @param defaultPort the port of each server
     * @param environment the environment, for {@code LOCALDOMAIN} and {@code RES_OPTIONS}
     * @return the configuration; its server list may be empty
     */
    static ResolvConf parse(byte[] bytes, String file, int defaultPort, Map<String, String> environment) {
        List<NameServer> servers = new ArrayList<>();
        List<String> search = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Options options = new Options();
        int number = 0;
        for (String line : new String(bytes, 0, Math.min(bytes.length, MAX_BYTES), StandardCharsets.ISO_8859_1).split("\n", -1)) {
            number++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith(";")) {
                continue;
            }
            String[] words = t.split("\\s+");
            switch (words[0]) {
                case "nameserver" -> {
                    if (words.length < 2 || !NameServer.isLiteral(words[1])) {
                        problems.add(file + " line " + number + " '" + quote(t) + "' names no IP address; skipped");
                    } else if (servers.size() < MAX_SERVERS) {
                        String a = words[1];
                        try {
                            servers.add(NameServer.parse(a.indexOf(':') >= 0 ? "[" + a + "]" : a, defaultPort));
                        } catch (IllegalArgumentException e) {
                            problems.add(file + " line " + number + " '" + quote(t) + "': " + quote(e.getMessage()) + "; skipped");
                        }
                    }
                }
                case "search", "domain" -> {
                    search.clear();
                    for (int i = 1; i < words.length && search.size() < MAX_SEARCH; i++) {
                        if (words[i].startsWith("#") || words[i].startsWith(";")) {
                            break;
                        }
                        String d = DnsMessage.lower(words[i]);
                        if (!d.isEmpty()) {
                            search.add(d);
                        }
                    }
                }
                case "options" -> {
                    for (int i = 1; i < words.length; i++) {
                        options.apply(words[i]);
                    }
                }
                default -> {
                    // sortlist and anything else: not used by a stub resolver that publishes every address
                }
            }
        }
        String localDomain = environment.get("LOCALDOMAIN");
        if (localDomain != null) {
            search.clear();
            for (String d : clip(localDomain).strip().split("\\s+")) {
                if (!d.isEmpty() && search.size() < MAX_SEARCH) {
                    search.add(DnsMessage.lower(d));
                }
            }
        }
        String resOptions = environment.get("RES_OPTIONS");
        if (resOptions != null) {
            for (String o : clip(resOptions).strip().split("\\s+")) {
                options.apply(o);
            }
        }
        if (problems.size() > MAX_PROBLEMS) {
            int more = problems.size() - MAX_PROBLEMS;
            problems.subList(MAX_PROBLEMS, problems.size()).clear();
            problems.add("and " + more + " more " + (more == 1 ? "line" : "lines") + " skipped");
        }
        return new ResolvConf(servers, search, options.ndots, options.timeout, options.attempts, options.rotate, problems);
    }

    /** A line as problems quote it: at most {@value #MAX_QUOTE} characters. */
    private static String quote(String line) {
        return line.length() <= MAX_QUOTE ? line : line.substring(0, MAX_QUOTE) + "...";
    }

    /** An environment variable, read up to {@value #MAX_BYTES} characters like the file. */
    private static String clip(String value) {
        return value.length() <= MAX_BYTES ? value : value.substring(0, MAX_BYTES);
    }

    /**
     * The names to ask for {@code name}, in order, as glibc's {@code res_nsearch} does: a name with a final dot
     * is asked only as it is; one with at least {@code ndots} dots is asked as it is first, then with each search
     * domain; any other first with each search domain, then as it is.
     *
     * @param name a host name, possibly with a final dot
     * @return the names, without final dots, distinct
     */
    List<String> candidates(String name) {
        if (name.endsWith(".")) {
            return List.of(DnsMessage.lower(name));
        }
        String n = DnsMessage.lower(name);
        long dots = n.chars().filter(c -> c == '.').count();
        List<String> out = new ArrayList<>(search.size() + 1);
        if (dots >= ndots) {
            out.add(n);
        }
        for (String domain : search) {
            String candidate = n + "." + domain;
            if (candidate.length() <= DnsMessage.MAX_NAME - 2 && !out.contains(candidate)) {
                out.add(candidate);
            }
        }
        if (dots < ndots && !out.contains(n)) {
            out.add(n);
        }
        return out;
    }

    /** The {@code options} words, applied in order. */
    private static final class Options {
        int ndots = 1;
        OptionalInt timeout = OptionalInt.empty();
        OptionalInt attempts = OptionalInt.empty();
        boolean rotate;

        void apply(String word) {
            String w = word.toLowerCase(Locale.ROOT);
            if (w.equals("rotate")) {
                rotate = true;
            } else if (w.startsWith("ndots:")) {
                number(w, 0, MAX_NDOTS).ifPresent(n -> ndots = n);
            } else if (w.startsWith("timeout:")) {
                number(w, 1, MAX_TIMEOUT).ifPresent(n -> timeout = OptionalInt.of(n));
            } else if (w.startsWith("attempts:")) {
                number(w, 1, MAX_ATTEMPTS).ifPresent(n -> attempts = OptionalInt.of(n));
            }
        }

        /** The number after the colon, clamped; empty when there is none (glibc ignores such a word). */
        private static OptionalInt number(String word, int min, int max) {
            String digits = word.substring(word.indexOf(':') + 1);
            if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(Math.max(min, Math.min(max, Integer.parseInt(digits))));
        }
    }
}
