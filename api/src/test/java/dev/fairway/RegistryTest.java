package dev.fairway;

import dev.fairway.spi.PickerProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Registry failure modes: broken classes, throwing constructors, unavailable providers, duplicates and ties. */
class RegistryTest {

    private static final String F = RegistryFixtures.class.getName() + "$";
    private static ProviderRegistry<PickerProvider> registry;

    @BeforeAll
    static void load(@TempDir Path dir) throws Exception {
        List<String> names = List.of(F + "Good", F + "DoesNotExist", F + "ThrowingConstructor", F + "BrokenStaticInit",
                F + "Unavailable", F + "BadName", F + "BadPriority", F + "DuplicateOptions", F + "DupLow", F + "DupHigh",
                F + "TieB", F + "TieA");
        registry = ProviderRegistry.load(PickerProvider.class, IsolatingLoader.withServices(dir, PickerProvider.class, names));
    }

    private static Map<String, String> failuresByProvider() {
        return registry.failures().stream().collect(Collectors.toMap(ProviderFailure::provider, ProviderFailure::problem, (a, b) -> a + "; " + b));
    }

    @Test
    void goodProvidersAreFoundAndBrokenOnesDoNotHideThem() {
        assertTrue(registry.find("fixture_good").isPresent());
        assertTrue(registry.names().containsAll(List.of("fixture_good", "fixture_dup", "fixture_tie")), registry.names().toString());
        assertEquals("picker", registry.family());
    }

    @Test
    void everyBrokenProviderIsReportedWithItsReason() {
        Map<String, String> failures = failuresByProvider();
        assertTrue(failures.containsKey(F + "DoesNotExist"), failures.toString());
        assertTrue(failures.containsKey(F + "ThrowingConstructor"), failures.toString());
        assertTrue(registry.failures().stream().anyMatch(f -> f.provider().equals(F + "ThrowingConstructor")
                && f.cause().orElseThrow().toString().contains("could not be instantiated")), registry.failures().toString());
        assertTrue(failures.containsKey(F + "BrokenStaticInit"), failures.toString());
        assertTrue(failures.get(F + "Unavailable").contains("unavailable"), failures.toString());
        assertTrue(failures.get(F + "BadName").contains("'Bad-Name' is not allowed"), failures.toString());
        assertTrue(failures.get(F + "BadPriority").contains("priority 11"), failures.toString());
        assertTrue(failures.get(F + "DuplicateOptions").contains("duplicate option"), failures.toString());
        assertEquals(7, registry.failures().size(), registry.failures().toString());
        for (String name : List.of("fixture_throws", "fixture_static", "fixture_unavailable", "fixture_priority", "fixture_options")) {
            assertFalse(registry.find(name).isPresent(), name);
        }
    }

    @Test
    void highestPriorityWinsPerName() {
        assertEquals(F + "DupHigh", registry.get("fixture_dup").getClass().getName());
    }

    @Test
    void tiesGoToTheFirstClassNameThenToProvidersRegisteredInCode() {
        assertEquals(F + "TieA", registry.get("fixture_tie").getClass().getName(), "independent of services-file order");
        RegistryFixtures.TieB mine = new RegistryFixtures.TieB();
        registry.register(mine);
        try {
            assertTrue(registry.get("fixture_tie") == mine, "a provider registered in code wins a tie");
        } finally {
            assertTrue(registry.deregister(mine));
        }
        assertEquals(F + "TieA", registry.get("fixture_tie").getClass().getName());
    }

    @Test
    void unknownNameListsWhatIsAvailableAndWhatFailed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry.get("ring_hash"));
        assertTrue(e.getMessage().startsWith("picker 'ring_hash' is not available; available: "), e.getMessage());
        assertTrue(e.getMessage().contains("fixture_good"), e.getMessage());
        assertTrue(e.getMessage().contains("failed to load") && e.getMessage().contains("ThrowingConstructor"), e.getMessage());
    }

    @Test
    void registeringAnInvalidProviderFails() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry.register(new RegistryFixtures.BadPriority()));
        assertTrue(e.getMessage().contains("priority 11 of 'fixture_priority' is out of range: use 0 to 10"), e.getMessage());
    }

    @Test
    void onlyTheFourFamiliesCanBeLoaded() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProviderRegistry.load((Class) Runnable.class, getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("is not a provider family"), e.getMessage());
    }

    @Test
    void defaultRegistriesSeeTheProvidersOnThePath() {
        assertTrue(ProviderRegistry.pickers().names().containsAll(List.of("round_robin", "random")));
        assertTrue(ProviderRegistry.resolvers().names().containsAll(List.of("dns", "static")));
        assertTrue(ProviderRegistry.lifetimePolicies().names().contains("never"));
        assertTrue(ProviderRegistry.pickers().failures().isEmpty(), ProviderRegistry.pickers().failures().toString());
    }
}
