/**
 * Fakes for testing Fairway providers: time that moves only when a test says so, and backends with settable load.
 *
 * <p>Null policy: passing {@code null} to any method of this package throws {@link java.lang.NullPointerException}.
 */
package dev.fairway.testing;
