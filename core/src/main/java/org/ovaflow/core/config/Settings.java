package org.ovaflow.core.config;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The properties a process was given ({@code -D key=value}), read through the {@link Setting}s declared for them:
 * {@code settings.get(TranscodeModule.TARGETS)}.
 */
public final class Settings {

    private final Map<String, String> properties;
    private final Function<String, String> environment;

    public Settings(Map<String, String> properties) {
        this(properties, System::getenv);
    }

    /** With the environment variables of {@code environment} instead of the process's (tests). */
    public Settings(Map<String, String> properties, Function<String, String> environment) {
        this.properties = Map.copyOf(properties);
        this.environment = environment;
    }

    /** The value of {@code setting}: given, else from its environment variable, else its default; null when none. */
    public <T> T get(Setting<T> setting) {
        return setting.from(properties, environment);
    }

    /** The properties as given. */
    public Map<String, String> properties() {
        return properties;
    }

    /**
     * Reads every value given for a key of {@code declared} (templates: every key of their shape): the first bad
     * one is an {@link IllegalArgumentException} naming its key and value, before anything starts.
     */
    public void check(Collection<? extends Setting<?>> declared) {
        for (Setting<?> setting : declared) {
            if (setting.isTemplate()) {
                properties.keySet().stream().filter(setting::covers).sorted()
                        .forEach(key -> get(setting.forKey(key)));
            } else {
                get(setting);
            }
        }
    }

    /** The {@code ovaflow.*} keys given that no declaration of {@code declared} covers (a typo, or a removed key). */
    public Set<String> undeclared(Collection<? extends Setting<?>> declared) {
        Set<String> unknown = new TreeSet<>();
        for (String key : properties.keySet()) {
            if (key.startsWith("ovaflow.") && declared.stream().noneMatch(setting -> setting.covers(key))) {
                unknown.add(key);
            }
        }
        return unknown;
    }
}
