package dev.fairway.demo;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * How the demo shows per-backend shares: a table for a person and a {@code summary} line for a machine.
 *
 * <p>The summary line has the fixed form
 * {@code summary phase=<phase> client=<client> requests=<n> shares=<ip>:<count>,<ip>:<count>,…}, with every backend
 * (also those that served nothing, as {@code <ip>:0}) ordered by address: IPv4 before IPv6, then numerically.
 */
final class Shares {

    /** Orders addresses numerically, IPv4 before IPv6 ({@code 127.0.0.9} before {@code 127.0.0.10}). */
    static final Comparator<InetAddress> BY_ADDRESS = Comparator
            .comparingInt((InetAddress a) -> a.getAddress().length)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.getAddress(), b.getAddress()));

    /** The width of a bar for a backend that served everything. */
    static final int BAR_WIDTH = 40;

    private Shares() {
    }

    /**
     * The machine-readable line for one client in one phase.
     *
     * @param phase    the phase name, like {@code steady}
     * @param client   the client name, {@code plain} or {@code fairway}
     * @param requests how many requests the client sent
     * @param served   how many requests each backend served
     * @return the line, without a line terminator
     */
    static String summary(String phase, String client, long requests, Map<InetAddress, Long> served) {
        StringJoiner shares = new StringJoiner(",");
        sorted(served).forEach((address, count) -> shares.add(address.getHostAddress() + ":" + count));
        return "summary phase=" + phase + " client=" + client + " requests=" + requests + " shares=" + shares;
    }

    /**
     * A table for a person: one row per backend with its count, its percentage of all the backends served and a
     * bar of {@code #} ({@value #BAR_WIDTH} for 100 %, at least one for any count above zero).
     *
     * @param served how many requests each backend served
     * @return the rows, each ending with a line feed
     */
    static String table(Map<InetAddress, Long> served) {
        Map<InetAddress, Long> rows = sorted(served);
        long total = rows.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "    %-15s %8s %7s", "backend", "requests", "share")).append('\n');
        rows.forEach((address, count) -> {
            double fraction = total == 0 ? 0 : (double) count / total;
            int bar = count == 0 ? 0 : Math.max(1, (int) Math.round(fraction * BAR_WIDTH));
            out.append(String.format(Locale.ROOT, "    %-15s %8d %6.1f%%  %s",
                    address.getHostAddress(), count, 100 * fraction, "#".repeat(bar)).stripTrailing()).append('\n');
        });
        return out.toString();
    }

    private static Map<InetAddress, Long> sorted(Map<InetAddress, Long> served) {
        Map<InetAddress, Long> sorted = new TreeMap<>(BY_ADDRESS);
        sorted.putAll(served);
        return sorted;
    }
}
