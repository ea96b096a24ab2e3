package dev.fairway.demo;

import dev.fairway.BackendSnapshot;
import dev.fairway.FairwayClient;
import dev.fairway.TargetSnapshot;
import dev.fairway.spi.BackendAddress;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A compact live view of {@link FairwayClient#snapshot()} while a phase runs: about once a second, a title line per
 * target and one line per backend (address, health, ejection, requests in flight, requests sent, leaves open, age
 * of the oldest leaf).
 *
 * <p>On a terminal the view is redrawn in place (ANSI cursor-up and erase); otherwise each frame is appended as
 * plain lines starting with {@code live}, with the column header only in the first frame, so that logs stay
 * readable and {@code grep -v '^live'} removes it. While a view runs, everything else the phase prints goes through
 * {@link #println(String)}, which keeps the in-place block below the message. A view that is not {@code enabled}
 * ({@code --quiet}) prints only those messages.
 *
 * <p>The formatting is pure ({@link #lines}, {@link #frame}, {@link #above}) and tested in {@code LiveViewTest}.
 */
final class LiveView implements AutoCloseable {

    /** How often the view is redrawn. */
    static final Duration PERIOD = Duration.ofSeconds(1);

    private static final char ESC = 27;
    /** Starts every line of the view. */
    static final String PREFIX = "live";
    /** The column header below each title in a terminal, and in the first appended frame. */
    static final String HEADER = String.format(Locale.ROOT, "%s %-20s %-9s %-7s %9s %8s %6s %8s",
            PREFIX, "backend", "health", "ejected", "in flight", "requests", "leaves", "leaf age");
    /** Lines drawn in place are cut to this many characters, so that none wraps and cursor-up stays exact. */
    static final int WIDTH = 79;

    private final PrintStream out;
    private final boolean terminal;
    private final Supplier<List<TargetSnapshot>> source;
    private final long started = System.nanoTime();
    private final ScheduledExecutorService ticker;
    /** The lines of the frame last drawn in place (terminal only), so the next one can replace them. */
    private List<String> drawn = List.of();
    private boolean headerShown;
    private boolean closed;

    private LiveView(PrintStream out, boolean terminal, boolean enabled, Supplier<List<TargetSnapshot>> source, Duration period) {
        this.out = Objects.requireNonNull(out, "out");
        this.terminal = terminal;
        this.source = Objects.requireNonNull(source, "source");
        if (enabled) {
            ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("demo-live-view").daemon().factory());
            ticker.scheduleAtFixedRate(this::draw, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
        } else {
            ticker = null;
        }
    }

    /**
     * Starts a view of {@code client}, drawn on {@code out} every {@link #PERIOD} until {@link #close()}.
     *
     * @param client   the client to watch
     * @param out      where to draw
     * @param terminal whether {@code out} is a terminal (redraw in place) or not (append)
     * @param enabled  {@code false} to draw nothing ({@code --quiet}); {@link #println} still prints
     * @return the running view
     */
    static LiveView start(FairwayClient client, PrintStream out, boolean terminal, boolean enabled) {
        Objects.requireNonNull(client, "client");
        return start(client::snapshot, out, terminal, enabled, PERIOD);
    }

    /**
     * Starts a view of what {@code source} returns, drawn every {@code period} until {@link #close()}.
     *
     * @param source   the snapshots to show
     * @param out      where to draw
     * @param terminal whether to redraw in place
     * @param enabled  {@code false} to draw nothing
     * @param period   time between frames
     * @return the running view
     */
    static LiveView start(Supplier<List<TargetSnapshot>> source, PrintStream out, boolean terminal, boolean enabled, Duration period) {
        return new LiveView(out, terminal, enabled, source, period);
    }

    /**
     * A view that draws nothing, for a client without a snapshot: only {@link #println} prints.
     *
     * @param out where to print
     * @return the view
     */
    static LiveView none(PrintStream out) {
        return new LiveView(out, false, false, List::of, PERIOD);
    }

    /**
     * Whether standard output is an interactive terminal: {@link System#console()} is {@code null} otherwise (on JDK 22
     * to 24, whose console may exist for redirected output too, {@code Console.isTerminal()} decides), and a terminal
     * that calls itself {@code dumb} does not understand cursor movement.
     *
     * @return {@code true} for a terminal that can redraw in place
     */
    static boolean stdoutIsTerminal() {
        Console console = System.console();
        if (console == null || "dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");     // JDK 22+
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;                                                   // JDK 21: a console is a terminal
        }
    }

    /**
     * Prints {@code message} as its own line, above the view when it is drawn in place.
     *
     * @param message the line, without a line terminator
     */
    synchronized void println(String message) {
        if (terminal && !drawn.isEmpty() && !closed) {
            List<String> fresh = lines(source.get(), Duration.ofNanos(System.nanoTime() - started), true);
            out.print(above(message, drawn.size(), fresh.isEmpty() ? drawn : fresh));
            drawn = fresh.isEmpty() ? drawn : fresh;
        } else {
            out.println(message);
        }
        out.flush();
    }

    private void draw() {
        try {
            List<TargetSnapshot> snapshots = source.get();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            synchronized (this) {
                if (closed) {
                    return;
                }
                boolean header = terminal || !headerShown;
                List<String> lines = lines(snapshots, elapsed, header);
                if (lines.isEmpty()) {
                    return;
                }
                headerShown |= header;
                out.print(frame(lines, terminal ? drawn.size() : 0, terminal));
                out.flush();
                if (terminal) {
                    drawn = lines;
                }
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                out.println(PREFIX + " view failed: " + e);
                drawn = List.of();
            }
        }
    }

    /** Draws a last frame (the final counts) and stops. */
    @Override
    public void close() {
        if (ticker == null) {
            return;
        }
        ticker.shutdown();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        draw();
        synchronized (this) {
            closed = true;
        }
    }

    /**
     * The lines of one frame: per target a title, the column header if asked for, and one line per backend ordered by
     * address, port and replica.
     *
     * @param snapshots what {@link FairwayClient#snapshot()} returned
     * @param elapsed   time since the view started
     * @param header    whether to add the column header below each title
     * @return the lines, without line terminators; empty when there is no target yet
     */
    static List<String> lines(List<TargetSnapshot> snapshots, Duration elapsed, boolean header) {
        List<String> lines = new ArrayList<>();
        for (TargetSnapshot target : snapshots) {
            lines.add(String.format(Locale.ROOT, "%s %s  %d leaves open, %d recycled, %d in flight  %s%s",
                    PREFIX, seconds(elapsed, "+"), target.leavesOpen(), target.recycles(), target.inFlight(),
                    target.target().authority(), target.lastResolverError().map(e -> "  resolver: " + shorten(e, 60)).orElse("")));
            if (header) {
                lines.add(HEADER);
            }
            List<BackendSnapshot> backends = new ArrayList<>(target.backends());
            backends.sort(BY_ADDRESS);
            for (BackendSnapshot b : backends) {
                lines.add(String.format(Locale.ROOT, "%s %-20s %-9s %-7s %9d %8d %6d %8s", PREFIX, name(b.address()),
                        b.health(), b.ejected() ? "ejected" : "-", b.inFlight(), b.requests(), b.leavesOpen(),
                        b.leafAge().map(age -> seconds(age, "")).orElse("-")));
            }
        }
        return lines;
    }

    /**
     * The text that draws a frame: in a terminal it moves the cursor up over the {@code previous} lines drawn before,
     * rewrites each line (cut to {@link #WIDTH}) and erases what is left below; otherwise it is the plain lines.
     *
     * @param lines    the frame's lines
     * @param previous how many lines the previous frame left on the screen (terminal only)
     * @param terminal whether to redraw in place
     * @return the text to print
     */
    static String frame(List<String> lines, int previous, boolean terminal) {
        StringBuilder text = new StringBuilder();
        if (terminal && previous > 0) {
            text.append(ESC).append('[').append(previous).append('A');
        }
        for (String line : lines) {
            if (terminal) {
                text.append('\r').append(ESC).append("[2K").append(line.length() > WIDTH ? line.substring(0, WIDTH) : line);
            } else {
                text.append(line);
            }
            text.append('\n');
        }
        if (terminal) {
            text.append(ESC).append("[J");
        }
        return text.toString();
    }

    /**
     * The text that prints {@code message} in a terminal where a frame of {@code previous} lines is on screen: the
     * frame is erased, the message printed in its place and {@code lines} drawn below it.
     *
     * @param message  a line
     * @param previous how many lines the frame on the screen has
     * @param lines    the frame to draw below the message
     * @return the text to print
     */
    static String above(String message, int previous, List<String> lines) {
        StringBuilder text = new StringBuilder();
        if (previous > 0) {
            text.append(ESC).append('[').append(previous).append('A');
        }
        text.append('\r').append(ESC).append("[J").append(message).append('\n');
        return text.append(frame(lines, 0, true)).toString();
    }

    /** The backend's {@code ip:port}, with {@code #<replica>} for a copy of a virtual IP. */
    static String name(BackendAddress address) {
        String replica = address.attributes().get(BackendAddress.REPLICA);
        return address.authority() + (replica == null ? "" : " #" + replica);
    }

    /** By IP address (numerically), then port, then replica (the plain address first). */
    static final Comparator<BackendSnapshot> BY_ADDRESS = Comparator
            .comparing((BackendSnapshot b) -> b.address().socketAddress().getAddress(), Shares.BY_ADDRESS)
            .thenComparingInt(b -> b.address().socketAddress().getPort())
            .thenComparingLong(b -> replica(b.address()));

    private static long replica(BackendAddress address) {
        String replica = address.attributes().get(BackendAddress.REPLICA);
        if (replica == null) {
            return -1;
        }
        try {
            return Long.parseLong(replica);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** {@code 0.4s}, {@code 12.3s}, {@code 125s}: tenths below 100 seconds. */
    static String seconds(Duration d, String sign) {
        long millis = d.toMillis();
        return millis < 100_000 ? String.format(Locale.ROOT, "%s%.1fs", sign, millis / 1000.0) : sign + (millis / 1000) + "s";
    }

    private static String shorten(String text, int max) {
        String line = text.replace('\n', ' ');
        return line.length() <= max ? line : line.substring(0, max - 3) + "...";
    }
}
