package dev.fairway.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Deterministic subsetting for a client that knows its index among its peers: every backend serves the same
 * number of clients, give or take one, and a client joining or leaving at the end of the index range moves no other
 * client's connections.
 *
 * <p>The algorithm, <em>levelled rendezvous</em>: the clients take their subsets one after another in index order,
 * each from the backends that the clients before it have used least, picking among those the ones it ranks highest
 * by a rendezvous score of (backend hash, client index). The backends not yet taken in the current round are
 * exactly the least used ones, so a client takes its {@code size} best among them; when fewer than {@code size}
 * remain, it takes all of them and its best others from the next round. After every client, therefore, the loads
 * differ by at most one: with {@code clients × size} a multiple of the number of backends every backend has
 * exactly {@code clients × size / backends} clients.
 *
 * <p>Every client computes the same sequence from the same inputs, so nothing is shared. A client's subset depends
 * only on the backends and on the clients before it, not on how many come after: {@code clients} serves only to
 * check {@code index}, and the client at the last index joining or leaving moves only its own subset. The scores
 * hash the backend, not its rank, so a backend joining or leaving changes what the clients pick from rather than
 * renumbering the fleet, but the change ripples along every round: at 300 clients, 300 backends and size 10 it
 * moves 424 to 452 connections where 18 to 20 is the least an exact scheme must (see
 * {@code DeterministicSubsetTest}). Indices must stay put: removing a middle client and renumbering the later
 * ones reshuffles nearly all of their subsets.
 *
 * <p>Cost: the clients since the last point where every backend had the same load are replayed, each scoring the
 * backends left in its round. That point recurs every {@code backends / gcd(backends, size)} clients, so a call
 * scores at most about {@code backends² / (2 gcd(backends, size))} pairs.
 */
final class DeterministicSubset {

    private DeterministicSubset() {
    }

    /**
     * The subset of the client at {@code index} among {@code clients} peers.
     *
     * @param backends the backends, in an order every client agrees on, without duplicates; the result keeps it
     * @param hash     a stable hash of a backend, the same in every client and independent of the backend's rank
     * @param index    this client's index, from 0 to {@code clients - 1}
     * @param clients  the number of peer clients, at least 1
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

    /** Writes into {@code out[from, from + k)} the {@code k} of {@code left[0, count)} that client {@code c} scores highest. */
    private static void best(long[] hashes, int c, int[] left, int count, int k, int[] out, int from) {
        long[] top = new long[k]; // scores of out[from, from + n), descending
        int n = 0;
        for (int i = 0; i < count; i++) {
            int b = left[i];
            long s = score(hashes[b], c);
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
