package dev.fairway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Reads the kernel's TCP table (Linux {@code /proc/net/tcp}) to count connections as the server side sees them. */
final class TcpTable {

    private TcpTable() {
    }

    /** Sockets in ESTABLISHED state whose local address is {@code local} (an IPv4 server address). */
    public static int established(InetSocketAddress local) {
        if (!(local.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("IPv4 only: " + local);
        }
        byte[] b = local.getAddress().getAddress();
        String key = String.format(Locale.ROOT, "%02X%02X%02X%02X:%04X", b[3] & 0xff, b[2] & 0xff, b[1] & 0xff, b[0] & 0xff, local.getPort());
        // Java's server sockets are often IPv6 sockets bound to the IPv4-mapped address: look in both tables.
        return count("/proc/net/tcp", key) + count("/proc/net/tcp6", "0000000000000000FFFF0000" + key);
    }

    private static int count(String table, String key) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of(table));
        } catch (IOException e) {
            throw new UncheckedIOException("this test reads " + table + " (Linux)", e);
        }
        int n = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[1].equals(key) && f[3].equals("01")) {
                n++;
            }
        }
        return n;
    }
}
