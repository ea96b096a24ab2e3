/**
 * Test support for Fairway and for authors of Fairway providers: a {@link dev.fairway.testing.FakeClock} that is
 * both a {@link dev.fairway.spi.Ticker} and a {@link dev.fairway.spi.Scheduler} and runs due tasks when advanced,
 * {@link dev.fairway.testing.FakeBackend}, a {@link dev.fairway.spi.Backend} whose load a test sets, and
 * {@link dev.fairway.testing.ServiceDeclarations}, which checks that a provider module's {@code provides} clauses
 * and {@code META-INF/services} files agree, and {@link dev.fairway.testing.Fuzz}, a seeded fuzzing loop that bounds
 * each case's allocation (measured through {@code jdk.management}) and time.
 *
 * <p>Use it in test scope only. This module reads no system properties.
 */
module dev.fairway.testing {
    requires transitive dev.fairway.spi;
    requires jdk.management;

    exports dev.fairway.testing;
}
