package dev.fairway.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Passive outlier detection for one target, after gRFC A50 and Envoy: counts each exchange's outcome per backend,
 * and decides which backends to eject (consecutive failures at once; success rate and failure percentage at each
 * sweep) and which ejections are over. It decides only: the {@link TargetPool} that owns the backends applies the
 * decisions under its lock, rebuilds its picker and emits the events. Settings: {@link OutlierDetection}.
 *
 * <p>{@link #countOutcome} runs on every exchange, lock-free; the other methods run under the pool's lock.
 */
final class OutlierDetector {

    /** A backend to eject, and why. */
    record Ejection(BackendImpl backend, String reason) {
    }

    private final OutlierDetection settings;
    private final SplittableRandom random; // guarded by the pool's lock

    OutlierDetector(OutlierDetection settings, long seed) {
        this.settings = settings;
        this.random = new SplittableRandom(seed);
    }

    boolean enabled() {
        return settings.enabled();
    }

    Duration interval() {
        return settings.interval();
    }

    /**
     * Counts one exchange's outcome.
     *
     * @param status the response status, or -1 when the exchange failed with an exception
     * @return the reason to eject the backend now (consecutive failures), or {@code null}
     */
    String countOutcome(BackendImpl backend, int status) {
        if (!settings.enabled()) {
            return null;
        }
        boolean success = status >= 0 && status < 500;
        (success ? backend.intervalSuccesses : backend.intervalFailures).incrementAndGet();
        if (status < 0 || (settings.count5xx() && status >= 500)) {
            int inARow = backend.consecutiveFailures.incrementAndGet();
            if (settings.consecutiveFailures() > 0 && inARow >= settings.consecutiveFailures() && !backend.ejected()) {
                return inARow + " consecutive failures";
            }
        } else {
            backend.consecutiveFailures.set(0);
        }
        return null;
    }

    /**
     * Ejects {@code backend} for its ejection time, unless that would eject more than the allowed share of
     * {@code all}. Caller holds the pool's lock and has checked that the backend is still a member.
     *
     * @return the ejection time, or {@code null} if the backend was not ejected
     */
    Duration eject(Collection<BackendImpl> all, BackendImpl backend, long now) {
        if (backend.ejected()) {
            return null;
        }
        int ejected = 0;
        for (BackendImpl b : all) {
            ejected += b.ejected() ? 1 : 0;
        }
        int allowed = settings.maxEjectionPercent() == 0 ? 0 : Math.max(1, all.size() * settings.maxEjectionPercent() / 100);
        if (ejected >= allowed) {
            return null;
        }
        Duration time = settings.ejectionTime(backend.ejections + 1);
        backend.eject(now + time.toNanos());
        return time;
    }

    /**
     * The backends whose ejection time is over at {@code now}; a backend not ejected earns back one past ejection
     * (gRFC A50: a backend that behaves slowly gets its shorter ejections back). Caller holds the pool's lock.
     */
    List<BackendImpl> ejectionsOver(Collection<BackendImpl> all, long now) {
        List<BackendImpl> over = new ArrayList<>();
        for (BackendImpl b : all) {
            if (b.ejected() && now - b.ejectedUntil >= 0) {
                over.add(b);
            } else if (!b.ejected() && b.ejections > 0) {
                b.ejections--;
            }
        }
        return over;
    }

    /**
     * The statistical detectors over the interval that ends now, then a fresh interval: the backends to eject, in
     * order. Caller holds the pool's lock, applies the ejections with {@link #eject} (which enforces the share).
     */
    List<Ejection> sweep(Collection<BackendImpl> all) {
        List<Ejection> ejections = new ArrayList<>();
        if (settings.successRateEnforcement() > 0) {
            successRate(all, ejections);
        }
        if (settings.failurePercentageEnforcement() > 0) {
            failurePercentage(all, ejections);
        }
        for (BackendImpl b : all) {
            b.intervalSuccesses.set(0);
            b.intervalFailures.set(0);
        }
        return ejections;
    }

    private void successRate(Collection<BackendImpl> all, List<Ejection> ejections) {
        List<BackendImpl> candidates = new ArrayList<>();
        double sum = 0;
        for (BackendImpl b : all) {
            long total = b.intervalSuccesses.get() + b.intervalFailures.get();
            if (!b.ejected() && total >= settings.successRateRequestVolume()) {
                candidates.add(b);
                sum += (double) b.intervalSuccesses.get() / total;
            }
        }
        if (candidates.size() < settings.successRateMinimumHosts()) {
            return;
        }
        double mean = sum / candidates.size();
        double squares = 0;
        for (BackendImpl b : candidates) {
            double rate = successRate(b);
            squares += (rate - mean) * (rate - mean);
        }
        double threshold = mean - settings.successRateStdevFactor() * Math.sqrt(squares / candidates.size());
        for (BackendImpl b : candidates) {
            double rate = successRate(b);
            if (rate < threshold && random.nextInt(100) < settings.successRateEnforcement()) {
                ejections.add(new Ejection(b, String.format(Locale.ROOT, "success rate %.2f below %.2f", rate, threshold)));
            }
        }
    }

    private static double successRate(BackendImpl b) {
        return (double) b.intervalSuccesses.get() / (b.intervalSuccesses.get() + b.intervalFailures.get());
    }

    private void failurePercentage(Collection<BackendImpl> all, List<Ejection> ejections) {
        List<BackendImpl> candidates = new ArrayList<>();
        for (BackendImpl b : all) {
            if (!b.ejected() && b.intervalSuccesses.get() + b.intervalFailures.get() >= settings.failurePercentageRequestVolume()) {
                candidates.add(b);
            }
        }
        if (candidates.size() < settings.failurePercentageMinimumHosts()) {
            return;
        }
        for (BackendImpl b : candidates) {
            long total = b.intervalSuccesses.get() + b.intervalFailures.get();
            double percent = 100.0 * b.intervalFailures.get() / total;
            if (percent > settings.failurePercentageThreshold() && random.nextInt(100) < settings.failurePercentageEnforcement()) {
                ejections.add(new Ejection(b, String.format(Locale.ROOT, "%.0f %% of requests failed", percent)));
            }
        }
    }
}
