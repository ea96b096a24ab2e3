package dev.fairway.resolver.dns.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A DNS server to query directly: an IP address and a port.
 *
 * @param address the server's IP address
 * @param port    its port, 1 to 65535
 */
record NameServer(InetAddress address, int port) {

    /** The DNS port. */
    static final int DNS_PORT = 53;

    /** The most name servers an option may list (glibc uses 3; each one costs a wait when it does not answer). */
    static final int MAX_LIST = 16;

    /** The allowed values of a list of name servers, in words. */
    static final String ALLOWED = "a comma-separated list of at most " + MAX_LIST + " IP addresses, each optionally with a"
            + " port (10.96.0.10, 127.0.0.1:5353, [fd00::10]:53); empty for the name servers of /etc/resolv.conf";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");

    NameServer {
        java.util.Objects.requireNonNull(address, "address");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
    }

    /**
     * Parses one server: {@code 10.0.0.1}, {@code 10.0.0.1:5353}, {@code fd00::1}, {@code [fd00::1]} or
     * {@code [fd00::1]:5353}. Host names are rejected: looking a name server up would need a name server.
     *
     * @param text        the server
     * @param defaultPort the port when none is given
     * @return the server
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    static NameServer parse(String text, int defaultPort) {
        String s = text.strip();
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + s + "' lacks the closing ]");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + s + "' has text after ]");
                }
                port = rest.substring(1);
            }
            if (host.indexOf(':') < 0) {
                throw new IllegalArgumentException("'" + s + "' puts brackets around something that is not an IPv6 address");
            }
        } else if (s.indexOf(':') != s.lastIndexOf(':')) {
            host = s;                                   // IPv6 without brackets: no port
        } else {
            int colon = s.indexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
        }
        int p = defaultPort;
        if (port != null) {
            if (!PORT.matcher(port).matches() || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("'" + s + "' has port '" + port + "': use 1 to 65535");
            }
            p = Integer.parseInt(port);
        }
        return new NameServer(literal(host, s), p);
    }

    /**
     * Parses a comma-separated list, or a list of strings or name servers.
     *
     * @param value the option value
     * @return the servers, possibly empty
     * @throws IllegalArgumentException if an item is not a server, or there are more than {@value #MAX_LIST}
     */
    static List<NameServer> parseList(Object value) {
        List<NameServer> servers = new ArrayList<>();
        if (value instanceof String s) {
            if (s.isBlank()) {
                return List.of();
            }
            String[] items = s.split(",", MAX_LIST + 1);                        // one more is enough to refuse
            if (items.length > MAX_LIST) {
                throw new IllegalArgumentException("more than " + MAX_LIST + " name servers");
            }
            for (String item : items) {
                if (item.isBlank()) {
                    throw new IllegalArgumentException("an item is empty");
                }
                servers.add(parse(item, DNS_PORT));
            }
        } else if (value instanceof List<?> list) {
            if (list.size() > MAX_LIST) {
                throw new IllegalArgumentException("more than " + MAX_LIST + " name servers");
            }
            for (Object o : list) {
                if (o instanceof NameServer n) {
                    servers.add(n);
                } else if (o instanceof String item && !item.isBlank()) {
                    servers.add(parse(item, DNS_PORT));
                } else {
                    throw new IllegalArgumentException("item '" + o + "' is not a name server");
                }
            }
        } else {
            throw new IllegalArgumentException();
        }
        return List.copyOf(servers);
    }

    /** The IP address of a literal, without any look-up; rejects host names. */
    private static InetAddress literal(String host, String whole) {
        if (!isLiteral(host)) {
            throw new IllegalArgumentException("'" + whole + "' is not an IP address (host names cannot name a name server)");
        }
        try {
            return InetAddress.getByName(host);          // a checked literal: no look-up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + whole + "' is not an IP address");
        }
    }

    /**
     * Whether {@code host} is an IPv4 literal or an IPv6 literal (without brackets, optionally with a {@code %scope}),
     * checked without any look-up, so that {@link InetAddress#getByName(String)} parses it rather than resolving it.
     *
     * @param host a host
     * @return {@code true} for an IP literal
     */
    static boolean isLiteral(String host) {
        if (IPV4.matcher(host).matches()) {
            for (String part : host.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }
        if (host.indexOf(':') < 0) {
            return false;
        }
        int scope = host.indexOf('%');
        String address = scope < 0 ? host : host.substring(0, scope);
        if (scope >= 0 && (scope == host.length() - 1
                || !host.substring(scope + 1).chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c)))) {
            return false;
        }
        try {
            URI uri = new URI("dns://[" + address + "]/");    // RFC 2732 syntax check, no look-up
            return uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /**
     * The JNDI provider URL of this server.
     *
     * @return for example {@code dns://10.0.0.1:53} or {@code dns://[fd00::1]:53}
     */
    String url() {
        return "dns://" + authority();
    }

    /**
     * The server as people write it.
     *
     * @return for example {@code 10.0.0.1:53} or {@code [fd00::1]:53}
     */
    String authority() {
        String ip = address.getHostAddress();
        if (address instanceof Inet6Address) {
            int scope = ip.indexOf('%');
            ip = "[" + (scope >= 0 ? ip.substring(0, scope) : ip) + "]";
        }
        return ip + ":" + port;
    }

    @Override
    public String toString() {
        return authority();
    }
}
