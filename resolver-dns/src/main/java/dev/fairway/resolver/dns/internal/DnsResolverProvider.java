package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.ResolverProvider;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.fairway.resolver.dns.internal.DnsOptions.ADDRESS_POLICY;
import static dev.fairway.resolver.dns.internal.DnsOptions.DIRECT_QUERIES;
import static dev.fairway.resolver.dns.internal.DnsOptions.MODE;
import static dev.fairway.resolver.dns.internal.DnsOptions.NAME_SERVERS;
import static dev.fairway.resolver.dns.internal.DnsOptions.PREFIX;
import static dev.fairway.resolver.dns.internal.DnsOptions.QUERY_ATTEMPTS;
import static dev.fairway.resolver.dns.internal.DnsOptions.QUERY_TIMEOUT;

/**
 * The {@code dns} resolver provider: resolves a target's host through the JVM's system resolver
 * ({@code mode=system}, the default) or with A/AAAA queries sent straight to name servers ({@code mode=direct}), and
 * refreshes it periodically. See the module documentation for the options.
 *
 * <p>Thread-safe and stateless; the constructor does nothing.
 */
public final class DnsResolverProvider implements ResolverProvider {

    private static final List<Option<?>> OPTIONS;

    static {
        List<Option<?>> options = new ArrayList<>(DnsOptions.COMMON);
        options.add(MODE);
        options.addAll(DIRECT_QUERIES);
        OPTIONS = List.copyOf(options);
    }

    /** Creates the provider; does nothing else. */
    public DnsResolverProvider() {
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code "dns"}
     */
    @Override
    public String name() {
        return "dns";
    }

    @Override
    public int priority() {
        return DEFAULT_PRIORITY;
    }

    @Override
    public List<Option<?>> options() {
        return OPTIONS;
    }

    /**
     * Checks that {@code backoff_initial} is not longer than {@code backoff_max}, that the options of direct queries
     * come with {@code mode=direct}, and that direct queries can work in this JVM.
     *
     * @param options the validated values
     * @throws IllegalArgumentException naming the options, their values and what to change
     */
    @Override
    public void validate(OptionValues options) {
        DnsOptions.validateCommon(options);
        if (options.get(MODE) == DnsOptions.Mode.SYSTEM) {
            for (Option<?> direct : DIRECT_QUERIES) {
                if (options.given(direct).isPresent()) {
                    throw new IllegalArgumentException(PREFIX + direct.key() + " = '" + options.given(direct).get()
                            + "' applies only to direct queries: add " + PREFIX + MODE.key() + "=direct, or drop it"
                            + " (" + PREFIX + MODE.key() + "=system uses the JVM's resolver and its configuration)");
                }
            }
        } else {
            DnsOptions.requireJndi(PREFIX + MODE.key() + "=direct");
        }
    }

    /**
     * Creates a resolver for the context's target.
     *
     * @param context the library-made context
     * @return a new, unstarted resolver
     * @throws IllegalArgumentException if the options do not pass {@link #validate}
     */
    @Override
    public Resolver create(ResolverContext context) {
        return create(context, ResolvConf.SYSTEM, NameServer.DNS_PORT);
    }

    /**
     * Creates a resolver that, in direct mode without {@code name_servers}, reads {@code resolvConf} and queries its
     * servers on {@code resolvConfPort}; for tests.
     */
    Resolver create(ResolverContext context, Path resolvConf, int resolvConfPort) {
        OptionValues options = context.options();
        validate(options);
        AddressPolicy policy = options.get(ADDRESS_POLICY);
        Lookup lookup = options.get(MODE) == DnsOptions.Mode.SYSTEM
                ? SystemLookup.system(policy)
                : new DirectLookup(options.get(NAME_SERVERS), resolvConf, resolvConfPort, options.get(QUERY_TIMEOUT),
                options.get(QUERY_ATTEMPTS), policy);
        return new DnsResolver(context, lookup);
    }
}
