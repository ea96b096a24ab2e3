/**
 * The least-connections, least-loaded and peak-EWMA pickers and their providers. Not exported: users select the
 * pickers by name.
 *
 * <p>Null policy: passing {@code null} to any constructor or method of this package throws
 * {@link java.lang.NullPointerException}, except the request given to {@code pick}, which the pickers ignore.
 */
package dev.fairway.balancer.leastconn.internal;
