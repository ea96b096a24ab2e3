package dev.fairway;

/**
 * The counters of one {@link FairwayClient} as JMX sees them, for {@code jconsole} or the Prometheus JMX exporter,
 * with no code: each client registers as {@code dev.fairway:type=FairwayClient,name=client-<n>} when
 * {@code java.management} is present (turn it off with {@link FairwayClient.Builder#jmx(boolean)}), and unregisters
 * when it terminates. Values are summed over all targets at the moment they are read.
 */
public interface FairwayClientMXBean {

    /**
     * The targets in use.
     *
     * @return {@code scheme://host:port} of each
     */
    String[] getTargets();

    /**
     * Backends over all targets.
     *
     * @return the count
     */
    int getBackends();

    /**
     * Backends whose health check last reported {@code UNHEALTHY}.
     *
     * @return the count
     */
    int getUnhealthyBackends();

    /**
     * Backends ejected by passive outlier detection.
     *
     * @return the count
     */
    int getEjectedBackends();

    /**
     * Requests in flight.
     *
     * @return the count
     */
    int getInFlight();

    /**
     * Requests waiting for a place under a backend's concurrency limit.
     *
     * @return the count
     */
    int getQueued();

    /**
     * Requests sent since the targets were created; health probes are not counted.
     *
     * @return the count
     */
    long getRequests();

    /**
     * Requests that failed with an exception since the targets were created; failed health probes are not counted.
     *
     * @return the count
     */
    long getFailures();

    /**
     * Retries of requests that had reached a server (a lost connection, a retried status, a per-try timeout) since the
     * targets were created; moves of requests that never reached one are not counted.
     *
     * @return the count
     */
    long getRetries();

    /**
     * Hedges sent since the targets were created.
     *
     * @return the count
     */
    long getHedges();

    /**
     * Retries and hedges the targets' retry budgets did not allow, since the targets were created.
     *
     * @return the count
     */
    long getRetriesDenied();

    /**
     * Requests rejected locally by client-side throttling since the targets were created.
     *
     * @return the count
     */
    long getThrottled();

    /**
     * Health-check probes sent since the targets were created.
     *
     * @return the count
     */
    long getProbes();

    /**
     * Leaves (per-backend HTTP clients, each with its connections) open now.
     *
     * @return the count
     */
    int getLeavesOpen();

    /**
     * Leaves replaced or retired since the targets were created.
     *
     * @return the count
     */
    long getRecycles();

    /**
     * One line per backend: target, address, health, ejected, in flight, requests, failures, leaves.
     *
     * @return the lines
     */
    String[] getBackendDetails();
}
