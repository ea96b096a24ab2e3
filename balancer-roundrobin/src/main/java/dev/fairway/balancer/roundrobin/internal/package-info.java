/**
 * The round-robin, weighted round-robin and random pickers and their providers. Not exported: users select the
 * pickers by name.
 *
 * <p>Null policy: passing {@code null} to any constructor or method of this package throws
 * {@link java.lang.NullPointerException}, except the request given to {@code pick}, which the pickers ignore.
 */
package dev.fairway.balancer.roundrobin.internal;
