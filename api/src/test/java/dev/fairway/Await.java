package dev.fairway;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, polling; never a fixed sleep as synchronisation. */
final class Await {

    private Await() {
    }

    public static void until(String what, Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + deadline + " waiting for " + what);
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }

    public static <T> void until(String what, Duration deadline, Supplier<T> value, java.util.function.Predicate<T> test) {
        long end = System.nanoTime() + deadline.toNanos();
        T last = value.get();
        while (!test.test(last)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + deadline + " waiting for " + what + "; last value " + last);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            last = value.get();
        }
    }
}
