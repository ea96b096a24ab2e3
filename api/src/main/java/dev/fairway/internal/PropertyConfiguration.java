package dev.fairway.internal;

import dev.fairway.FairwayClient;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies {@code fairway.*} properties to a {@link FairwayClient.Builder} through its public setters, so that a
 * property and the setter it stands for behave alike: client keys are checked by {@link ClientKeys} at once, provider
 * names and options at {@code build()}. Other keys are ignored; an unknown {@code fairway.*} key fails at once.
 */
public final class PropertyConfiguration {

    private static final String PREFIX = "fairway.";
    private static final List<String> FAMILIES = List.of("resolver", "picker", "health", "lifetime");
    private static final String OUTLIER = "outlier";
    private static final String ZONE = "zone";
    private static final String TARGET = "target";

    private PropertyConfiguration() {
    }

    /**
     * Applies every {@code fairway.*} key of {@code properties}, in key order, provider names first.
     *
     * @param builder    the builder
     * @param properties the configuration
     * @throws IllegalArgumentException for an unknown {@code fairway.*} key (listing the known ones) or a bad value of
     *                                  a client key (naming the key, the value and what is allowed)
     */
    public static void apply(FairwayClient.Builder builder, Properties properties) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (String name : new TreeSet<>(properties.stringPropertyNames())) {
            if (name.startsWith(PREFIX)) {
                entries.put(name, properties.getProperty(name));
            }
        }
        // Provider names first, so that options meet the provider they belong to.
        entries.forEach((name, value) -> {
            String key = name.substring(PREFIX.length());
            if (FAMILIES.contains(key)) {
                select(builder, key, value.trim());
            }
        });
        // Per-target keys: fairway.target.<name>.host names the targets, the other keys of <name> apply to them.
        Map<String, Map<String, String>> perTarget = new LinkedHashMap<>();
        entries.forEach((name, value) -> {
            String key = name.substring(PREFIX.length());
            if (key.startsWith(TARGET + ".")) {
                String rest = key.substring(TARGET.length() + 1);
                int dot = rest.indexOf('.');
                if (dot <= 0 || dot == rest.length() - 1) {
                    throw new IllegalArgumentException(name + " is not allowed (value hidden): use fairway.target.<name>.host"
                            + " and fairway.target.<name>.<key>, where <name> has no dots");
                }
                perTarget.computeIfAbsent(rest.substring(0, dot), n -> new LinkedHashMap<>()).put(rest.substring(dot + 1), value);
            } else {
                apply(builder, name, key, value);
            }
        });
        perTarget.forEach((target, keys) -> {
            String host = keys.get("host");
            if (host == null) {
                throw new IllegalArgumentException("fairway.target." + target + ".host is missing: it names the targets that "
                        + keys.keySet().stream().map(k -> "fairway.target." + target + "." + k).toList() + " apply to"
                        + " (a host, host:port or *.suffix)");
            }
            // provider names first, so that options meet the provider they belong to
            keys.forEach((key, value) -> {
                if (FAMILIES.contains(key)) {
                    builder.targetOption(host, key, value.trim());
                }
            });
            keys.forEach((key, value) -> {
                if (!key.equals("host") && !FAMILIES.contains(key)) {
                    builder.targetOption(host, key, value);
                }
            });
        });
    }

    private static void apply(FairwayClient.Builder builder, String qualified, String key, String value) {
        int dot = key.indexOf('.');
        if (dot < 0) {
            if (!FAMILIES.contains(key)) {
                ClientKeys.find(key).orElseThrow(() -> unknownKey(qualified)).configure(builder, value);
            }
            return;
        }
        String family = key.substring(0, dot);
        String option = key.substring(dot + 1);
        switch (family) {
            case "resolver" -> builder.resolverOption(option, value);
            case "picker" -> builder.pickerOption(option, value);
            case "health" -> builder.healthCheckOption(option, value);
            case "lifetime" -> builder.lifetimePolicyOption(option, value);
            case OUTLIER -> builder.outlierOption(option, value);
            case ZONE -> builder.zoneOption(option, value);
            case "retry" -> builder.retryOption(option, value);
            case "hedge" -> builder.hedgeOption(option, value);
            case "throttle" -> builder.throttleOption(option, value);
            default -> throw unknownKey(qualified);
        }
    }

    private static void select(FairwayClient.Builder builder, String family, String name) {
        switch (family) {
            case "resolver" -> builder.resolver(name);
            case "picker" -> builder.picker(name);
            case "health" -> builder.healthCheck(name);
            default -> builder.lifetimePolicy(name);
        }
    }

    private static IllegalArgumentException unknownKey(String qualified) {
        Set<String> known = new TreeSet<>();
        FAMILIES.forEach(f -> {
            known.add(PREFIX + f);
            known.add(PREFIX + f + ".<option>");
        });
        ClientKeys.ALL.forEach(k -> known.add(k.property()));
        known.add(PREFIX + OUTLIER + ".<option>");
        known.add(PREFIX + ZONE + ".<option>");
        Resilience.FAMILIES.keySet().forEach(f -> known.add(PREFIX + f + ".<option>"));
        known.add(PREFIX + TARGET + ".<name>.host");
        known.add(PREFIX + TARGET + ".<name>.<key>");
        return new IllegalArgumentException("unknown configuration key " + qualified + " (value hidden: an unknown key may be a misspelt secret); known keys: "
                + String.join(", ", known));
    }
}
