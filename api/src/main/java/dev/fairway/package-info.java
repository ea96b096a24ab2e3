/**
 * Fairway's API: {@link dev.fairway.FairwayClient}, a {@link java.net.http.HttpClient} that balances each request
 * over every address of its host, its builder, the provider registries and the events it reports.
 *
 * <p>Null policy: unless a method says otherwise, passing {@code null} to any constructor or method of this
 * package throws {@link java.lang.NullPointerException}, and no method returns {@code null}; absent values are
 * {@link java.util.Optional#empty()}.
 */
package dev.fairway;
