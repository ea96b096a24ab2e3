package dev.fairway.spi;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Option values are total: whatever text a user (or a configuration file) gives, conversion returns a valid value or
 * throws {@link IllegalArgumentException} naming the key, and never anything else. Seeded, so a failure reproduces.
 */
class OptionFuzzTest {

    private static final long SEED = 0x5EED_F00DL;
    private static final int CASES = 20_000;

    enum Color { RED, GREEN, DARK_BLUE }

    private static final List<Option<?>> OPTIONS = List.of(
            Option.ofDuration("interval", Duration.ofSeconds(10), Duration.ofMillis(1), Duration.ofDays(30), "d"),
            Option.ofInt("count", 5, 0, 100_000, "n"),
            Option.ofDouble("ratio", 0.5, 0, 1, "r"),
            Option.ofBoolean("flag", true, "b"),
            Option.ofEnum("color", Color.class, Color.RED, "c"),
            Option.ofList("items", "l"),
            Option.ofString("text", "x", "s"),
            Option.ofCustom("even", 2, "an even number", "an even number", raw -> {
                int n = Integer.parseInt(String.valueOf(raw)); // a provider's converter that throws what it likes
                if (n % 2 != 0) {
                    throw new IllegalStateException("odd");
                }
                return n;
            }));

    private static final String[] SEEDS = {"10s", "PT30S", "500ms", "1.5h", "2d", "0", "100000", "-1", "0.25", "1e999",
            "true", "false", "dark-blue", "GREEN", "a,b,c", "", " ", "P1D", "PT9999999999999999H", "99999999999999999999s",
            "NaN", "Infinity", "0x10", "1_000", "12ms ", "\u0000", "é", "10 s", "--1", "4", "3"};

    @Test
    void everyValueConvertsOrFailsWithANamedIllegalArgument() {
        Random random = new Random(SEED);
        long slowestNanos = 0;
        String slowest = "";
        int accepted = 0;
        for (int i = 0; i < CASES; i++) {
            String value = i % 2 == 0 ? mutate(SEEDS[random.nextInt(SEEDS.length)], random) : randomText(random);
            for (Option<?> option : OPTIONS) {
                long start = System.nanoTime();
                try {
                    option.convert("fairway.x." + option.key(), value);
                    accepted++;
                } catch (IllegalArgumentException e) {
                    assertTrue(e.getMessage().startsWith("fairway.x." + option.key() + " = "), e.getMessage());
                    assertTrue(e.getMessage().length() < 1_000, "the message repeats at most 200 characters of the value");
                } catch (RuntimeException | Error e) {
                    fail("case " + i + " (seed " + SEED + "): " + option.key() + " = '" + value + "' threw " + e, e);
                }
                long took = System.nanoTime() - start;
                if (took > slowestNanos) {
                    slowestNanos = took;
                    slowest = option.key() + " = '" + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "'";
                }
                // a safety net, not a performance target: a parser that goes quadratic or loops shows here
                assertTrue(took < 1_000_000_000L, option.key() + " = '" + value + "' took " + took / 1_000_000 + " ms");
            }
        }
        System.out.printf("options: %,d cases x %d options, %,d accepted; slowest %,d us: %s%n",
                CASES, OPTIONS.size(), accepted, slowestNanos / 1_000, slowest);
    }

    @Test
    void aValueLongerThanTheBoundFailsBeforeItIsParsedAndIsNotEchoedWhole() {
        String huge = "1".repeat(Option.MAX_TEXT + 1) + "s";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OPTIONS.get(0).convert("fairway.x.interval", huge));
        assertTrue(e.getMessage().contains("a value of more than " + Option.MAX_TEXT + " characters"), e.getMessage().substring(0, 300));
        assertTrue(e.getMessage().length() < 1_000);
        assertEquals(8, OPTIONS.get(7).convert("fairway.x.even", "8"));
    }

    private static String mutate(String seed, Random random) {
        StringBuilder b = new StringBuilder(seed);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = b.isEmpty() ? 0 : random.nextInt(b.length() + 1);
            switch (random.nextInt(5)) {
                case 0 -> b.insert(at, (char) random.nextInt(128));
                case 1 -> {
                    if (at < b.length()) {
                        b.deleteCharAt(at);
                    }
                }
                case 2 -> b.insert(at, "9".repeat(1 + random.nextInt(400)));
                case 3 -> b.insert(at, SEEDS[random.nextInt(SEEDS.length)]);
                default -> b.append(",".repeat(random.nextInt(3))).append((char) (0x20 + random.nextInt(0x5f)));
            }
        }
        return b.toString();
    }

    private static String randomText(Random random) {
        int length = random.nextInt(64);
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append((char) (random.nextBoolean() ? 0x20 + random.nextInt(0x5f) : random.nextInt(0x3000)));
        }
        return b.toString();
    }
}
