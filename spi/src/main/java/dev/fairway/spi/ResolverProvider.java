package dev.fairway.spi;

/**
 * Finds {@link Resolver}s, which watch a target's host name and publish its addresses.
 *
 * <p>Deploy a provider as a module ({@code provides dev.fairway.spi.ResolverProvider with ...}) and, for class-path
 * users, in {@code META-INF/services/dev.fairway.spi.ResolverProvider}. Users select it with
 * {@code resolver("name")} or {@code fairway.resolver=name}; its options are {@code fairway.resolver.<key>}.
 * Fairway ships {@code static} (fixed addresses) in {@code dev.fairway} and {@code dns} in
 * {@code dev.fairway.resolver.dns}.
 */
public interface ResolverProvider extends Provider<ResolverContext, Resolver> {
}
