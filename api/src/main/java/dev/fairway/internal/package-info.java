/**
 * Fairway's engine: target pools, backends, leaves, the request path and the built-in providers. Not exported.
 *
 * <p>Null policy: as in {@code dev.fairway}, nulls are rejected unless a method says otherwise.
 */
package dev.fairway.internal;
