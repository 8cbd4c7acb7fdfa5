package org.ovaflow.app.pipeline;

import org.ovaflow.core.config.Setting;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How to run a pipeline process: where its data lives, which broker and store to use (null = start the
 * embedded ones under the data dir), which stages to run, where to serve HTTP, and the properties the
 * routes read ({@code ovaflow.*}).
 *
 * @param httpPort 0 for a free port, -1 for no HTTP server
 */
public record PipelineSettings(Path dataDir, String kafka, String s3, String s3AccessKey, String s3SecretKey,
                               Set<Stage> stages, String httpHost, int httpPort, Map<String, String> properties) {

    public PipelineSettings {
        // an empty value is no value (-D key= gives the default back), for the routes' placeholders too
        properties = properties.entrySet().stream().filter(property -> !property.getValue().isBlank())
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
        // in pipeline order, for logs and status
        stages = Collections.unmodifiableSet(stages.isEmpty() ? EnumSet.noneOf(Stage.class) : EnumSet.copyOf(stages));
    }

    public boolean embeddedKafka() {
        return kafka == null || kafka.isBlank();
    }

    public boolean embeddedS3() {
        return s3 == null || s3.isBlank();
    }

    public Buckets buckets() {
        return Buckets.from(properties);
    }

    public String property(String key, String fallback) {
        return properties.getOrDefault(key, fallback);
    }

    /** The value of a declared setting: given, else its default. */
    public <T> T get(Setting<T> setting) {
        return setting.from(properties);
    }

    public PipelineSettings withStages(Set<Stage> newStages) {
        return new PipelineSettings(dataDir, kafka, s3, s3AccessKey, s3SecretKey, newStages, httpHost, httpPort,
                properties);
    }
}
