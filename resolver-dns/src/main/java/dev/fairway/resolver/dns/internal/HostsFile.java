package dev.fairway.resolver.dns.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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
        return lookup(bytes, name);
    }

    /**
     * The addresses the text of a hosts file gives {@code name}. Total: lines it cannot use are skipped, as glibc
     * skips them; it allocates a small multiple of the input's size.
     *
     * @param bytes the file's bytes; at most {@value #MAX_BYTES} of them are read
     * @param name  the host name as asked
     * @return the addresses in file order; empty when the file does not name the host
     */
    static List<InetAddress> lookup(byte[] bytes, String name) {
        Set<InetAddress> found = new LinkedHashSet<>();         // a set: a long file must not cost n² comparisons
        for (String line : new String(bytes, 0, Math.min(bytes.length, MAX_BYTES), StandardCharsets.ISO_8859_1).split("\n", -1)) {
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
                if (words[i].equalsIgnoreCase(name)) {
                    InetAddress a;
                    try {
                        a = InetAddress.getByName(words[0]);   // a checked literal: no look-up
                    } catch (UnknownHostException e) {
                        break;                                  // fe80::1%nosuchinterface: skipped, as glibc does
                    }
                    found.add(a);
                    break;
                }
            }
        }
        return List.copyOf(found);
    }
}
