package dev.fairway.spi;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * A logical destination: the scheme, host and port of the URIs a caller sends requests to. Fairway keeps one
 * pool of backends per target.
 *
 * @param scheme {@code "http"} or {@code "https"}, lower case
 * @param host   the host name or IP literal (IPv6 without brackets), lower case
 * @param port   the port, 1 to 65535 (the scheme's default when the URI has none)
 */
public record Target(String scheme, String host, int port) {

    /**
     * Validates and normalises the target.
     *
     * @throws IllegalArgumentException if the scheme is not http or https, the host is empty or the port is out
     *                                  of range
     */
    public Target {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        scheme = scheme.toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("scheme '" + scheme + "' is not supported: use http or https");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c == '[' || c == ']' || c == '/' || c == '?' || c == '#' || c == '@') {
                throw new IllegalArgumentException("host '" + host + "' is not a host name or IP address");
            }
        }
        host = host.toLowerCase(Locale.ROOT);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range: use 1 to 65535");
        }
    }

    /**
     * The target of a request URI.
     *
     * @param uri an absolute http or https URI with a host
     * @return the target
     * @throws IllegalArgumentException if the URI is not absolute, has another scheme, or has no host
     */
    public static Target of(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme();
        if (scheme == null) {
            throw new IllegalArgumentException("URI '" + uri + "' is not absolute: use http://host[:port]/... or https://...");
        }
        String s = scheme.toLowerCase(Locale.ROOT);
        if (!s.equals("http") && !s.equals("https")) {
            throw new IllegalArgumentException("URI '" + uri + "' has scheme '" + scheme + "': use http or https");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            String authority = uri.getRawAuthority();
            String named = authority == null ? "" : authority.substring(authority.indexOf('@') + 1).replaceFirst(":\\d*$", "");
            if (!named.isEmpty()) {
                throw new IllegalArgumentException("URI '" + uri + "' has no valid host name: java.net.URI rejects characters such as '_' in"
                        + " host names; use a name of letters, digits, '-' and '.'");
            }
            throw new IllegalArgumentException("URI '" + uri + "' has no host: use http://host[:port]/... or https://...");
        }
        int port = uri.getPort();
        if (port == -1) {
            port = s.equals("https") ? 443 : 80;
        }
        return new Target(s, host, port);
    }

    /**
     * Whether the scheme is https.
     *
     * @return {@code true} for https
     */
    public boolean secure() {
        return scheme.equals("https");
    }

    /**
     * The authority as it appears in URIs: {@code host:port}, with brackets around an IPv6 literal.
     *
     * @return the authority
     */
    public String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * The root URI of the target, {@code scheme://host:port/}.
     *
     * @return the URI
     */
    public URI uri() {
        return URI.create(scheme + "://" + authority() + "/");
    }

    @Override
    public String toString() {
        return scheme + "://" + authority();
    }
}
