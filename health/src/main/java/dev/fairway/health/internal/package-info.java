/**
 * The health check providers ({@code http}, {@code grpc_health}, {@code tcp}) and the probing loop they share.
 * Not exported: users select the providers by name and configure them with {@code fairway.health.*} options.
 *
 * <p>Null policy: passing {@code null} to any constructor or method of this package throws
 * {@link java.lang.NullPointerException}.
 */
package dev.fairway.health.internal;
