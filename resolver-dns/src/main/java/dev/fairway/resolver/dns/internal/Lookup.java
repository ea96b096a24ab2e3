package dev.fairway.resolver.dns.internal;

import dev.fairway.spi.Target;

import java.io.IOException;
import java.util.List;

/** Resolves a host name to endpoints; blocking, run on the resolver context's executor. */
@FunctionalInterface
interface Lookup {

    /**
     * What a look-up found.
     *
     * @param endpoints  at least one endpoint
     * @param ttlSeconds how long the answer may be used, in seconds: the least TTL of the records it came from;
     *                   {@link #NO_TTL} when the source gives none (the JVM's resolver, {@code /etc/hosts}, an IP
     *                   literal)
     */
    record Answer(List<Endpoint> endpoints, long ttlSeconds) {

        /** The TTL of an answer whose source gives none. */
        static final long NO_TTL = -1;

        public Answer {
            endpoints = List.copyOf(endpoints);
        }

        /**
         * An answer without a TTL.
         *
         * @param endpoints the endpoints
         * @return the answer
         */
        static Answer withoutTtl(List<Endpoint> endpoints) {
            return new Answer(endpoints, NO_TTL);
        }
    }

    /**
     * Looks up the target's host.
     *
     * @param target the target; its host is a host name or IP literal
     * @return the endpoints and how long they may be used
     * @throws NoAddressesException when the answer says there are no addresses (NXDOMAIN, NODATA)
     * @throws IOException          for any other failure, with a message that names what was asked and what
     *                              went wrong; runtime exceptions count as failures too
     */
    Answer lookup(Target target) throws IOException;
}
