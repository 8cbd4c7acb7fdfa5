package org.ovaflow.core.stage;

import org.ovaflow.core.config.Settings;
import org.ovaflow.core.store.ObjectStore;

import java.util.Map;
import java.util.Objects;

/**
 * What a process shares with the stages it runs (see {@link StageModule}).
 *
 * @param settings the process's properties, read through the stages' declarations
 * @param store    the object store every stage reads and writes
 * @param metrics  the process's meters of the stages
 * @param kafka    the Kafka bootstrap servers, for a stage's clients outside the Kafka component
 * @param services what the process makes once for the stages that need it, by type (the catalog signer)
 */
public record StageContext(Settings settings, ObjectStore store, StageMetrics metrics, String kafka,
                           Map<Class<?>, Object> services) {

    public StageContext {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(metrics, "metrics");
        services = Map.copyOf(services);
    }

    /** The service of {@code type} the process made, null when it made none. */
    public <T> T service(Class<T> type) {
        return type.cast(services.get(type));
    }
}
