package dev.fairway.spi;

/**
 * A monotonic time source in nanoseconds, like {@link System#nanoTime()}, injected so that tests can advance
 * time instead of waiting.
 */
@FunctionalInterface
public interface Ticker {

    /**
     * The current reading. Only differences between readings are meaningful.
     *
     * @return nanoseconds since an arbitrary origin
     */
    long read();
}
