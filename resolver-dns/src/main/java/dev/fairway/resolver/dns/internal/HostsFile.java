package dev.fairway.resolver.dns.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The static host table, {@code /etc/hosts}, read as glibc's {@code files} source reads it (hosts(5)): each line is
 * an IP address followed by a canonical name and aliases, {@code #} starts a comment, names match without regard to
 * case, and every line that names the host contributes its address, in file order. At most {@value #MAX_BYTES}
 * bytes of the file are read.
 */
final class HostsFile {

    /** The system file. */
    static final Path SYSTEM = Path.of("/etc/hosts");
    /** How much of the file is read. */
    static final int MAX_BYTES = 1024 * 1024;

    private HostsFile() {
    }

    /**
     * The addresses {@code file} gives {@code name}.
     *
     * @param file the file, usually {@link #SYSTEM}
     * @param name the host name as asked (a final dot is not removed, as glibc does not)
     * @return the addresses in file order; empty when the file does not exist or does not name the host
     * @throws IOException when the file exists but cannot be read
     */
    static List<InetAddress> lookup(Path file, String name) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        String wanted = name.toLowerCase(Locale.ROOT);
        List<InetAddress> found = new ArrayList<>();
        for (String line : new String(bytes, StandardCharsets.ISO_8859_1).split("\n", -1)) {
            int hash = line.indexOf('#');
            String t = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (t.isEmpty()) {
                continue;
            }
            String[] words = t.split("\\s+");
            if (words.length < 2 || !NameServer.isLiteral(words[0])) {
                continue;                                   // glibc skips such lines too
            }
            for (int i = 1; i < words.length; i++) {
                if (words[i].toLowerCase(Locale.ROOT).equals(wanted)) {
                    InetAddress a = InetAddress.getByName(words[0]);   // a checked literal: no look-up
                    if (!found.contains(a)) {
                        found.add(a);
                    }
                    break;
                }
            }
        }
        return found;
    }
}
