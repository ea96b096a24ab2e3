package dev.fairway.spi;

/**
 * Decides how long a backend's connections live before they are replaced.
 *
 * <p>Each backend is reached through a <em>leaf</em>: one {@link java.net.http.HttpClient} bound to that address,
 * holding the connections. When Fairway creates a leaf it asks the policy for the leaf's {@link LeafTerms}; when
 * the terms run out it builds a replacement, moves new requests to it, and lets the old leaf drain for the
 * terms' grace before closing it hard. Implementations must be thread-safe and must not block or throw.
 */
@FunctionalInterface
public interface LifetimePolicy {

    /**
     * The terms for a new leaf of {@code address}; called once per leaf. Apply any jitter here, so that leaves
     * created together are not replaced together.
     *
     * @param address the backend the leaf connects to
     * @return the leaf's terms
     */
    LeafTerms termsFor(BackendAddress address);
}
