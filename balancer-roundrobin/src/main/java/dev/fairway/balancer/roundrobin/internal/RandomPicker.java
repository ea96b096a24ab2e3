package dev.fairway.balancer.roundrobin.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An immutable snapshot of the usable backends that picks one uniformly at random per request, from
 * {@link ThreadLocalRandom}. Stateless between picks; thread-safe; picking never locks, throws or allocates.
 */
public final class RandomPicker implements Picker {

    private final Backend[] backends;

    /**
     * A picker over {@code backends}.
     *
     * @param backends the backends, not empty; copied
     */
    RandomPicker(List<Backend> backends) {
        this.backends = backends.toArray(new Backend[0]);
        if (this.backends.length == 0) {
            throw new IllegalArgumentException("a random picker needs at least one backend");
        }
        for (Backend b : this.backends) {
            Objects.requireNonNull(b, "backend");
        }
    }

    /**
     * Returns a uniformly random backend.
     *
     * @param request ignored; may be {@code null}
     * @return a backend, never {@code null}
     */
    @Override
    public Backend pick(HttpRequest request) {
        return backends[ThreadLocalRandom.current().nextInt(backends.length)];
    }

    @Override
    public String toString() {
        return "RandomPicker[" + backends.length + " backends]";
    }
}
