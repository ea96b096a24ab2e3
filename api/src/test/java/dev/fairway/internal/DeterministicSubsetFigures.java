package dev.fairway.internal;

import dev.fairway.spi.BackendAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Not a test: a {@code main} that prints the figures behind the choice of {@link DeterministicSubset}, for every
 * candidate scheme: the most and fewest clients per backend, and the connections moved by one backend or one
 * client joining or leaving, beside the fewest that any scheme keeping every backend within one client of the
 * others must move. Then the cost of one call. Run it after {@code test-compile} with the test and main classes
 * and the spi jar on the class path (the exact command is in the class's commit message).
 */
final class DeterministicSubsetFigures {

    private DeterministicSubsetFigures() {
    }

    /**
     * One candidate: the subset of the client at {@code index} of {@code clients}, whose identity (a key that
     * survives renumbering) is {@code identity}; only the random-key scheme uses the identity.
     */
    interface Scheme {
        /**
         * The subset.
         *
         * @param backends sorted backends
         * @param index    the client's index
         * @param clients  the number of clients
         * @param size     the subset size
         * @param identity the client's identity
         * @return the subset
         */
        List<BackendAddress> subset(List<BackendAddress> backends, int index, int clients, int size, int identity);
    }

    /** Today's scheme: rendezvous hashing with a random key per client (seeded, so the figures repeat). */
    static final Scheme RENDEZVOUS = (backends, index, clients, size, identity) -> {
        long key = new Random(identity * 7919L + 1).nextLong();
        List<BackendAddress> ranked = new ArrayList<>(backends);
        ranked.sort((a, b) -> Long.compare(TargetPool.rendezvous(key, b), TargetPool.rendezvous(key, a)));
        Set<BackendAddress> kept = new HashSet<>(ranked.subList(0, Math.min(size, ranked.size())));
        return backends.stream().filter(kept::contains).toList();
    };

    /** The SRE book's: rounds of backends/size clients, a shuffle per round seeded by the round. */
    static final Scheme SRE_BOOK = (backends, index, clients, size, identity) -> {
        int subsetCount = Math.max(1, backends.size() / size);
        int round = index / subsetCount;
        List<BackendAddress> shuffled = new ArrayList<>(backends);
        Collections.shuffle(shuffled, new Random(round));
        int id = index % subsetCount;
        return inOrder(backends, shuffled.subList(id * size, Math.min(shuffled.size(), id * size + size)));
    };

    /** Deterministic aperture: client i at i/N on a ring of backends evenly spaced by rank, an arc of size backends. */
    static final Scheme APERTURE = (backends, index, clients, size, identity) -> {
        int m = backends.size();
        int start = (int) ((long) index * m / clients);
        List<BackendAddress> taken = new ArrayList<>();
        for (int t = 0; t < Math.min(size, m); t++) {
            taken.add(backends.get((start + t) % m));
        }
        return inOrder(backends, taken);
    };

    /** Bounded-load rendezvous: clients in index order take their best backends below the cap ceil(N·size/M). */
    static final Scheme BOUNDED = (backends, index, clients, size, identity) -> {
        int m = backends.size();
        int cap = (int) (((long) clients * size + m - 1) / m);
        long[] hashes = hashes(backends);
        int[] load = new int[m];
        boolean[] mine = null;
        for (int c = 0; c <= index; c++) {
            boolean[] taken = new boolean[m];
            for (int t = 0; t < Math.min(size, m); t++) {
                int best = -1;
                long bestScore = 0;
                boolean bestUnder = false;
                for (int b = 0; b < m; b++) {
                    if (taken[b]) {
                        continue;
                    }
                    boolean under = load[b] < cap;
                    long score = DeterministicSubset.score(hashes[b], c);
                    // below the cap first; if none is, the least loaded (the greedy can paint itself into a corner)
                    if (best < 0 || (under && !bestUnder) || (under == bestUnder && (under
                            ? Long.compareUnsigned(score, bestScore) > 0
                            : load[b] < load[best] || (load[b] == load[best] && Long.compareUnsigned(score, bestScore) > 0)))) {
                        best = b;
                        bestScore = score;
                        bestUnder = under;
                    }
                }
                taken[best] = true;
                load[best]++;
            }
            mine = taken;
        }
        List<BackendAddress> out = new ArrayList<>();
        for (int b = 0; b < m; b++) {
            if (mine[b]) {
                out.add(backends.get(b));
            }
        }
        return out;
    };

    /** Levelled rendezvous, shipped before the stable matching. */
    static final Scheme LEVELLED = (backends, index, clients, size, identity) ->
            LevelledRendezvous.subset(backends, DeterministicSubsetFigures::hash, index, clients, size);

    /** Rendezvous top-size, then the cheapest chains of moves to exact balance (a minimum-cost assignment). */
    static final Scheme BALANCED = (backends, index, clients, size, identity) ->
            BalancedRendezvous.balanced(backends, DeterministicSubsetFigures::hash, index, clients, size);

    /** Stable matching with symmetric rendezvous scores and capacities exact to one: the shipped one. */
    static final Scheme STABLE = (backends, index, clients, size, identity) ->
            DeterministicSubset.subset(backends, DeterministicSubsetFigures::hash, index, clients, size);

    private static long hash(BackendAddress address) {
        return TargetPool.rendezvous(0, address);
    }

    private static long[] hashes(List<BackendAddress> backends) {
        long[] h = new long[backends.size()];
        for (int i = 0; i < h.length; i++) {
            h[i] = hash(backends.get(i));
        }
        return h;
    }

    private static List<BackendAddress> inOrder(List<BackendAddress> backends, List<BackendAddress> chosen) {
        Set<BackendAddress> kept = new HashSet<>(chosen);
        return backends.stream().filter(kept::contains).toList();
    }

    /**
     * The backend at {@code 10.0.0.0 + 2·n} port 8080: the even addresses make the fleet, an odd one sorts between two.
     *
     * @param n the backend's number
     * @return its address
     */
    static BackendAddress backend(int n) {
        int ip = (10 << 24) + 2 * n;
        try {
            return BackendAddress.of(InetAddress.getByAddress(new byte[]{(byte) (ip >>> 24), (byte) (ip >>> 16),
                    (byte) (ip >>> 8), (byte) ip}), 8080);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * An address that sorts just after {@link #backend(int) backend(n)}.
     *
     * @param n the backend's number
     * @return the odd address after it
     */
    static BackendAddress between(int n) {
        BackendAddress even = backend(n);
        byte[] b = even.socketAddress().getAddress().getAddress();
        b[3] |= 1;
        try {
            return BackendAddress.of(InetAddress.getByAddress(b), 8080);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The fleet of backends 0 to m−1, sorted.
     *
     * @param m how many
     * @return the sorted fleet
     */
    static List<BackendAddress> fleet(int m) {
        List<BackendAddress> out = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            out.add(backend(i));
        }
        return out;
    }

    /** Sorts as the engine does: by IP bytes, then port. */
    static List<BackendAddress> sorted(List<BackendAddress> in) {
        List<BackendAddress> out = new ArrayList<>(in);
        out.sort((a, b) -> {
            int c = Arrays.compareUnsigned(a.socketAddress().getAddress().getAddress(), b.socketAddress().getAddress().getAddress());
            return c != 0 ? c : Integer.compare(a.socketAddress().getPort(), b.socketAddress().getPort());
        });
        return out;
    }

    /** Every client's subset, by identity; identities[i] is the identity of the client at index i. */
    static List<Set<BackendAddress>> all(Scheme s, List<BackendAddress> backends, int[] identities, int size) {
        List<Set<BackendAddress>> out = new ArrayList<>();
        for (int i = 0; i < identities.length; i++) {
            out.add(new HashSet<>(s.subset(backends, i, identities.length, size, identities[i])));
        }
        return out;
    }

    static int[] identities(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        return ids;
    }

    /** {most, fewest} clients per backend. */
    static int[] spread(List<Set<BackendAddress>> subsets, List<BackendAddress> backends) {
        int max = 0;
        int min = Integer.MAX_VALUE;
        for (BackendAddress b : backends) {
            int n = 0;
            for (Set<BackendAddress> s : subsets) {
                if (s.contains(b)) {
                    n++;
                }
            }
            max = Math.max(max, n);
            min = Math.min(min, n);
        }
        return new int[]{max, min};
    }

    /** Sum over client identities of |before Δ after|, a missing client counting as the empty set. */
    static int moved(List<Set<BackendAddress>> before, int[] idsBefore, List<Set<BackendAddress>> after, int[] idsAfter) {
        int maxId = 0;
        for (int id : idsBefore) {
            maxId = Math.max(maxId, id);
        }
        for (int id : idsAfter) {
            maxId = Math.max(maxId, id);
        }
        List<Set<BackendAddress>> b = new ArrayList<>(Collections.nCopies(maxId + 1, Set.of()));
        List<Set<BackendAddress>> a = new ArrayList<>(Collections.nCopies(maxId + 1, Set.of()));
        for (int i = 0; i < idsBefore.length; i++) {
            b.set(idsBefore[i], before.get(i));
        }
        for (int i = 0; i < idsAfter.length; i++) {
            a.set(idsAfter[i], after.get(i));
        }
        int moved = 0;
        for (int id = 0; id <= maxId; id++) {
            for (BackendAddress x : b.get(id)) {
                if (!a.get(id).contains(x)) {
                    moved++;
                }
            }
            for (BackendAddress x : a.get(id)) {
                if (!b.get(id).contains(x)) {
                    moved++;
                }
            }
        }
        return moved;
    }

    /** The churn cases, by name, each a before/after pair of fleets and client identities. */
    record Case(String name, List<BackendAddress> backendsAfter, int[] idsAfter, int minimum) {
    }

    static List<Case> cases(int n, int m, int k) {
        List<BackendAddress> base = fleet(m);
        int[] ids = identities(n);
        List<Case> out = new ArrayList<>();
        // an exactly even scheme must give the newcomer at least floor(N·k/(M+1)), each a move: 2 each in Δ
        int addMin = 2 * (int) ((long) n * k / (m + 1));
        List<BackendAddress> addMid = new ArrayList<>(base);
        addMid.add(between(m / 2));
        out.add(new Case("+1 backend (middle)", sorted(addMid), ids, addMin));
        List<BackendAddress> addEnd = new ArrayList<>(base);
        addEnd.add(backend(m));
        out.add(new Case("+1 backend (end)", sorted(addEnd), ids, addMin));
        // the leaver's clients must each take another: 2 each in Δ; with N·k/M exact that is 2·N·k/M
        int removeMin = 2 * (int) ((long) n * k / m);
        List<BackendAddress> removeMid = new ArrayList<>(base);
        removeMid.remove(m / 2);
        out.add(new Case("-1 backend (middle)", removeMid, ids, removeMin));
        out.add(new Case("-1 backend (end)", base.subList(0, m - 1), ids, removeMin));
        // a newcomer client adds k, a leaver removes k; nobody else needs to change (loads stay within one)
        out.add(new Case("+1 client", base, identities(n + 1), k));
        out.add(new Case("-1 client (last)", base, identities(n - 1), k));
        int[] renumbered = new int[n - 1];
        for (int i = 0, j = 0; i < n; i++) {
            if (i != n / 2) {
                renumbered[j++] = i;
            }
        }
        out.add(new Case("-1 client (middle, later renumbered)", base, renumbered, k));
        return out;
    }

    /**
     * Prints the figures.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("cost")) {
            cost();
            return;
        }
        stableWork();
        if (args.length > 0 && args[0].equals("stable")) {
            cost();
            return;
        }
        String[] names = {"rendezvous (random key)", "SRE book", "aperture ring", "bounded-load rendezvous", "levelled rendezvous", "balanced rendezvous", "stable matching"};
        Scheme[] schemes = {RENDEZVOUS, SRE_BOOK, APERTURE, BOUNDED, LEVELLED, BALANCED, STABLE};
        int n = 300;
        int m = 300;
        int k = 10;
        List<Case> cases = cases(n, m, k);
        StringBuilder head = new StringBuilder(String.format("%-26s", "scheme"));
        head.append(String.format("%-10s %-10s %-10s %-9s ", "300x300", "301x300", "300x299", "7x10x3"));
        for (Case c : cases) {
            head.append(String.format("| %-6s", c.name().substring(0, Math.min(6, c.name().length()))));
        }
        System.out.println("moves = sum over clients of |old subset Δ new subset|; cases in order:");
        for (Case c : cases) {
            System.out.println("  " + c.name() + " (minimum " + c.minimum() + ")");
        }
        System.out.println(head);
        for (int s = 0; s < schemes.length; s++) {
            Scheme scheme = schemes[s];
            List<Set<BackendAddress>> before = all(scheme, fleet(m), identities(n), k);
            StringBuilder row = new StringBuilder(String.format("%-26s", names[s]));
            row.append(String.format("%-10s ", maxMin(before, fleet(m))));
            row.append(String.format("%-10s ", maxMin(all(scheme, fleet(m), identities(n + 1), k), fleet(m))));
            row.append(String.format("%-10s ", maxMin(all(scheme, fleet(m - 1), identities(n), k), fleet(m - 1))));
            row.append(String.format("%-9s ", maxMin(all(scheme, fleet(10), identities(7), 3), fleet(10))));
            for (Case c : cases) {
                List<Set<BackendAddress>> after = all(scheme, c.backendsAfter(), c.idsAfter(), k);
                row.append(String.format("| %-6d", moved(before, identities(n), after, c.idsAfter())));
            }
            System.out.println(row);
        }
        cost();
    }

    /** How much of the N·M pairs the stable matching scores, and how many clients it completes by a chain of moves. */
    private static void stableWork() {
        int[][] shapes = {{300, 300, 10}, {301, 300, 10}, {300, 299, 10}, {7, 10, 3}, {50, 37, 36}, {13, 40, 7},
                {3000, 3000, 10}, {1000, 100, 20}, {100, 1000, 10}};
        for (int[] s : shapes) {
            long[] h = hashes(fleet(s[1]));
            DeterministicSubset.Matching mt = DeterministicSubset.matching(h, s[0], s[2]);
            int reps = 5;
            long t0 = System.nanoTime();
            for (int r = 0; r < reps; r++) {
                mt = DeterministicSubset.matching(h, s[0], s[2]);
            }
            long t1 = System.nanoTime();
            System.out.printf("stable %dx%dx%d: scored %.2f x N·M pairs, %d repairs, %.2f ms per matching%n", s[0], s[1],
                    s[2], mt.scored() / ((double) s[0] * s[1]), mt.repairs(), (t1 - t0) / 1e6 / reps);
        }
    }

    private static void cost() {
        int k = 10;
        for (int size : new int[]{300, 3000}) {
            List<BackendAddress> backends = fleet(size);
            long sink = 0;
            for (int rep = 0; rep < 3; rep++) {
                int calls = size == 300 ? 2000 : 20;
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    int index = (int) ((i * 0x9E3779B9L & 0xffffffffL) % size);
                    sink += LevelledRendezvous.subset(backends, DeterministicSubsetFigures::hash, index, size, k).size();
                }
                long t1 = System.nanoTime();
                int last = size - 1;
                for (int i = 0; i < calls; i++) {
                    sink += LevelledRendezvous.subset(backends, DeterministicSubsetFigures::hash, last, size, k).size();
                }
                long t2 = System.nanoTime();
                int bcalls = size == 300 ? 50 : 1;
                for (int i = 0; i < bcalls; i++) {
                    sink += BalancedRendezvous.balanced(backends, DeterministicSubsetFigures::hash, i % size, size, k).size();
                }
                long t3 = System.nanoTime();
                int scalls = size == 300 ? 200 : 10;
                for (int i = 0; i < scalls; i++) {
                    sink += DeterministicSubset.subset(backends, DeterministicSubsetFigures::hash, i % size, size, k).size();
                }
                long t4 = System.nanoTime();
                System.out.printf("cost %dx%d size %d: levelled mean index %.1f µs, last index %.1f µs; balanced %.1f µs;"
                                + " stable %.1f µs (%d)%n", size, size, k,
                        (t1 - t0) / 1e3 / calls, (t2 - t1) / 1e3 / calls, (t3 - t2) / 1e3 / bcalls, (t4 - t3) / 1e3 / scalls, sink);
            }
        }
    }

    private static String maxMin(List<Set<BackendAddress>> subsets, List<BackendAddress> backends) {
        int[] s = spread(subsets, backends);
        return s[0] + "/" + s[1];
    }

    /**
     * The candidate that balances best but costs most, kept here for the figures: every client computes one
     * minimum-cost assignment, starting from each client's rendezvous top {@code size} (candidates limited to its
     * best {@code 4 size + 8}) and moving connections off overloaded backends along the cheapest chains of moves
     * (successive shortest paths with potentials), until every backend is within one of the others.
     */
    static final class BalancedRendezvous {

        private BalancedRendezvous() {
        }

        /**
         * Every client's subset, computed as one minimum-cost assignment: start from each client's rendezvous top
         * {@code size}, then move connections off overloaded backends along the cheapest chains of moves.
         */
        static int[][] assignment(long[] hashes, int n, int k, int candidates) {
            int m = hashes.length;
            int t = Math.min(m, candidates);
            int[][] cand = new int[n][];
            long[][] cost = new long[n][];
            boolean[][] used = new boolean[n][t];
            int[] load = new int[m];
            int[][] users = new int[m][];
            int[] userCount = new int[m];
            long[] pi = new long[m + n];
            for (int c = 0; c < n; c++) {
                int[] ids = new int[t];
                long[] sc = new long[t];
                top(hashes, c, t, ids, sc);
                cand[c] = ids;
                long[] w = new long[t];
                for (int j = 0; j < t; j++) {
                    w[j] = ~sc[j] >>> 24;
                }
                cost[c] = w;
                for (int j = 0; j < k; j++) {
                    used[c][j] = true;
                    load[ids[j]]++;
                }
                pi[m + c] = -w[k - 1];
            }
            for (int b = 0; b < m; b++) {
                users[b] = new int[Math.max(4, load[b] + 4)];
            }
            for (int c = 0; c < n; c++) {
                for (int j = 0; j < k; j++) {
                    int b = cand[c][j];
                    users[b][userCount[b]++] = c * t + j;
                }
            }
            long total = (long) n * k;
            int low = (int) (total / m);
            int cap = total % m == 0 ? low : low + 1;
            Flow f = new Flow(m, n, t, cand, cost, used, load, users, userCount, pi);
            for (int b = 0; b < m; b++) {
                while (load[b] > cap) {
                    if (!f.augment(b, low, cap, false)) {
                        return null;
                    }
                }
            }
            if (cap > low) {
                for (int b = 0; b < m; b++) {
                    while (load[b] < low) {
                        if (!f.augment(b, low, cap, true)) {
                            return null;
                        }
                    }
                }
            }
            int[][] out = new int[n][k];
            for (int c = 0; c < n; c++) {
                int i = 0;
                for (int j = 0; j < t; j++) {
                    if (used[c][j]) {
                        out[c][i++] = cand[c][j];
                    }
                }
            }
            return out;
        }

        /** The subset of client {@code index}: its row of the assignment, in the input's order. */
        static <B> List<B> balanced(List<B> backends, ToLongFunction<? super B> hash, int index, int clients, int size) {
            int m = backends.size();
            if (size >= m) {
                return List.copyOf(backends);
            }
            long[] hashes = new long[m];
            for (int b = 0; b < m; b++) {
                hashes[b] = hash.applyAsLong(backends.get(b));
            }
            int[][] all = assignment(hashes, clients, size, 4 * size + 8);
            if (all == null) {
                all = assignment(hashes, clients, size, m);
            }
            boolean[] mine = new boolean[m];
            for (int b : all[index]) {
                mine[b] = true;
            }
            List<B> out = new ArrayList<>(size);
            for (int b = 0; b < m; b++) {
                if (mine[b]) {
                    out.add(backends.get(b));
                }
            }
            return out;
        }

    
        /** Client {@code c}'s best {@code t} backends by score, best first, with their scores. */
        private static void top(long[] hashes, int c, int t, int[] ids, long[] scores) {
            Integer[] all = new Integer[hashes.length];
            for (int b = 0; b < all.length; b++) {
                all[b] = b;
            }
            Arrays.sort(all, (x, y) -> Long.compareUnsigned(DeterministicSubset.score(hashes[y], c), DeterministicSubset.score(hashes[x], c)));
            for (int j = 0; j < t; j++) {
                ids[j] = all[j];
                scores[j] = DeterministicSubset.score(hashes[ids[j]], c);
            }
        }

        /** The assignment being rebalanced: clients' candidate backends, which they use, and potentials for the search. */
        private static final class Flow {
            final int m;
            final int n;
            final int t;
            final int[][] cand;
            final long[][] cost;
            final boolean[][] used;
            final int[] load;
            final int[][] users;
            final int[] userCount;
            final int[][] candOf;
            final long[] pi;
            final long[] dist;
            final boolean[] done;
            final int[] parent; // node reached from; for a client, parent backend; for a backend, parent client
            final int[] parentSlot; // the client's candidate slot j used by the edge to this node
            final int[] touched;
            int touchedCount;
            long[] heapKey = new long[64];
            int[] heapNode = new int[64];
            int heapSize;

            Flow(int m, int n, int t, int[][] cand, long[][] cost, boolean[][] used, int[] load, int[][] users, int[] userCount, long[] pi) {
                this.m = m;
                this.n = n;
                this.t = t;
                this.cand = cand;
                this.cost = cost;
                this.used = used;
                this.load = load;
                this.users = users;
                this.userCount = userCount;
                this.pi = pi;
                int[] counts = new int[m];
                for (int c = 0; c < n; c++) {
                    for (int j = 0; j < t; j++) {
                        counts[cand[c][j]]++;
                    }
                }
                candOf = new int[m][];
                for (int b = 0; b < m; b++) {
                    candOf[b] = new int[counts[b]];
                    counts[b] = 0;
                }
                for (int c = 0; c < n; c++) {
                    for (int j = 0; j < t; j++) {
                        int b = cand[c][j];
                        candOf[b][counts[b]++] = c * t + j;
                    }
                }
                dist = new long[m + n];
                done = new boolean[m + n];
                parent = new int[m + n];
                parentSlot = new int[m + n];
                touched = new int[m + n];
                java.util.Arrays.fill(dist, Long.MAX_VALUE);
            }

            /**
             * Moves one connection, along the cheapest chain of moves, away from backend {@code from} (forward: it has
             * more than {@code cap}, the chain ends at a backend below {@code cap}) or to it (backward: it has fewer than
             * {@code low}, the chain starts at a backend above {@code low}).
             */
            boolean augment(int from, int low, int cap, boolean backward) {
                touchedCount = 0;
                heapSize = 0;
                reach(from, 0, -1, -1);
                int end = -1;
                long endDist = 0;
                while (heapSize > 0) {
                    long d = heapKey[0];
                    int v = heapNode[0];
                    pop();
                    if (done[v] || d != dist[v]) {
                        continue;
                    }
                    done[v] = true;
                    if (v < m) {
                        if (v != from && (backward ? load[v] > low : load[v] < cap)) {
                            end = v;
                            endDist = d;
                            break;
                        }
                        if (backward) {
                            // clients that could take b: c -> b in the graph, walked backwards
                            for (int e : candOf[v]) {
                                int c = e / t;
                                int j = e % t;
                                if (!used[c][j]) {
                                    reach(m + c, d + cost[c][j] + pi[m + c] - pi[v], v, j);
                                }
                            }
                        } else {
                            for (int i = 0; i < userCount[v]; i++) {
                                int e = users[v][i];
                                int c = e / t;
                                int j = e % t;
                                reach(m + c, d - cost[c][j] + pi[v] - pi[m + c], v, j);
                            }
                        }
                    } else {
                        int c = v - m;
                        for (int j = 0; j < t; j++) {
                            int b = cand[c][j];
                            if (used[c][j] == backward) {
                                // forward: c may join b it does not use; backward: c may leave b it uses
                                long r = backward ? -cost[c][j] + pi[b] - pi[v] : cost[c][j] + pi[v] - pi[b];
                                reach(b, d + r, v, j);
                            }
                        }
                    }
                }
                if (end < 0) {
                    clear();
                    return false;
                }
                for (int v = 0; v < m + n; v++) {
                    long dv = done[v] ? dist[v] : endDist;
                    pi[v] += backward ? -dv : dv;
                }
                // walk the chain from end back to from, flipping each edge
                int v = end;
                while (v != from) {
                    int c = parent[v] - m;
                    int jIn = parentSlot[v];
                    int b = parent[parent[v]];
                    int jOut = parentSlot[parent[v]];
                    if (backward) {
                        // path in search order: from <- c (c joins from) <- b (c leaves b) ... ; v = b is the far end
                        leave(c, jIn, v);
                        join(c, jOut, b);
                    } else {
                        join(c, jIn, v);
                        leave(c, jOut, b);
                    }
                    v = b;
                }
                if (backward) {
                    load[end]--;
                    load[from]++;
                } else {
                    load[end]++;
                    load[from]--;
                }
                clear();
                return true;
            }

            private void join(int c, int j, int b) {
                used[c][j] = true;
                if (userCount[b] == users[b].length) {
                    users[b] = java.util.Arrays.copyOf(users[b], users[b].length * 2);
                }
                users[b][userCount[b]++] = c * t + j;
            }

            private void leave(int c, int j, int b) {
                used[c][j] = false;
                int e = c * t + j;
                for (int i = 0; i < userCount[b]; i++) {
                    if (users[b][i] == e) {
                        users[b][i] = users[b][--userCount[b]];
                        return;
                    }
                }
                throw new AssertionError();
            }

            private void reach(int v, long d, int from, int slot) {
                if (done[v] || d >= dist[v]) {
                    return;
                }
                if (dist[v] == Long.MAX_VALUE) {
                    touched[touchedCount++] = v;
                }
                dist[v] = d;
                parent[v] = from;
                parentSlot[v] = slot;
                push(d, v);
            }

            private void clear() {
                for (int i = 0; i < touchedCount; i++) {
                    int v = touched[i];
                    dist[v] = Long.MAX_VALUE;
                    done[v] = false;
                }
            }

            private void push(long key, int node) {
                if (heapSize == heapKey.length) {
                    heapKey = java.util.Arrays.copyOf(heapKey, heapSize * 2);
                    heapNode = java.util.Arrays.copyOf(heapNode, heapSize * 2);
                }
                int i = heapSize++;
                while (i > 0) {
                    int p = (i - 1) / 2;
                    if (less(heapKey[p], heapNode[p], key, node)) {
                        break;
                    }
                    heapKey[i] = heapKey[p];
                    heapNode[i] = heapNode[p];
                    i = p;
                }
                heapKey[i] = key;
                heapNode[i] = node;
            }

            private void pop() {
                long key = heapKey[--heapSize];
                int node = heapNode[heapSize];
                int i = 0;
                while (true) {
                    int l = 2 * i + 1;
                    if (l >= heapSize) {
                        break;
                    }
                    int r = l + 1;
                    int s = r < heapSize && less(heapKey[r], heapNode[r], heapKey[l], heapNode[l]) ? r : l;
                    if (less(key, node, heapKey[s], heapNode[s])) {
                        break;
                    }
                    heapKey[i] = heapKey[s];
                    heapNode[i] = heapNode[s];
                    i = s;
                }
                heapKey[i] = key;
                heapNode[i] = node;
            }

            private static boolean less(long k1, int n1, long k2, int n2) {
                return k1 < k2 || (k1 == k2 && n1 < n2);
            }
        }
    }

    /**
     * Levelled rendezvous, shipped before the stable matching and kept here for the figures: the clients take their
     * subsets one after another in index order, each from the backends that the clients before it have used least,
     * picking among those its best by score; loads stay within one after every client, and a client's subset depends
     * only on the clients before it. Replays the clients since the last point where every backend had the same load.
     */
    static final class LevelledRendezvous {

        private LevelledRendezvous() {
        }

        /** The subset of client {@code index}, in the input's order. */
        static <B> List<B> subset(List<B> backends, ToLongFunction<? super B> hash, int index, int clients, int size) {
            int m = backends.size();
            if (size >= m) {
                return List.copyOf(backends);
            }
            long[] hashes = new long[m];
            for (int b = 0; b < m; b++) {
                hashes[b] = hash.applyAsLong(backends.get(b));
            }
            // Loads are all equal before client c when c·size is a multiple of m: replay from the last such client.
            int period = m / gcd(m, size);
            int first = index - index % period;
            int[] left = new int[m]; // the backends not yet taken in this round: left[0, count)
            int[] where = new int[m]; // where[b]: b's slot in left, or -1
            int count = fill(left, where, m);
            int[] picked = new int[size];
            for (int c = first; c <= index; c++) {
                if (count > size) {
                    best(hashes, c, left, count, size, picked, 0);
                    for (int i = 0; i < size; i++) {
                        count = remove(left, where, count, picked[i]);
                    }
                } else {
                    // take the round's rest, start the next round, and fill up from it with the best of the others
                    int rest = count;
                    System.arraycopy(left, 0, picked, 0, rest);
                    count = fill(left, where, m);
                    for (int i = 0; i < rest; i++) {
                        count = remove(left, where, count, picked[i]);
                    }
                    if (rest < size) {
                        best(hashes, c, left, count, size - rest, picked, rest);
                        for (int i = rest; i < size; i++) {
                            count = remove(left, where, count, picked[i]);
                        }
                    }
                    for (int i = 0; i < rest; i++) {
                        count = add(left, where, count, picked[i]);
                    }
                }
            }
            boolean[] mine = new boolean[m];
            for (int b : picked) {
                mine[b] = true;
            }
            List<B> out = new ArrayList<>(size);
            for (int b = 0; b < m; b++) {
                if (mine[b]) {
                    out.add(backends.get(b));
                }
            }
            return List.copyOf(out);
        }

        /** Writes into {@code out[from, from + k)} the {@code k} of {@code left[0, count)} that client {@code c} scores highest. */
        private static void best(long[] hashes, int c, int[] left, int count, int k, int[] out, int from) {
            long[] top = new long[k]; // scores of out[from, from + n), descending
            int n = 0;
            for (int i = 0; i < count; i++) {
                int b = left[i];
                long s = DeterministicSubset.score(hashes[b], c);
                if (n == k && !beats(s, b, top[k - 1], out[from + k - 1])) {
                    continue;
                }
                int j = n == k ? k - 1 : n++;
                while (j > 0 && beats(s, b, top[j - 1], out[from + j - 1])) {
                    top[j] = top[j - 1];
                    out[from + j] = out[from + j - 1];
                    j--;
                }
                top[j] = s;
                out[from + j] = b;
            }
        }

        /** Whether score {@code s} of backend {@code b} ranks above score {@code t} of backend {@code u}; ties go to the earlier backend. */
        private static boolean beats(long s, int b, long t, int u) {
            int c = Long.compareUnsigned(s, t);
            return c > 0 || (c == 0 && b < u);
        }

        private static int fill(int[] left, int[] where, int m) {
            for (int b = 0; b < m; b++) {
                left[b] = b;
                where[b] = b;
            }
            return m;
        }

        private static int remove(int[] left, int[] where, int count, int b) {
            int slot = where[b];
            int last = left[--count];
            left[slot] = last;
            where[last] = slot;
            where[b] = -1;
            return count;
        }

        private static int add(int[] left, int[] where, int count, int b) {
            left[count] = b;
            where[b] = count;
            return count + 1;
        }

        private static int gcd(int a, int b) {
            while (b != 0) {
                int t = a % b;
                a = b;
                b = t;
            }
            return a;
        }
    }
}
