package com.example.fairway.integrations;

import dev.fairway.BackendSnapshot;
import dev.fairway.spi.BackendAddress;

/** How the metrics examples name a backend in their tags. */
public final class FairwayMetricNames {

    private FairwayMetricNames() {
    }

    /**
     * The backend's tag value: {@code ip:port}, and {@code #replica} for the copies of one address that the
     * {@code dns} resolver's {@code min_addresses} makes behind a virtual IP (each copy is a backend of its own, with
     * its own counts; without the suffix their series would collide).
     *
     * @param backend the backend
     * @return its tag value
     */
    public static String backend(BackendSnapshot backend) {
        String replica = backend.address().attributes().get(BackendAddress.REPLICA);
        return backend.address().authority() + (replica == null ? "" : "#" + replica);
    }
}
