package dev.fairway.internal;

import dev.fairway.BackendSnapshot;
import dev.fairway.FairwayClientMXBean;
import dev.fairway.TargetSnapshot;
import dev.fairway.spi.HealthState;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/** Registers a client's MXBean. Only loaded when {@code java.management} is readable. */
final class Jmx implements FairwayClientMXBean {

    private static final System.Logger LOG = System.getLogger(Jmx.class.getName());

    private final Engine engine;
    private final ObjectName name;

    private Jmx(Engine engine, ObjectName name) {
        this.engine = engine;
        this.name = name;
    }

    /** Registers the client; returns how to unregister it, or a no-op if registration failed. */
    static Runnable register(Engine engine, int number) {
        try {
            ObjectName name = new ObjectName("dev.fairway:type=FairwayClient,name=client-" + number);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            server.registerMBean(new Jmx(engine, name), name);
            return () -> {
                try {
                    server.unregisterMBean(name);
                } catch (JMException e) {
                    LOG.log(System.Logger.Level.DEBUG, "unregistering " + name + " failed", e);
                }
            };
        } catch (JMException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not register the client's MXBean; JMX will not show it", e);
            return () -> { };
        }
    }

    private List<TargetSnapshot> snapshot() {
        return engine.snapshot();
    }

    @Override
    public String[] getTargets() {
        return snapshot().stream().map(t -> t.target().toString()).toArray(String[]::new);
    }

    @Override
    public int getBackends() {
        return snapshot().stream().mapToInt(t -> t.backends().size()).sum();
    }

    @Override
    public int getUnhealthyBackends() {
        return (int) backends().stream().filter(b -> b.health() == HealthState.UNHEALTHY).count();
    }

    @Override
    public int getEjectedBackends() {
        return (int) backends().stream().filter(BackendSnapshot::ejected).count();
    }

    @Override
    public int getInFlight() {
        return backends().stream().mapToInt(BackendSnapshot::inFlight).sum();
    }

    @Override
    public int getQueued() {
        return backends().stream().mapToInt(BackendSnapshot::queued).sum();
    }

    @Override
    public long getRequests() {
        return backends().stream().mapToLong(BackendSnapshot::requests).sum();
    }

    @Override
    public long getFailures() {
        return backends().stream().mapToLong(BackendSnapshot::failures).sum();
    }

    @Override
    public long getRetries() {
        return snapshot().stream().mapToLong(t -> t.retries().retries()).sum();
    }

    @Override
    public long getHedges() {
        return snapshot().stream().mapToLong(t -> t.retries().hedges()).sum();
    }

    @Override
    public long getRetriesDenied() {
        return snapshot().stream().mapToLong(t -> t.retries().denied()).sum();
    }

    @Override
    public long getThrottled() {
        return snapshot().stream().mapToLong(t -> t.retries().throttled()).sum();
    }

    @Override
    public int getLeavesOpen() {
        return snapshot().stream().mapToInt(TargetSnapshot::leavesOpen).sum();
    }

    @Override
    public long getProbes() {
        return backends().stream().mapToLong(BackendSnapshot::probes).sum();
    }

    @Override
    public long getRecycles() {
        return snapshot().stream().mapToLong(TargetSnapshot::recycles).sum();
    }

    @Override
    public String[] getBackendDetails() {
        List<String> lines = new ArrayList<>();
        for (TargetSnapshot t : snapshot()) {
            for (BackendSnapshot b : t.backends()) {
                lines.add(t.target() + " " + b.address().authority() + " " + b.health() + (b.ejected() ? " ejected" : "")
                        + " inFlight=" + b.inFlight() + " requests=" + b.requests() + " failures=" + b.failures()
                        + " probes=" + b.probes() + " leaves=" + b.leavesOpen());
            }
        }
        return lines.toArray(String[]::new);
    }

    private List<BackendSnapshot> backends() {
        List<BackendSnapshot> all = new ArrayList<>();
        snapshot().forEach(t -> all.addAll(t.backends()));
        return all;
    }

    @Override
    public String toString() {
        return name.toString();
    }
}
