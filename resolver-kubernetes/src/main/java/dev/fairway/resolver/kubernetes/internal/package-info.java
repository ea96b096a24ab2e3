/**
 * The {@code kubernetes} resolver's implementation. Not exported: reach it through {@link java.util.ServiceLoader}
 * as a {@link dev.fairway.spi.ResolverProvider}.
 *
 * <p>Null policy: unless a method says otherwise, passing {@code null} to any constructor or method of this
 * package throws {@link java.lang.NullPointerException}, and no method returns {@code null}.
 */
package dev.fairway.resolver.kubernetes.internal;
