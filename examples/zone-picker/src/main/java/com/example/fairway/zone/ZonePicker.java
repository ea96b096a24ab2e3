package com.example.fairway.zone;

import dev.fairway.spi.Backend;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An immutable snapshot that prefers the backends of one zone and takes them in round robin.
 *
 * <p>Built by {@link ZonePickerProvider} each time the usable backends of a target change. It chooses its candidates
 * once, at construction: the backends whose {@linkplain dev.fairway.spi.BackendAddress#zone() zone} equals the
 * client's when at least {@code minBackends} of them are usable, otherwise every usable backend. Each
 * {@link #pick} then takes the next value of one atomic counter, so over {@code k * n} consecutive picks each of the
 * {@code n} candidates is picked exactly {@code k} times, however many threads pick. The counter carries over to the
 * picker that replaces this one, so the rotation continues instead of restarting on every update.
 *
 * <p>Thread-safe; picking never locks, throws or allocates.
 */
public final class ZonePicker implements Picker {

    private final Backend[] candidates;
    private final boolean inZone;
    private final String zone;
    private final AtomicLong next;

    private ZonePicker(Backend[] candidates, boolean inZone, String zone, AtomicLong next) {
        this.candidates = candidates;
        this.inZone = inZone;
        this.zone = zone;
        this.next = next;
    }

    /**
     * The picker for {@code context}.
     *
     * @param context     the context, with at least one backend
     * @param zone        the client's zone
     * @param minBackends usable in-zone backends needed to stay in the zone, 1 or more
     * @return the picker
     */
    static ZonePicker of(PickerContext context, String zone, int minBackends) {
        Objects.requireNonNull(zone, "zone");
        List<Backend> local = new ArrayList<>();
        for (Backend b : context.backends()) {
            if (b.address().zone().filter(zone::equals).isPresent()) {
                local.add(b);
            }
        }
        boolean inZone = local.size() >= minBackends;
        Backend[] candidates = (inZone ? local : context.backends()).toArray(new Backend[0]);
        AtomicLong counter = context.previous().orElse(null) instanceof ZonePicker previous
                ? previous.next
                : new AtomicLong(new SplittableRandom(context.seed()).nextInt(candidates.length));
        return new ZonePicker(candidates, inZone, zone, counter);
    }

    /**
     * Returns the next candidate in the rotation.
     *
     * @param request ignored
     * @return an in-zone backend, or any usable backend when the zone has too few; never {@code null}
     */
    @Override
    public Backend pick(HttpRequest request) {
        return candidates[Math.floorMod(next.getAndIncrement(), candidates.length)];
    }

    /**
     * Whether this snapshot keeps traffic in the zone.
     *
     * @return {@code true} when it picks only in-zone backends, {@code false} when it fell back to all
     */
    boolean inZone() {
        return inZone;
    }

    @Override
    public String toString() {
        return "ZonePicker[" + (inZone ? candidates.length + " backends in zone " : "fallback to all " + candidates.length
                + " backends, too few in zone ") + zone + "]";
    }
}
