package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.ResolverProvider;

import java.util.ArrayList;
import java.util.List;

import static dev.fairway.resolver.dns.internal.DnsOptions.ADDRESS_POLICY;
import static dev.fairway.resolver.dns.internal.DnsOptions.DIRECT_QUERIES;
import static dev.fairway.resolver.dns.internal.DnsOptions.MODE;
import static dev.fairway.resolver.dns.internal.DnsOptions.PREFIX;

/**
 * The {@code dns} resolver provider: resolves a target's host as the system resolver would, but asking the name
 * servers itself and following the answers' TTLs ({@code mode=direct}, the default), or through the JVM's resolver
 * ({@code mode=system}), and refreshes it. See the module documentation for the options.
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
     * Checks that {@code backoff_initial} is not longer than {@code backoff_max}, {@code ttl_min} not longer than
     * {@code ttl_max}, and that the options of direct queries do not come with {@code mode=system}.
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
        return create(context, DirectLookup.SystemFiles.SYSTEM);
    }

    /** Creates a resolver that reads {@code files} instead of the system's; for tests. */
    Resolver create(ResolverContext context, DirectLookup.SystemFiles files) {
        OptionValues options = context.options();
        validate(options);
        AddressPolicy policy = options.get(ADDRESS_POLICY);
        Lookup lookup = options.get(MODE) == DnsOptions.Mode.SYSTEM
                ? SystemLookup.system(policy)
                : DirectLookup.of(context, files, SystemLookup.system(policy));
        return new DnsResolver(context, lookup);
    }
}
