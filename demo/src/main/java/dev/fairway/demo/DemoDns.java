package dev.fairway.demo;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The demo's simulated cluster DNS: a JVM-wide {@link InetAddressResolverProvider} that answers the names the
 * demo registers with {@link #answer(String, List)} and passes every other name, and every reverse look-up, to the
 * JDK's built-in resolver.
 *
 * <p>Answers keep the registered order (as a DNS server that sorts its answers would), filtered and ordered by the
 * caller's {@link InetAddressResolver.LookupPolicy}. A name registered with no addresses fails like a name that
 * does not exist. The answers can change at any time (to simulate scale-out or scale-in); the JVM caches look-ups
 * for {@code networkaddress.cache.ttl} seconds, which {@link Demo} lowers to one.
 *
 * <p>Demo only: a resolver provider takes over every look-up of the JVM, which a library must never do. The JDK
 * loads it with {@link java.util.ServiceLoader} at the first look-up, from the {@code provides} clause of
 * {@code dev.fairway.demo} on the module path or from {@code META-INF/services} on the class path.
 */
public final class DemoDns extends InetAddressResolverProvider {

    private static final Map<String, List<InetAddress>> NAMES = new ConcurrentHashMap<>();
    private static final AtomicLong LOOKUPS = new AtomicLong();

    /** Called by {@link java.util.ServiceLoader}; does nothing. */
    public DemoDns() {
    }

    /**
     * Makes {@code name} resolve to {@code addresses}, in that order, from now on; an empty list makes it unknown.
     *
     * @param name      a host name, matched without regard to case
     * @param addresses the answer
     */
    public static void answer(String name, List<InetAddress> addresses) {
        NAMES.put(key(name), List.copyOf(addresses));
    }

    /**
     * Stops answering {@code name}; the built-in resolver gets it again.
     *
     * @param name a host name
     */
    public static void forget(String name) {
        NAMES.remove(key(name));
    }

    /**
     * How many look-ups of registered names this provider has answered (the JVM's cache answers the others).
     *
     * @return the count
     */
    public static long lookups() {
        return LOOKUPS.get();
    }

    /**
     * The addresses registered for {@code name}, for the demo's DNS server.
     *
     * @param name a host name in lower case
     * @return the addresses, or {@code null} when the name is not registered
     */
    static List<InetAddress> registered(String name) {
        return NAMES.get(name);
    }

        private static String key(String name) {
        return Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT);
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy lookupPolicy) throws UnknownHostException {
                Objects.requireNonNull(host, "host");
                List<InetAddress> fixed = NAMES.get(key(host));
                if (fixed == null) {
                    return builtin.lookupByName(host, lookupPolicy);
                }
                LOOKUPS.incrementAndGet();
                List<InetAddress> answer = select(fixed, lookupPolicy.characteristics());
                if (answer.isEmpty()) {
                    throw new UnknownHostException(host + ": the demo DNS has no " + (fixed.isEmpty() ? "" : "matching ")
                            + "addresses for this name");
                }
                return answer.stream();
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }

            @Override
            public String toString() {
                return "DemoDns " + NAMES.keySet() + ", then " + builtin;
            }
        };
    }

    /** The addresses the policy allows, IPv4 or IPv6 first when it asks for that; otherwise in registered order. */
    static List<InetAddress> select(List<InetAddress> addresses, int characteristics) {
        boolean v4 = (characteristics & InetAddressResolver.LookupPolicy.IPV4) != 0;
        boolean v6 = (characteristics & InetAddressResolver.LookupPolicy.IPV6) != 0;
        List<InetAddress> selected = new ArrayList<>();
        for (InetAddress a : addresses) {
            if (a instanceof Inet4Address ? v4 : a instanceof Inet6Address && v6) {
                selected.add(a);
            }
        }
        if ((characteristics & InetAddressResolver.LookupPolicy.IPV4_FIRST) != 0) {
            selected.sort(Comparator.comparingInt(a -> a instanceof Inet4Address ? 0 : 1)); // stable
        } else if ((characteristics & InetAddressResolver.LookupPolicy.IPV6_FIRST) != 0) {
            selected.sort(Comparator.comparingInt(a -> a instanceof Inet6Address ? 0 : 1));
        }
        return selected;
    }

    @Override
    public String name() {
        return "fairway-demo";
    }
}
