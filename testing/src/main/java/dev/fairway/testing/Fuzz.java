package dev.fairway.testing;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A seeded fuzzing loop for a parser's tests that measures each case: the bytes its thread allocated (through
 * {@code com.sun.management.ThreadMXBean}, module {@code jdk.management}) and its time. A case fails the test when the parser throws anything but
 * the documented exception, allocates more than its bound, or takes longer than a generous safety net (not a
 * performance target). {@value #WARM_UP} unmeasured cases from another seed run first, so that class loading and
 * first-use initialisation are not counted against a case. The figures are printed, for docs/benchmarks.md.
 */
public final class Fuzz {

    /** Cases run unmeasured first, from another seed, so that class loading is not counted against a case. */
    public static final int WARM_UP = 1_000;

    /** The per-case time bound: a safety net against runaway work, far above any real case. */
    public static final Duration CASE_TIME_BOUND = Duration.ofSeconds(1);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Fuzz() {
    }

    /**
     * What a run measured.
     *
     * @param parser      the parser's name
     * @param cases       inputs fed
     * @param rejected    inputs refused with the documented exception
     * @param slowestNanos the slowest case
     * @param mostBytes   the most bytes one case allocated
     */
    public record Figures(String parser, int cases, int rejected, long slowestNanos, long mostBytes) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "fuzz %-22s %,7d cases (%,d rejected), slowest %.2f ms, most allocation %,d bytes",
                    parser, cases, rejected, slowestNanos / 1e6, mostBytes);
        }
    }

    /**
     * Feeds {@code cases} inputs to {@code parse}.
     *
     * @param parser     the parser's name, for messages and figures
     * @param seed       the random seed: the same seed feeds the same inputs
     * @param cases      how many inputs
     * @param input      makes input {@code i} from the random generator
     * @param parse      parses one input; its result is checked by {@code check}
     * @param documented the exception the parser documents; {@code null} when it documents none
     * @param byteBound  the allocation bound of one input
     * @param <T>        the input type
     * @return the figures
     */
    public static <T> Figures run(String parser, long seed, int cases, BiFunction<SplittableRandom, Integer, T> input,
                           Function<T, ?> parse, Class<? extends Throwable> documented, ToLongFunction<T> byteBound) {
        check(THREADS.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes per thread");
        THREADS.setThreadAllocatedMemoryEnabled(true);
        SplittableRandom warmUp = new SplittableRandom(~seed);
        for (int i = 0; i < WARM_UP; i++) {
            try {
                parse.apply(input.apply(warmUp, i));
            } catch (Throwable ignored) {
                // class loading and first-use initialisation, not measured; the measured run checks everything
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        int rejected = 0;
        long slowest = 0;
        long most = 0;
        for (int i = 0; i < cases; i++) {
            T in = input.apply(random, i);
            Throwable thrown = null;
            long bytes = THREADS.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            try {
                parse.apply(in);
            } catch (Throwable t) {
                thrown = t;
            }
            long nanos = System.nanoTime() - start;
            bytes = THREADS.getCurrentThreadAllocatedBytes() - bytes;
            String which = parser + " case " + i + " of seed " + seed + ", input " + show(in);
            if (thrown != null) {
                if (documented == null || !documented.isInstance(thrown)) {
                    throw new AssertionError(which + " threw an undocumented " + thrown, thrown);
                }
                check(thrown.getMessage() != null && !thrown.getMessage().isBlank(), which + ": a failure without a message");
                rejected++;
            }
            long bound = byteBound.applyAsLong(in);
            check(bytes <= bound, which + " allocated " + bytes + " bytes, over its bound of " + bound);
            check(nanos <= CASE_TIME_BOUND.toNanos(), which + " took " + nanos / 1_000_000 + " ms");
            slowest = Math.max(slowest, nanos);
            most = Math.max(most, bytes);
        }
        Figures figures = new Figures(parser, cases, rejected, slowest, most);
        System.out.println(figures);
        return figures;
    }

    private static void check(boolean passed, String problem) {
        if (!passed) {
            throw new AssertionError(problem);
        }
    }

    private static String show(Object in) {
        String s = in instanceof byte[] b ? java.util.HexFormat.of().formatHex(b)
                : in instanceof Object[] a ? java.util.Arrays.deepToString(a) : String.valueOf(in);
        return s.length() > 300 ? s.substring(0, 300) + "... (" + s.length() + " characters)" : s;
    }

    /**
     * A mutation of {@code seed}: 1 to 4 edits, each replacing, deleting, duplicating or inserting a piece, the
     * inserted pieces drawn from {@code pieces} or random characters, sometimes repeated many times.
     *
     * @param random the generator
     * @param seed   a valid input
     * @param pieces tokens of the input's language
     * @return the mutated text
     */
    public static String mutate(SplittableRandom random, String seed, List<String> pieces) {
        StringBuilder s = new StringBuilder(seed);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(s.length() + 1);
            switch (random.nextInt(5)) {
                case 0 -> s.insert(at, pieces.get(random.nextInt(pieces.size())));
                case 1 -> s.insert(at, randomChar(random));
                case 2 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(8)));
                case 3 -> s.insert(at, pieces.get(random.nextInt(pieces.size())).repeat(1 + random.nextInt(2000)));
                default -> {
                    int end = Math.min(s.length(), at + random.nextInt(20));
                    s.insert(at, s.substring(at, end));
                }
            }
        }
        return s.toString();
    }

    /**
     * A random text of up to {@code maxLength} characters, mostly from {@code alphabet}.
     *
     * @param random    the generator
     * @param alphabet  the likely characters
     * @param maxLength the longest text
     * @return the text
     */
    public static String randomText(SplittableRandom random, String alphabet, int maxLength) {
        int n = random.nextInt(maxLength + 1);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(random.nextInt(8) == 0 ? randomChar(random) : alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private static char randomChar(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> (char) random.nextInt(0x20);
            case 1 -> (char) random.nextInt(0x80);
            case 2 -> (char) random.nextInt(0x100);
            default -> (char) random.nextInt(0x10000);
        };
    }

    /**
     * A mutation of {@code seed}: 1 to 4 edits, each setting, deleting, duplicating or inserting bytes, the inserted
     * pieces drawn from {@code pieces} or random bytes, sometimes repeated many times.
     *
     * @param random the generator
     * @param seed   a valid input
     * @param pieces byte strings of the input's language
     * @return the mutated bytes
     */
    public static byte[] mutate(SplittableRandom random, byte[] seed, List<byte[]> pieces) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(seed.length + 64);
        byte[] m = seed;
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(m.length + 1);
            out.reset();
            out.write(m, 0, at);
            switch (random.nextInt(5)) {
                case 0 -> out.writeBytes(pieces.get(random.nextInt(pieces.size())));
                case 1 -> out.write(random.nextInt(256));
                case 2 -> at = Math.min(m.length, at + 1 + random.nextInt(8));          // delete
                case 3 -> {
                    byte[] piece = pieces.get(random.nextInt(pieces.size()));
                    for (int n = 1 + random.nextInt(500); n > 0; n--) {
                        out.writeBytes(piece);
                    }
                }
                default -> {
                    if (at < m.length) {
                        out.write(random.nextInt(256));                                   // set
                        at++;
                    }
                }
            }
            out.write(m, at, m.length - at);
            m = out.toByteArray();
        }
        return m;
    }

    /**
     * Random bytes, up to {@code maxLength} of them, mostly from {@code alphabet}.
     *
     * @param random    the generator
     * @param alphabet  the likely bytes, as ISO-8859-1 text
     * @param maxLength the most bytes
     * @return the bytes
     */
    public static byte[] randomBytes(SplittableRandom random, String alphabet, int maxLength) {
        byte[] b = new byte[random.nextInt(maxLength + 1)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (random.nextInt(8) == 0 ? random.nextInt(256) : alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b;
    }

    /**
     * Bytes as ISO-8859-1 text, the way option values and environment variables are made from them.
     *
     * @param b the bytes
     * @return the text, one character per byte
     */
    public static String text(byte[] b) {
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * ISO-8859-1 text as bytes.
     *
     * @param s the text, each character below 256
     * @return the bytes, one per character
     */
    public static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
