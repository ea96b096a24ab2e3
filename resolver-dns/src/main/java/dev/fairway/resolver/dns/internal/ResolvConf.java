package dev.fairway.resolver.dns.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the name servers of the system configuration, {@code /etc/resolv.conf}: its {@code nameserver} lines, in
 * order, at most three (as glibc uses). Other lines ({@code search}, {@code options}, comments starting with
 * {@code #} or {@code ;}) are ignored: direct look-ups query names as given, with their own timeouts.
 */
final class ResolvConf {

    /** The system configuration file. */
    static final Path SYSTEM = Path.of("/etc/resolv.conf");

    /** How many name servers glibc uses (MAXNS). */
    static final int MAX_SERVERS = 3;

    private ResolvConf() {
    }

    /**
     * The name servers listed in {@code file}.
     *
     * @param file        the file, usually {@link #SYSTEM}
     * @param defaultPort the port of each server (resolv.conf has no port syntax; 53 outside tests)
     * @return one to three servers
     * @throws IOException naming the file when it cannot be read, lists no usable server or has a malformed
     *                     {@code nameserver} line
     */
    static List<NameServer> read(Path file, int defaultPort) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new IOException("malformed configuration: " + file + " does not exist, so there are no name servers to"
                    + " query; set fairway.resolver.name_servers or use mode=system", e);
        } catch (IOException e) {
            throw new IOException("malformed configuration: cannot read " + file + " (" + e + "); set"
                    + " fairway.resolver.name_servers or use mode=system", e);
        }
        List<NameServer> servers = new ArrayList<>();
        int number = 0;
        for (String line : lines) {
            number++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith(";")) {
                continue;
            }
            String[] words = t.split("\\s+");
            if (!words[0].equals("nameserver")) {
                continue;
            }
            if (words.length < 2) {
                throw new IOException("malformed configuration: " + file + " line " + number + " '" + t
                        + "' names no server; fix it or set fairway.resolver.name_servers");
            }
            String address = words[1];
            if (!NameServer.isLiteral(address)) {
                throw new IOException("malformed configuration: " + file + " line " + number + " '" + t + "': '" + address
                        + "' is not an IP address; fix it or set fairway.resolver.name_servers");
            }
            if (servers.size() < MAX_SERVERS) {
                try {
                    servers.add(NameServer.parse(address.indexOf(':') >= 0 ? "[" + address + "]" : address, defaultPort));
                } catch (IllegalArgumentException e) {
                    throw new IOException("malformed configuration: " + file + " line " + number + " '" + t + "': "
                            + e.getMessage() + "; fix it or set fairway.resolver.name_servers", e);
                }
            }
        }
        if (servers.isEmpty()) {
            throw new IOException("malformed configuration: " + file + " has no nameserver line; set"
                    + " fairway.resolver.name_servers or use mode=system");
        }
        return List.copyOf(servers);
    }
}
