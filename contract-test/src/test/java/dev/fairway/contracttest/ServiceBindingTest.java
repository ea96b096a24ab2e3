package dev.fairway.contracttest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A module that requires only {@code dev.fairway} gets the providers by service binding, as a user's application
 * does: resolving it alone yields the API and the SPI, binding adds every provider module, and in a layer of that
 * configuration the API's registries find every provider each module declares, loaded from that module.
 */
class ServiceBindingTest {

    private static final Map<String, String> REGISTRIES = Map.of(
            "dev.fairway.spi.ResolverProvider", "resolvers",
            "dev.fairway.spi.PickerProvider", "pickers",
            "dev.fairway.spi.HealthCheckProvider", "healthChecks",
            "dev.fairway.spi.LifetimePolicyProvider", "lifetimePolicies");

    /** A finder over the built jars of every Fairway module on the test path, this test's module included. */
    private static ModuleFinder jars() {
        return ModuleFinder.of(Descriptors.onTestPath().values().stream().map(Descriptors::path).toArray(Path[]::new));
    }

    /** Resolves this test's module over the jars, JDK modules coming from the boot layer. */
    private static Configuration resolve(boolean bind) {
        List<Configuration> parents = List.of(ModuleLayer.boot().configuration());
        Set<String> roots = Set.of(Descriptors.SELF);
        return bind ? Configuration.resolveAndBind(jars(), parents, ModuleFinder.of(), roots)
                : Configuration.resolve(jars(), parents, ModuleFinder.of(), roots);
    }

    private static Set<String> fairwayModules(Configuration configuration) {
        return configuration.modules().stream().map(ResolvedModule::name).filter(n -> n.startsWith(Descriptors.FAIRWAY))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The published modules on the test path that provide one of the four SPI services, besides the API. */
    private static Set<String> providerModules() {
        Set<String> providers = new TreeSet<>();
        for (Map.Entry<String, ModuleReference> e : ModuleDescriptorTest.publishedOnTestPath().entrySet()) {
            if (!e.getKey().equals("dev.fairway")
                    && e.getValue().descriptor().provides().stream().anyMatch(p -> REGISTRIES.containsKey(p.service()))) {
                providers.add(e.getKey());
            }
        }
        return providers;
    }

    @Test
    void resolvingWithoutBindingGetsOnlyTheApiAndTheSpi() {
        assertEquals(Set.of(Descriptors.SELF, "dev.fairway", "dev.fairway.spi"), fairwayModules(resolve(false)));
    }

    @Test
    void bindingPullsInEveryProviderModuleAndNothingElse() {
        Set<String> expected = new TreeSet<>(Set.of(Descriptors.SELF, "dev.fairway", "dev.fairway.spi"));
        Set<String> providers = providerModules();
        assertTrue(providers.containsAll(Set.of("dev.fairway.balancer.roundrobin", "dev.fairway.resolver.dns")),
                "the default providers are not on the test path: " + providers);
        expected.addAll(providers);
        assertEquals(expected, fairwayModules(resolve(true)), "dev.fairway.testing provides nothing, so binding leaves it out");
    }

    @Test
    void inABoundLayerTheRegistriesFindEveryDeclaredProviderInItsModule() throws Exception {
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(resolve(true), ClassLoader.getSystemClassLoader());
        Class<?> registry = Class.forName("dev.fairway.ProviderRegistry", true, layer.findLoader("dev.fairway"));
        assertSame(layer, registry.getModule().getLayer());
        Method providers = registry.getMethod("providers");
        Method failures = registry.getMethod("failures");

        List<Executable> checks = new ArrayList<>();
        Set<String> providing = new TreeSet<>();
        for (Module module : layer.modules()) {
            for (ModuleDescriptor.Provides provides : module.getDescriptor().provides()) {
                String family = REGISTRIES.get(provides.service());
                if (family == null) {
                    continue;
                }
                providing.add(module.getName());
                Object instance = registry.getMethod(family).invoke(null);
                List<?> found = (List<?>) providers.invoke(instance);
                for (String implementation : provides.providers()) {
                    checks.add(() -> assertTrue(found.stream().anyMatch(p -> p.getClass().getName().equals(implementation)
                                    && p.getClass().getModule() == module),
                            family + " registry of the layer lacks " + implementation + " from " + module + "; it has " + found
                                    + "; failures " + failures.invoke(instance)));
                }
            }
        }
        for (String family : REGISTRIES.values()) {
            Object instance = registry.getMethod(family).invoke(null);
            checks.add(() -> assertEquals(List.of(), failures.invoke(instance), family + " providers that failed to load"));
        }
        Set<String> expected = new TreeSet<>(providerModules());
        expected.add("dev.fairway");
        assertEquals(expected, providing, "the modules of the layer that provide Fairway services");
        assertAll(checks);
    }
}
