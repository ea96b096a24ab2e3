package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.ResolverProvider;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.fairway.resolver.dns.internal.DnsOptions.ADDRESS_POLICY;
import static dev.fairway.resolver.dns.internal.DnsOptions.PORTS;
import static dev.fairway.resolver.dns.internal.DnsOptions.PROTOCOL;
import static dev.fairway.resolver.dns.internal.DnsOptions.SERVICE;

/**
 * The {@code dns_srv} resolver provider: finds a target's backends, with their ports and weights, from the SRV
 * records of {@code _service._protocol.host}, queried straight from the name servers, and refreshes them
 * periodically. See the module documentation for the options.
 *
 * <p>Thread-safe and stateless; the constructor does nothing.
 */
public final class DnsSrvResolverProvider implements ResolverProvider {

    private static final List<Option<?>> OPTIONS;

    static {
        List<Option<?>> options = new ArrayList<>(DnsOptions.COMMON);
        options.add(SERVICE);
        options.add(PROTOCOL);
        options.add(PORTS);
        options.addAll(DnsOptions.DIRECT_QUERIES);
        OPTIONS = List.copyOf(options);
    }

    /** Creates the provider; does nothing else. */
    public DnsSrvResolverProvider() {
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code "dns_srv"}
     */
    @Override
    public String name() {
        return "dns_srv";
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
     * Checks that {@code backoff_initial} is not longer than {@code backoff_max}.
     *
     * @param options the validated values
     * @throws IllegalArgumentException naming both options and their values
     */
    @Override
    public void validate(OptionValues options) {
        DnsOptions.validateCommon(options);
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
        return create(context, DirectLookup.SystemFiles.SYSTEM);
    }

    /** As {@link #create(ResolverContext)}, reading {@code files} instead of the system's; for tests. */
    Resolver create(ResolverContext context, DirectLookup.SystemFiles files) {
        OptionValues options = context.options();
        validate(options);
        AddressPolicy policy = options.get(ADDRESS_POLICY);
        DirectLookup direct = DirectLookup.of(context, files, target -> {
            throw new IOException("dns_srv has no name servers to ask: " + files.resolvConf()
                    + " names none; set fairway.resolver.name_servers");
        });
        return new DnsResolver(context, new SrvLookup(direct, options.get(SERVICE), options.get(PROTOCOL), policy,
                options.get(PORTS)));
    }
}
