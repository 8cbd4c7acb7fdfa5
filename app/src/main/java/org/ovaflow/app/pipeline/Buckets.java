package org.ovaflow.app.pipeline;

import java.util.List;
import java.util.Map;

/** The four buckets of the pipeline, named by configuration ({@code ovaflow.bucket.*}). */
public record Buckets(String incoming, String staging, String catalog, String quarantine) {

    public static Buckets from(Map<String, String> properties) {
        return new Buckets(
                properties.getOrDefault("ovaflow.bucket.incoming", "ova-incoming"),
                properties.getOrDefault("ovaflow.bucket.staging", "ova-staging"),
                properties.getOrDefault("ovaflow.bucket.catalog", "ova-catalog"),
                properties.getOrDefault("ovaflow.bucket.quarantine", "ova-quarantine"));
    }

    public List<String> all() {
        return List.of(incoming, staging, catalog, quarantine);
    }
}
