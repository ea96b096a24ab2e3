package dev.fairway;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.HealthState;
import dev.fairway.spi.Target;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Something a {@link FairwayClient} did, as delivered to a {@link FairwayListener}. Each event is an immutable
 * record; switch over the sealed hierarchy to handle them.
 */
public sealed interface FairwayEvent {

    /**
     * The target the event concerns.
     *
     * @return the target
     */
    Target target();

    /**
     * A resolver published an address set.
     *
     * @param target    the target
     * @param addresses the full new set
     * @param added     addresses new in this set
     * @param removed   addresses no longer in the set
     * @param kept      addresses in both the previous and the new set
     */
    record ResolutionSucceeded(Target target, List<BackendAddress> addresses, List<BackendAddress> added,
                               List<BackendAddress> removed, List<BackendAddress> kept) implements FairwayEvent {
        /** Copies the lists. */
        public ResolutionSucceeded {
            Objects.requireNonNull(target, "target");
            addresses = List.copyOf(addresses);
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            kept = List.copyOf(kept);
        }
    }

    /**
     * A resolution failed.
     *
     * @param target          the target
     * @param error           the resolver's error
     * @param keptAddresses   how many addresses from the last good resolution remain in use
     */
    record ResolutionFailed(Target target, IOException error, int keptAddresses) implements FairwayEvent {
        /** Checks the components. */
        public ResolutionFailed {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * A backend joined the target.
     *
     * @param target  the target
     * @param address the backend
     */
    record BackendAdded(Target target, BackendAddress address) implements FairwayEvent {
        /** Checks the components. */
        public BackendAdded {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(address, "address");
        }
    }

    /**
     * The resolver published an address of a kind the client never dials ({@code fairway.refuse_addresses}); it was
     * left out of the target's backends. Emitted when the address first appears in an answer, not at every refresh.
     *
     * @param target  the target
     * @param address the refused address
     * @param kind    why it was refused
     */
    record AddressRefused(Target target, BackendAddress address, AddressClass kind) implements FairwayEvent {
        /** Checks the components. */
        public AddressRefused {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(kind, "kind");
        }
    }

    /**
     * A backend left the target; its connections drain.
     *
     * @param target  the target
     * @param address the backend
     */
    record BackendRemoved(Target target, BackendAddress address) implements FairwayEvent {
        /** Checks the components. */
        public BackendRemoved {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(address, "address");
        }
    }

    /**
     * A backend's health changed.
     *
     * @param target   the target
     * @param address  the backend
     * @param previous the state before
     * @param current  the state now
     * @param reason   the health check's reason
     */
    record HealthChanged(Target target, BackendAddress address, HealthState previous, HealthState current,
                         String reason) implements FairwayEvent {
        /** Checks the components. */
        public HealthChanged {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(previous, "previous");
            Objects.requireNonNull(current, "current");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Passive outlier detection took a backend out of rotation.
     *
     * @param target   the target
     * @param address  the backend
     * @param reason   why, e.g. {@code "5 consecutive failures"} or {@code "success rate 0.41 below 0.87"}
     * @param duration how long, unless an active health check passes first
     */
    record Ejected(Target target, BackendAddress address, String reason, java.time.Duration duration) implements FairwayEvent {
        /** Checks the components. */
        public Ejected {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(duration, "duration");
        }
    }

    /**
     * An ejected backend returned to rotation.
     *
     * @param target  the target
     * @param address the backend
     * @param reason  {@code "ejection time over"} or {@code "active health check passed"}
     */
    record Unejected(Target target, BackendAddress address, String reason) implements FairwayEvent {
        /** Checks the components. */
        public Unejected {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A leaf (the {@link java.net.http.HttpClient} that holds a backend's connections) was created.
     *
     * @param target  the target
     * @param address the backend
     * @param leafId  the leaf's number, unique within the client
     */
    record LeafCreated(Target target, BackendAddress address, long leafId) implements FairwayEvent {
        /** Checks the components. */
        public LeafCreated {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(address, "address");
        }
    }

    /**
     * A leaf stopped taking new requests and started to drain.
     *
     * @param target  the target
     * @param address the backend
     * @param leafId  the leaf's number
     * @param reason  why: {@code "age"}, {@code "requests"}, {@code "idle"} (the target went unused),
     *                {@code "unresolvable"} (its name kept failing to resolve), {@code "released: …"} (beyond
     *                {@code fairway.max_targets}), {@code "backend removed"}, {@code "client shut down"} or
     *                {@code "replacement failed"} (a successor that could not connect)
     */
    record LeafRetired(Target target, BackendAddress address, long leafId, String reason) implements FairwayEvent {
        /** Checks the components. */
        public LeafRetired {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A leaf terminated: all its connections are closed.
     *
     * @param target  the target
     * @param address the backend
     * @param leafId  the leaf's number
     * @param forced  {@code true} when exchanges were still running at the end of the drain grace and were aborted
     */
    record LeafClosed(Target target, BackendAddress address, long leafId, boolean forced) implements FairwayEvent {
        /** Checks the components. */
        public LeafClosed {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(address, "address");
        }
    }

    /**
     * A target's retry budget ran dry ({@code fairway.retry.budget_*}): retries and hedges beyond it are not sent
     * until requests earn more. Announced once per dry spell: again only after a retry was allowed in between.
     *
     * @param target   the target
     * @param retries  retries and hedges sent in the budget's window
     * @param requests requests (first attempts) in the budget's window
     */
    record RetryBudgetExhausted(Target target, long retries, long requests) implements FairwayEvent {
        /** Checks the components. */
        public RetryBudgetExhausted {
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * A request failed because no backend could be used.
     *
     * @param target the target
     * @param reason why
     * @param detail the exception's message
     */
    record NoBackend(Target target, NoBackendException.Reason reason, String detail) implements FairwayEvent {
        /** Checks the components. */
        public NoBackend {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
