/**
 * Fakes for testing Fairway providers: time that moves only when a test says so, backends with settable load,
 * and a check that a provider module declares its services for the module path and the class path alike.
 *
 * <p>Null policy: passing {@code null} to any method of this package throws {@link java.lang.NullPointerException}.
 */
package dev.fairway.testing;
