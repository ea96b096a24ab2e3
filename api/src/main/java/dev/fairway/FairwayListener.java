package dev.fairway;

/**
 * Receives what a {@link FairwayClient} does: resolutions, backends coming and going, health changes,
 * connections (leaves) created and closed, and requests that found no backend.
 *
 * <p>Register with {@link FairwayClient.Builder#listener(FairwayListener)}. Events are delivered synchronously on
 * the thread that caused them (a resolver callback, a health check, or a request for {@link FairwayEvent.NoBackend}),
 * so a listener must be quick, thread-safe and must not block; an exception it throws is logged and otherwise
 * ignored.
 *
 * {@snippet :
 * FairwayClient client = FairwayClient.newBuilder()
 *         .listener(event -> {
 *             if (event instanceof FairwayEvent.BackendAdded added) {
 *                 System.out.println("new pod " + added.address());
 *             }
 *         })
 *         .build();
 * }
 */
@FunctionalInterface
public interface FairwayListener {

    /**
     * Receives one event.
     *
     * @param event the event
     */
    void onEvent(FairwayEvent event);
}
