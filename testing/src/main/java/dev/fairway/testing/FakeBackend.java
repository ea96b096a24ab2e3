package dev.fairway.testing;

import dev.fairway.spi.Backend;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.HealthState;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Backend} whose load and health a test sets, for picker tests. Thread-safe.
 */
public final class FakeBackend implements Backend {

    private final BackendAddress address;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile HealthState health = HealthState.UNKNOWN;
    private volatile long usableSince;
    private volatile long lastRequestSent;

    /**
     * A backend at {@code address}.
     *
     * @param address the address
     */
    public FakeBackend(BackendAddress address) {
        this.address = Objects.requireNonNull(address, "address");
    }

    /**
     * A backend at {@code 10.0.x.y:8080} numbered {@code index}, weight 1.
     *
     * @param index 0 to 65535
     * @return the backend
     */
    public static FakeBackend numbered(int index) {
        if (index < 0 || index > 65535) {
            throw new IllegalArgumentException("index " + index + " is out of range: use 0 to 65535");
        }
        try {
            InetAddress ip = InetAddress.getByAddress(new byte[] {10, 0, (byte) (index >> 8), (byte) index});
            return new FakeBackend(BackendAddress.of(ip, 8080));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public BackendAddress address() {
        return address;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Sets the in-flight count.
     *
     * @param count zero or more
     * @return this backend
     */
    public FakeBackend inFlight(int count) {
        inFlight.set(count);
        return this;
    }

    @Override
    public long usableSince() {
        return usableSince;
    }

    /**
     * Sets when the backend became usable, as a ticker reading (0 unless set).
     *
     * @param nanos the reading
     * @return this backend
     */
    public FakeBackend usableSince(long nanos) {
        this.usableSince = nanos;
        return this;
    }

    @Override
    public long lastRequestSent() {
        return lastRequestSent;
    }

    /**
     * Sets when a request was last sent, as a ticker reading (0 unless set).
     *
     * @param nanos the reading
     * @return this backend
     */
    public FakeBackend lastRequestSent(long nanos) {
        this.lastRequestSent = nanos;
        return this;
    }

    @Override
    public HealthState health() {
        return health;
    }

    /**
     * Sets the health state.
     *
     * @param state the state
     * @return this backend
     */
    public FakeBackend health(HealthState state) {
        this.health = Objects.requireNonNull(state, "state");
        return this;
    }

    @Override
    public String toString() {
        return "FakeBackend[" + address + ", inFlight=" + inFlight + ", " + health + "]";
    }
}
