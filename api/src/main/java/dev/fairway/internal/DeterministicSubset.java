package dev.fairway.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Deterministic subsetting for a client that knows its index among its peers: every backend serves the same
 * number of clients, give or take one, and a backend joining or leaving moves few connections.
 *
 * <p>The algorithm, <em>stable matching with symmetric rendezvous scores</em>: every backend has room for
 * {@code floor(clients × size / backends)} clients, one more for the {@code clients × size mod backends} backends of
 * lowest hash (so those extra slots stay put when the fleet changes), and every pair (client, backend) has one
 * rendezvous {@link #score(long, int) score} that both sides rank by. The pairs are accepted in descending order of
 * score while the client has fewer than {@code size} and the backend has room; with one score per pair this greedy is
 * the unique stable matching: no client and backend both prefer each other to a partner they have. The capacities add
 * up to exactly {@code clients × size}, so every backend ends full. Rarely a client ends short because the only
 * backends with room are ones it already holds; it is completed along the shortest chain of moves (it takes a backend
 * it lacks, that backend's holder takes another, and so on until a backend with room).
 *
 * <p>Every client computes the same matching from the same inputs and keeps its own row, so nothing is shared. The
 * scores hash the backend, not its rank, so a backend joining or leaving disturbs only the pairs near it in score
 * order: at 300 clients, 300 backends and size 10 it moves 72 to 86 connections, where 18 to 20 is the least an exact
 * scheme must and levelled rendezvous (the previous scheme) moved 424 to 452. A client joining or leaving changes the
 * capacities and moves 54 to 76 connections, not just its own 10 (see {@code DeterministicSubsetFigures}). Indices
 * must stay put: removing a middle client and renumbering the later ones reshuffles nearly all of their subsets.
 *
 * <p>Cost: every call computes the whole matching. Each client's candidates come in bands of score, each band one
 * pass over the backends, and a heap of clients yields the pairs in descending order, so a call scores about
 * {@code 1.2 × clients × backends} pairs: about 1 ms at 300 × 300 and 40 ms at 3000 × 3000 (size 10, warm).
 */
final class DeterministicSubset {

    private DeterministicSubset() {
    }

    /**
     * The subset of the client at {@code index} among {@code clients} peers.
     *
     * @param backends the backends, in an order every client agrees on, without duplicates; the result keeps it
     * @param hash     a stable hash of a backend, the same in every client and independent of the backend's rank
     * @param index    this client's index, from 0 to {@code clients - 1}; indices must stay put as clients come and go
     * @param clients  the number of peer clients, at least 1; every client must pass the same number
     * @param size     the subset size, at least 1
     * @param <B>      the backend type
     * @return {@code size} distinct backends, or all of them when there are no more than {@code size}, in the order of
     *         {@code backends}, as an unmodifiable list
     * @throws IllegalArgumentException if {@code clients} or {@code size} is below 1 or {@code index} is out of range
     */
    static <B> List<B> subset(List<B> backends, ToLongFunction<? super B> hash, int index, int clients, int size) {
        Objects.requireNonNull(backends, "backends");
        Objects.requireNonNull(hash, "hash");
        if (clients < 1) {
            throw new IllegalArgumentException("clients " + clients + " is out of range: the number of peer clients is at least 1");
        }
        if (index < 0 || index >= clients) {
            throw new IllegalArgumentException("index " + index + " is out of range: with " + clients
                    + " clients use 0 to " + (clients - 1));
        }
        if (size < 1) {
            throw new IllegalArgumentException("size " + size + " is out of range: the subset size is at least 1");
        }
        int m = backends.size();
        if (size >= m) {
            return List.copyOf(backends);
        }
        long[] hashes = new long[m];
        for (int b = 0; b < m; b++) {
            hashes[b] = hash.applyAsLong(backends.get(b));
        }
        boolean[] mine = new boolean[m];
        for (int b : matching(hashes, clients, size).subsets()[index]) {
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

    /**
     * The rendezvous score of a backend for a client: higher ranks first.
     *
     * @param backendHash the backend's stable hash
     * @param client      the client's index
     * @return the score, compared unsigned
     */
    static long score(long backendHash, int client) {
        long h = backendHash + (client + 1L) * 0x9E3779B97F4A7C15L;
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    /** The whole matching, and how many clients had to be completed by a chain of moves. */
    record Matching(int[][] subsets, int repairs, long scored) {
    }

    /** Capacities: floor(n·k/m) each, one more for the (n·k mod m) backends of lowest unsigned hash. */
    static int[] capacities(long[] hashes, int n, int k) {
        int m = hashes.length;
        long total = (long) n * k;
        int base = (int) (total / m);
        int extra = (int) (total % m);
        int[] cap = new int[m];
        Arrays.fill(cap, base);
        if (extra > 0) {
            Integer[] order = new Integer[m];
            for (int b = 0; b < m; b++) {
                order[b] = b;
            }
            Arrays.sort(order, (x, y) -> {
                int c = Long.compareUnsigned(hashes[x], hashes[y]);
                return c != 0 ? c : Integer.compare(x, y);
            });
            for (int i = 0; i < extra; i++) {
                cap[order[i]]++;
            }
        }
        return cap;
    }

    /**
     * The greedy in descending score order, then repairs; {@code k < hashes.length}. Each client's candidates come
     * in bands of distance from the top score ({@code ~score}, unsigned): the first band is expected to hold
     * {@code 2 size + 8} backends, each next one is twice as wide. A band costs one pass over the backends; a heap
     * of clients keyed by their next untried candidate yields the pairs in descending score order.
     */
    static Matching matching(long[] hashes, int n, int k) {
        int m = hashes.length;
        int[] cap = capacities(hashes, n, k);
        int[] load = new int[m];
        long expected = Math.min(m, 2L * k + 8);
        long width = expected >= m ? -1L : Long.divideUnsigned(-1L, m) * expected;
        int[][] candId = new int[n][];
        long[][] candDist = new long[n][];
        int[] pos = new int[n];
        int[] len = new int[n];
        long[] lo = new long[n]; // the next band starts here
        long[] wide = new long[n]; // and is this wide; 0 once every backend has been banded
        int[][] held = new int[n][k];
        int[] have = new int[n];
        long[] scoredBox = new long[1];
        int[] heap = new int[n];
        int size = 0;
        for (int c = 0; c < n; c++) {
            wide[c] = width;
            candId[c] = new int[(int) Math.min(m, 2 * expected + 8)];
            candDist[c] = new long[candId[c].length];
            if (band(hashes, c, candId, candDist, len, lo, wide, scoredBox)) {
                heap[size++] = c;
            }
        }
        for (int i = size / 2 - 1; i >= 0; i--) {
            down(heap, size, i, candDist, pos);
        }
        while (size > 0) {
            int c = heap[0];
            int b = candId[c][pos[c]];
            if (load[b] < cap[b]) {
                load[b]++;
                held[c][have[c]++] = b;
            }
            pos[c]++;
            boolean more = have[c] < k;
            if (more && pos[c] == len[c]) {
                pos[c] = 0;
                more = band(hashes, c, candId, candDist, len, lo, wide, scoredBox);
            }
            if (!more) {
                heap[0] = heap[--size];
            }
            if (size > 0) {
                down(heap, size, 0, candDist, pos);
            }
        }
        int repairs = 0;
        for (int c = 0; c < n; c++) {
            while (have[c] < k) {
                repair(c, held, have, load, cap, m);
                repairs++;
            }
        }
        return new Matching(held, repairs, scoredBox[0]);
    }

    /**
     * Loads client {@code c}'s next non-empty band of candidates, nearest the top first; false when every
     * backend has been offered.
     */
    private static boolean band(long[] hashes, int c, int[][] candId, long[][] candDist, int[] len, long[] lo,
                                long[] wide, long[] scored) {
        int m = hashes.length;
        while (wide[c] != 0) {
            long from = lo[c];
            long w = wide[c];
            boolean last = Long.compareUnsigned(w, -1L - from) >= 0; // the band reaches the bottom score
            long to = from + w;
            int[] id = candId[c];
            long[] dist = candDist[c];
            int count = 0;
            for (int b = 0; b < m; b++) {
                long d = ~score(hashes[b], c);
                if (Long.compareUnsigned(d, from) >= 0 && (last || Long.compareUnsigned(d, to) < 0)) {
                    if (count == id.length) {
                        id = Arrays.copyOf(id, Math.min(m, 2 * count));
                        dist = Arrays.copyOf(dist, id.length);
                    }
                    // insertion by (distance, backend): bands are small
                    int j = count++;
                    while (j > 0 && (Long.compareUnsigned(dist[j - 1], d) > 0)) {
                        dist[j] = dist[j - 1];
                        id[j] = id[j - 1];
                        j--;
                    }
                    dist[j] = d;
                    id[j] = b;
                }
            }
            scored[0] += m;
            candId[c] = id;
            candDist[c] = dist;
            len[c] = count;
            if (last) {
                wide[c] = 0;
            } else {
                lo[c] = to;
                wide[c] = Long.compareUnsigned(w, Long.MIN_VALUE) >= 0 ? -1L : w << 1;
            }
            if (count > 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether client x's next pair ranks above client y's: nearer the top score, then the lower client. */
    private static boolean above(int x, int y, long[][] dist, int[] pos) {
        int c = Long.compareUnsigned(dist[x][pos[x]], dist[y][pos[y]]);
        return c < 0 || (c == 0 && x < y);
    }

    /** Sifts the client at heap slot {@code i} down to its place. */
    private static void down(int[] heap, int size, int i, long[][] dist, int[] pos) {
        int v = heap[i];
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                break;
            }
            int r = l + 1;
            int s = r < size && above(heap[r], heap[l], dist, pos) ? r : l;
            if (!above(heap[s], v, dist, pos)) {
                break;
            }
            heap[i] = heap[s];
            i = s;
        }
        heap[i] = v;
    }

    /**
     * Gives short client {@code c} one more backend along the shortest chain of moves (breadth first, backends in
     * index order): c takes a backend b1 it lacks, a holder c1 of b1 gives it up and takes b2 it lacks, ..., until
     * the chain ends at a backend with room. A simple path in the residual graph, so nobody holds a backend twice.
     */
    private static void repair(int c, int[][] held, int[] have, int[] load, int[] cap, int m) {
        int n = held.length;
        int[][] users = new int[m][];
        int[] count = new int[m];
        for (int x = 0; x < n; x++) {
            for (int j = 0; j < have[x]; j++) {
                count[held[x][j]]++;
            }
        }
        for (int b = 0; b < m; b++) {
            users[b] = new int[count[b]];
            count[b] = 0;
        }
        for (int x = 0; x < n; x++) {
            for (int j = 0; j < have[x]; j++) {
                int b = held[x][j];
                users[b][count[b]++] = x;
            }
        }
        int[] viaClient = new int[m]; // the client that takes backend b in the chain
        Arrays.fill(viaClient, -1);
        int[] viaBackend = new int[n]; // the backend client x gives up
        boolean[] seenClient = new boolean[n];
        int[] queue = new int[m];
        int head = 0;
        int tail = 0;
        seenClient[c] = true;
        int end = expand(c, held, have, load, cap, m, viaClient, queue, tail);
        if (end < 0) {
            tail = -end - 1;
        }
        while (end < 0 && head < tail) {
            int b = queue[head++];
            for (int x : users[b]) {
                if (seenClient[x]) {
                    continue;
                }
                seenClient[x] = true;
                viaBackend[x] = b;
                int r = expand(x, held, have, load, cap, m, viaClient, queue, tail);
                if (r >= 0) {
                    end = r;
                    break;
                }
                tail = -r - 1;
            }
        }
        if (end < 0) {
            throw new IllegalStateException("no chain of moves completes client " + c + ": capacities do not add up");
        }
        load[end]++;
        int b = end;
        while (true) {
            int x = viaClient[b];
            if (x == c) {
                held[c][have[c]++] = b;
                return;
            }
            int gives = viaBackend[x];
            for (int j = 0; j < have[x]; j++) {
                if (held[x][j] == gives) {
                    held[x][j] = b;
                }
            }
            b = gives;
        }
    }

    /** Queues the backends client x lacks; returns one with room (>= 0) or -(the new tail) - 1. */
    private static int expand(int x, int[][] held, int[] have, int[] load, int[] cap, int m, int[] viaClient,
                              int[] queue, int tail) {
        for (int b = 0; b < m; b++) {
            if (viaClient[b] >= 0 || holds(held[x], have[x], b)) {
                continue;
            }
            viaClient[b] = x;
            if (load[b] < cap[b]) {
                return b;
            }
            queue[tail++] = b;
        }
        return -tail - 1;
    }

    /** Whether {@code row[0, count)} holds backend {@code b}. */
    private static boolean holds(int[] row, int count, int b) {
        for (int j = 0; j < count; j++) {
            if (row[j] == b) {
                return true;
            }
        }
        return false;
    }
}
