package dev.fairway.testdns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Answers the names registered with {@link #answer}, in registered order; a name registered with no addresses
 * fails like an unknown name. Every other name, and every reverse look-up, goes to the JDK's built-in resolver.
 */
public final class TestDns extends InetAddressResolverProvider {

    private static final Map<String, List<InetAddress>> NAMES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicLong> LOOKUPS = new ConcurrentHashMap<>();

    /** Called by {@link java.util.ServiceLoader}; does nothing. */
    public TestDns() {
    }

    /**
     * Makes {@code name} resolve to {@code addresses} from now on (after the JVM's cache expires).
     *
     * @param name      a host name
     * @param addresses the answer; empty makes the name fail
     */
    public static void answer(String name, List<InetAddress> addresses) {
        NAMES.put(name.toLowerCase(Locale.ROOT), List.copyOf(addresses));
    }

    /**
     * How many times the JVM asked this provider for {@code name}.
     *
     * @param name a registered name
     * @return the count
     */
    public static long lookups(String name) {
        AtomicLong n = LOOKUPS.get(name.toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                String key = Objects.requireNonNull(host, "host").toLowerCase(Locale.ROOT);
                List<InetAddress> fixed = NAMES.get(key);
                if (fixed == null) {
                    return builtin.lookupByName(host, policy);
                }
                LOOKUPS.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
                boolean v4 = (policy.characteristics() & LookupPolicy.IPV4) != 0;
                boolean v6 = (policy.characteristics() & LookupPolicy.IPV6) != 0;
                List<InetAddress> allowed = fixed.stream()
                        .filter(a -> a instanceof java.net.Inet4Address ? v4 : v6).toList();
                if (allowed.isEmpty()) {
                    throw new UnknownHostException(host + ": the test DNS has no addresses for this name");
                }
                return allowed.stream();
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "fairway-test-dns";
    }
}
