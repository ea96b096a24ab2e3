package com.example.fairway.integrations.boot;

import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

import java.util.Objects;
import java.util.Properties;

/**
 * Copies the {@code fairway.*} entries of a Spring {@link ConfigurableEnvironment} into {@link Properties}, for
 * {@code FairwayClient.newBuilder().configure(properties)}.
 *
 * <p>Every property source that can list its names is searched ({@code application.properties} and
 * {@code application.yaml}, profiles, {@code --fairway.x=y} arguments, {@code -Dfairway.x=y} system properties); each
 * value is read back through the environment, so Spring's precedence and {@code ${...}} placeholders apply. Names
 * are copied as they are spelt: Fairway's keys use underscores ({@code fairway.connect_timeout}), and an environment
 * variable such as {@code FAIRWAY_PICKER} is not translated. Unknown {@code fairway.*} keys are copied too, so that
 * Fairway rejects them with a message naming them instead of ignoring a typo.
 */
public final class FairwayProperties {

    private FairwayProperties() {
    }

    /**
     * The {@code fairway.*} entries of the environment.
     *
     * @param environment Spring's environment
     * @return a new {@code Properties} holding only {@code fairway.*} keys
     */
    public static Properties from(ConfigurableEnvironment environment) {
        Objects.requireNonNull(environment, "environment");
        Properties properties = new Properties();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable) {
                for (String name : enumerable.getPropertyNames()) {
                    if (name.startsWith("fairway.") && !properties.containsKey(name)) {
                        properties.setProperty(name, environment.getRequiredProperty(name));
                    }
                }
            }
        }
        return properties;
    }
}
