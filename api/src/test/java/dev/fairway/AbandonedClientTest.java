package dev.fairway;

import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that are dropped without {@code close()}, or only {@code shutdown()}, give back everything by themselves,
 * as the JDK's {@link HttpClient} does: their scheduler thread, their leaves' selector threads, their MXBean.
 */
class AbandonedClientTest {

    private static final int CLIENTS = 20;

    /** The client-side threads a FairwayClient runs: its scheduler, its workers, and each leaf's selector thread. */
    private static long clientThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("HttpClient-") || n.startsWith("fairway-scheduler-")
                        || (n.startsWith("fairway-") && n.contains("-worker-")))
                .count();
    }

    private static int mbeans() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        return server.queryNames(new ObjectName("dev.fairway:type=FairwayClient,*"), null).size();
    }

    /** Builds a client, sends one request to each of the two pods (two leaves), and returns it. */
    private static FairwayClient used(Pods pods) throws Exception {
        FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .resolver("static").resolverOption("addresses", pods.addresses()).build();
        URI uri = URI.create("http://orders.fairway.test:" + pods.port + "/");
        for (int i = 0; i < 2; i++) {
            assertEquals(200, client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        return client;
    }

    private record Counts(long threads, int mbeans) {
    }

    private static Counts counts() throws Exception {
        return new Counts(clientThreads(), mbeans());
    }

    private static void awaitBackTo(Counts baseline, String what, boolean collect) {
        Await.until(what + ": client threads and MXBeans back to " + baseline, Duration.ofSeconds(60), () -> {
            if (collect) {
                System.gc();
            }
            try {
                Counts now = counts();
                return now.threads() <= baseline.threads() && now.mbeans() <= baseline.mbeans();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void droppedClientsAreShutDownOnceUnreachableAndFreeTheirThreadsAndMXBeans() throws Exception {
        try (Pods pods = Pods.start(2)) {
            Counts baseline = counts();
            List<WeakReference<FairwayClient>> dropped = new ArrayList<>();
            FairwayClient last = null;
            for (int i = 0; i < CLIENTS; i++) {
                last = used(pods);
                dropped.add(new WeakReference<>(last));
            }
            // the last one is still held: it shows what a live client has (others may already be collected)
            Counts busy = counts();
            System.out.println("20 dropped clients: " + busy + " before, baseline " + baseline);
            assertTrue(busy.threads() >= baseline.threads() + 3, "a client runs its scheduler and a selector per leaf: " + busy);
            assertTrue(busy.mbeans() >= baseline.mbeans() + 1, "a live client has its MXBean: " + busy);
            assertEquals(200, last.send(HttpRequest.newBuilder(URI.create("http://orders.fairway.test:" + pods.port + "/")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            last = null;
            awaitBackTo(baseline, "20 dropped clients", true);
            assertTrue(dropped.stream().allMatch(r -> r.get() == null), "every dropped client collected");
            System.out.println("20 dropped clients: " + counts() + " after");
        }
    }

    @Test
    void clientsThatAreOnlyShutDownTerminateByThemselves() throws Exception {
        try (Pods pods = Pods.start(2)) {
            Counts baseline = counts();
            List<FairwayClient> kept = new ArrayList<>(); // held: termination must not depend on collection
            for (int i = 0; i < CLIENTS; i++) {
                FairwayClient client = used(pods);
                client.shutdown();
                kept.add(client);
            }
            awaitBackTo(baseline, "20 shut-down clients", false);
            System.out.println("20 shut-down clients: " + counts() + " after, baseline " + baseline);
            for (FairwayClient client : kept) {
                assertTrue(client.isTerminated(), "terminated without awaitTermination");
                assertEquals(0, client.inFlight());
            }
        }
    }

    @Test
    void closedClientsFreeEverything() throws Exception {
        try (Pods pods = Pods.start(2)) {
            Counts baseline = counts();
            for (int i = 0; i < CLIENTS; i++) {
                used(pods).close();
            }
            Counts after = counts();
            System.out.println("20 closed clients: " + after + " after, baseline " + baseline);
            // close() returns once the client's own threads have ended; the JDK's selector threads end with their clients
            awaitBackTo(baseline, "20 closed clients", false);
        }
    }
}
