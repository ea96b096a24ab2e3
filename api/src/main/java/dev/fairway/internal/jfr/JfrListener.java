package dev.fairway.internal.jfr;

import dev.fairway.FairwayEvent;
import dev.fairway.FairwayListener;

/**
 * Turns {@link FairwayEvent}s into JFR events. Only loaded when {@code jdk.jfr} is readable; each event is built only
 * when its JFR type is enabled in a running recording.
 */
public final class JfrListener implements FairwayListener {

    /** Creates the listener. */
    public JfrListener() {
    }

    @Override
    public void onEvent(FairwayEvent event) {
        switch (event) {
            case FairwayEvent.ResolutionSucceeded r -> {
                ResolutionEvent e = new ResolutionEvent();
                if (e.isEnabled()) {
                    e.target = r.target().toString();
                    e.addresses = r.addresses().size();
                    e.added = r.added().size();
                    e.removed = r.removed().size();
                    e.commit();
                }
            }
            case FairwayEvent.ResolutionFailed f -> {
                ResolutionEvent e = new ResolutionEvent();
                if (e.isEnabled()) {
                    e.target = f.target().toString();
                    e.addresses = f.keptAddresses();
                    e.failed = true;
                    e.error = f.error().getMessage();
                    e.commit();
                }
            }
            case FairwayEvent.BackendAdded a -> backend(a.target().toString(), a.address().authority(), "added");
            case FairwayEvent.BackendRemoved r -> backend(r.target().toString(), r.address().authority(), "removed");
            case FairwayEvent.AddressRefused r -> backend(r.target().toString(), r.address().authority(), "refused " + r.kind().key());
            case FairwayEvent.HealthChanged h -> {
                HealthTransitionEvent e = new HealthTransitionEvent();
                if (e.isEnabled()) {
                    e.target = h.target().toString();
                    e.backend = h.address().authority();
                    e.previous = h.previous().name();
                    e.current = h.current().name();
                    e.reason = h.reason();
                    e.commit();
                }
            }
            case FairwayEvent.Ejected j -> ejection(j.target().toString(), j.address().authority(), true, j.reason(), j.duration().toMillis());
            case FairwayEvent.Unejected u -> ejection(u.target().toString(), u.address().authority(), false, u.reason(), 0);
            case FairwayEvent.LeafCreated c -> leaf(c.target().toString(), c.address().authority(), c.leafId(), "created", "", false);
            case FairwayEvent.LeafRetired r -> leaf(r.target().toString(), r.address().authority(), r.leafId(), "retired", r.reason(), false);
            case FairwayEvent.LeafClosed c -> leaf(c.target().toString(), c.address().authority(), c.leafId(), "closed", "", c.forced());
            case FairwayEvent.RetryBudgetExhausted r -> {
                RetryBudgetEvent e = new RetryBudgetEvent();
                if (e.isEnabled()) {
                    e.target = r.target().toString();
                    e.retries = r.retries();
                    e.requests = r.requests();
                    e.commit();
                }
            }
            case FairwayEvent.NoBackend n -> {
                NoBackendEvent e = new NoBackendEvent();
                if (e.isEnabled()) {
                    e.target = n.target().toString();
                    e.reason = n.reason().name();
                    e.message = n.detail();
                    e.commit();
                }
            }
        }
    }

    private static void backend(String target, String backend, String change) {
        BackendEvent e = new BackendEvent();
        if (e.isEnabled()) {
            e.target = target;
            e.backend = backend;
            e.change = change;
            e.commit();
        }
    }

    private static void ejection(String target, String backend, boolean ejected, String reason, long millis) {
        EjectionEvent e = new EjectionEvent();
        if (e.isEnabled()) {
            e.target = target;
            e.backend = backend;
            e.ejected = ejected;
            e.reason = reason;
            e.durationMillis = millis;
            e.commit();
        }
    }

    private static void leaf(String target, String backend, long id, String action, String reason, boolean forced) {
        LeafEvent e = new LeafEvent();
        if (e.isEnabled()) {
            e.target = target;
            e.backend = backend;
            e.leafId = id;
            e.action = action;
            e.reason = reason;
            e.forced = forced;
            e.commit();
        }
    }
}
