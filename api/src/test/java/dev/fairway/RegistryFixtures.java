package dev.fairway;

import dev.fairway.spi.Option;
import dev.fairway.spi.Picker;
import dev.fairway.spi.PickerContext;
import dev.fairway.spi.PickerProvider;

import java.util.List;

/** Picker providers for {@link RegistryTest}, good and broken; loaded in isolation by {@link IsolatingLoader}. */
public final class RegistryFixtures {

    private RegistryFixtures() {
    }

    /** Base: a picker provider with a given name and priority that always picks the first backend. */
    public abstract static class Named implements PickerProvider {
        private final String name;
        private final int priority;

        protected Named(String name, int priority) {
            this.name = name;
            this.priority = priority;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public Picker create(PickerContext context) {
            return request -> context.backends().get(0);
        }
    }

    public static final class Good extends Named {
        public Good() {
            super("fixture_good", 5);
        }
    }

    public static final class ThrowingConstructor extends Named {
        public ThrowingConstructor() {
            super("fixture_throws", 5);
            throw new IllegalStateException("constructor says no");
        }
    }

    public static final class BrokenStaticInit extends Named {
        static final int VALUE = Integer.parseInt("not a number");

        public BrokenStaticInit() {
            super("fixture_static", VALUE);
        }
    }

    public static final class Unavailable extends Named {
        public Unavailable() {
            super("fixture_unavailable", 5);
        }

        @Override
        public boolean isAvailable() {
            return false;
        }
    }

    public static final class BadName extends Named {
        public BadName() {
            super("Bad-Name", 5);
        }
    }

    public static final class BadPriority extends Named {
        public BadPriority() {
            super("fixture_priority", 11);
        }
    }

    public static final class DuplicateOptions extends Named {
        public DuplicateOptions() {
            super("fixture_options", 5);
        }

        @Override
        public List<Option<?>> options() {
            return List.of(Option.ofBoolean("x", true, "x"), Option.ofBoolean("x", false, "x again"));
        }
    }

    public static final class DupLow extends Named {
        public DupLow() {
            super("fixture_dup", 3);
        }
    }

    public static final class DupHigh extends Named {
        public DupHigh() {
            super("fixture_dup", 7);
        }
    }

    public static final class TieB extends Named {
        public TieB() {
            super("fixture_tie", 5);
        }
    }

    public static final class TieA extends Named {
        public TieA() {
            super("fixture_tie", 5);
        }
    }
}
