package dev.fairway.internal;

import dev.fairway.FairwayEvent;
import dev.fairway.FairwayListener;

import java.util.List;

/** Delivers events to the listeners, isolating the engine from listener failures. */
final class Events {

    private static final System.Logger LOG = System.getLogger(Events.class.getName());

    private final List<FairwayListener> listeners;

    Events(List<FairwayListener> listeners) {
        this.listeners = listeners;
    }

    void emit(FairwayEvent event) {
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, event.toString());
        }
        for (FairwayListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.WARNING, "listener " + listener + " threw on " + event, e);
            }
        }
    }
}
