package dev.fairway.resolver.dns.internal;

import javax.naming.CommunicationException;
import javax.naming.ConfigurationException;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.NoInitialContextException;
import javax.naming.OperationNotSupportedException;
import javax.naming.ServiceUnavailableException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import java.io.IOException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One record type per query to given name servers through the JDK's JNDI DNS provider ({@code jdk.naming.dns}):
 * no cache, no {@code /etc/hosts}, no search domains. Failures become {@link IOException}s whose messages name the
 * query, the servers and what went wrong.
 *
 * <p>The JNDI provider tries each server in turn with the initial timeout, then again with the timeout doubled,
 * {@code attempts} rounds in all, so one query takes at most {@code timeout × (2^attempts − 1)} per server.
 */
final class JndiDns {

    /** The JNDI factory of the JDK's DNS provider, in module {@code jdk.naming.dns}. */
    static final String FACTORY = "com.sun.jndi.dns.DnsContextFactory";

    /** The JDK module that holds the JNDI DNS provider. */
    static final String MODULE = "jdk.naming.dns";

    private final List<NameServer> servers;
    private final Duration timeout;
    private final int attempts;

    /**
     * Queries to {@code servers}.
     *
     * @param servers  the name servers, in the order to try them; not empty
     * @param timeout  the first round's timeout per server
     * @param attempts how many rounds, each with twice the previous timeout
     */
    JndiDns(List<NameServer> servers, Duration timeout, int attempts) {
        this.servers = List.copyOf(servers);
        if (this.servers.isEmpty()) {
            throw new IllegalArgumentException("no name servers");
        }
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts " + attempts);
        }
        this.attempts = attempts;
    }

    /**
     * Whether this JVM has the JNDI DNS provider: the module {@value #MODULE} is in the boot layer (it is, on the
     * module path, when this module is, since this module requires it; on the class path unless an image was
     * linked without it).
     *
     * @return {@code true} when direct queries can work
     */
    static boolean available() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /**
     * The records of {@code type} for {@code name}, as the JNDI provider writes them (an address for A and AAAA;
     * {@code priority weight port target} for SRV).
     *
     * @param name an absolute DNS name
     * @param type {@code A}, {@code AAAA} or {@code SRV}
     * @return the records; empty for NODATA (the name exists without records of this type)
     * @throws NoAddressesException for NXDOMAIN
     * @throws IOException          for SERVFAIL, REFUSED, timeouts, unreachable servers and other failures
     */
    List<String> query(String name, String type) throws IOException {
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, FACTORY);
        env.put(Context.PROVIDER_URL, servers.stream().map(NameServer::url).collect(Collectors.joining(" ")));
        env.put("com.sun.jndi.dns.timeout.initial", Long.toString(Math.max(1, timeout.toMillis())));
        env.put("com.sun.jndi.dns.timeout.retries", Integer.toString(attempts));
        env.put("com.sun.jndi.dns.recursion", "true");
        DirContext context;
        try {
            context = new InitialDirContext(env);
        } catch (NoInitialContextException e) {
            throw new IOException("the JDK's DNS client (module " + MODULE + ") is missing from this Java runtime; add it"
                    + " (jlink --add-modules " + MODULE + ") or use mode=system", e);
        } catch (NamingException e) {
            throw failure(name, type, e);
        }
        try {
            Attributes attributes = context.getAttributes(name, new String[] {type});
            Attribute records = attributes.get(type);
            List<String> values = new ArrayList<>();
            if (records != null) {
                NamingEnumeration<?> all = records.getAll();
                while (all.hasMore()) {
                    values.add(String.valueOf(all.next()));
                }
            }
            return values;
        } catch (NamingException e) {
            throw failure(name, type, e);
        } finally {
            try {
                context.close();
            } catch (NamingException ignored) {
                // nothing was left open that matters
            }
        }
    }

    /** A clear exception for a failed query. */
    private IOException failure(String name, String type, NamingException e) {
        String question = type + " " + name + " from " + serverList();
        String explanation = e.getExplanation() != null ? e.getExplanation() : e.getClass().getSimpleName();
        IOException io;
        if (e instanceof NameNotFoundException) {
            io = new NoAddressesException("NXDOMAIN (no such name) for " + question + ": " + explanation, false);
        } else if (e instanceof ServiceUnavailableException) {
            io = new IOException("SERVFAIL (the name server failed) for " + question + ": " + explanation);
        } else if (e instanceof OperationNotSupportedException) {
            io = new IOException("REFUSED or NOTIMP for " + question + ": " + explanation
                    + " (does that server resolve this name for you?)");
        } else if (e instanceof CommunicationException && e.getRootCause() instanceof SocketTimeoutException) {
            io = new SocketTimeoutException("timeout: no answer for " + question + " within " + worstCase()
                    + " (query_timeout " + DnsResolver.format(timeout.toNanos()) + ", query_attempts " + attempts + ")");
        } else if (e instanceof CommunicationException && e.getRootCause() instanceof PortUnreachableException) {
            io = new PortUnreachableException("name server unreachable: " + question
                    + " got ICMP port unreachable (is a DNS server listening there?)");
        } else if (e instanceof ConfigurationException) {
            io = new IOException("malformed name server configuration " + serverList() + " for " + type + " " + name + ": "
                    + explanation);
        } else {
            Throwable root = e.getRootCause();
            io = new IOException("DNS error for " + question + ": " + explanation
                    + (root != null ? " (" + root + ")" : ""));
        }
        io.initCause(e);
        return io;
    }

    /**
     * The servers, for messages.
     *
     * @return for example {@code name server 10.96.0.10:53}
     */
    String serverList() {
        return (servers.size() == 1 ? "name server " : "name servers ")
                + servers.stream().map(NameServer::authority).collect(Collectors.joining(", "));
    }

    /** The longest a query can take per server, as text. */
    private String worstCase() {
        long nanos = timeout.toNanos() * ((1L << Math.min(attempts, 20)) - 1) * servers.size();
        return DnsResolver.format(nanos);
    }

    @Override
    public String toString() {
        return "JNDI DNS " + servers;
    }
}
