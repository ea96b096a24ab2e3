package dev.fairway.internal;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.Option;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.ResolverProvider;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The built-in {@code static} resolver: a fixed list of IP addresses, for fixed fleets and tests. Every target
 * of the client resolves to the same list; an address without a port takes the target's port.
 *
 * {@snippet :
 * FairwayClient.newBuilder().resolver("static").resolverOption("addresses", "10.0.0.5,10.0.0.6:8443,[fd00::7]")
 * }
 */
public final class StaticResolverProvider implements ResolverProvider {

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    /** The addresses: IP literals, each optionally with a port. */
    static final Option<List<Entry>> ADDRESSES = Option.<List<Entry>>ofCustom("addresses", List.of(),
            "the fixed backend addresses", "a comma-separated list of IP addresses, each optionally with :port, IPv6 as [addr] or [addr]:port",
            StaticResolverProvider::parse).required();

    /** One configured address; port 0 means the target's port. */
    record Entry(InetAddress ip, int port) {
    }

    /** Creates the provider; does nothing else. */
    public StaticResolverProvider() {
    }

    @Override
    public String name() {
        return "static";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(ADDRESSES);
    }

    @Override
    public Resolver create(ResolverContext context) {
        List<BackendAddress> addresses = new ArrayList<>();
        for (Entry e : context.options().get(ADDRESSES)) {
            addresses.add(BackendAddress.of(e.ip(), e.port() == 0 ? context.target().port() : e.port()));
        }
        return new StaticResolver(List.copyOf(addresses));
    }

    private static List<Entry> parse(Object raw) {
        List<String> items = Option.ofList("addresses", "").convert("addresses", raw);
        if (items.isEmpty()) {
            throw new IllegalArgumentException("no addresses");
        }
        List<Entry> entries = new ArrayList<>();
        for (String item : items) {
            entries.add(parseOne(item));
        }
        return List.copyOf(entries);
    }

    private static Entry parseOne(String item) {
        String host;
        String port = null;
        if (item.startsWith("[")) {
            int close = item.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + item + "' has no closing ]");
            }
            host = item.substring(1, close);
            String rest = item.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + item + "' has text after ]");
                }
                port = rest.substring(1);
            }
            if (!IPV6.matcher(host).matches()) {
                throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
            }
        } else if (item.indexOf(':') != item.lastIndexOf(':')) {
            host = item; // bare IPv6, no port
            if (!IPV6.matcher(host).matches()) {
                throw new IllegalArgumentException("'" + host + "' is not an IP address");
            }
        } else {
            int colon = item.indexOf(':');
            host = colon < 0 ? item : item.substring(0, colon);
            port = colon < 0 ? null : item.substring(colon + 1);
            if (!IPV4.matcher(host).matches()) {
                throw new IllegalArgumentException("'" + host + "' is not an IP address (host names are not resolved by the static resolver)");
            }
        }
        int p = 0;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port '" + port + "' of '" + item + "' is out of range 1 to 65535");
            }
        }
        try {
            return new Entry(InetAddress.getByName(host), p); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + host + "' is not an IP address");
        }
    }

    /** Publishes the fixed list once. */
    private static final class StaticResolver implements Resolver {
        private final List<BackendAddress> addresses;

        StaticResolver(List<BackendAddress> addresses) {
            this.addresses = addresses;
        }

        @Override
        public void start(Listener listener) {
            listener.onAddresses(addresses);
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return "static " + addresses;
        }
    }
}
