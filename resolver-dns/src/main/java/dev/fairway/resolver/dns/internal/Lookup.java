package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Target;

import java.io.IOException;
import java.util.List;

/** Resolves a host name to endpoints; blocking, run on the resolver context's executor. */
@FunctionalInterface
interface Lookup {

    /**
     * Looks up the target's host.
     *
     * @param target the target; its host is a host name or IP literal
     * @return at least one endpoint
     * @throws NoAddressesException when the answer says there are no addresses (NXDOMAIN, NODATA)
     * @throws IOException          for any other failure, with a message that names what was asked and what
     *                              went wrong; runtime exceptions count as failures too
     */
    List<Endpoint> lookup(Target target) throws IOException;
}
