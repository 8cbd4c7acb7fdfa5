package org.ovaflow.app.pipeline;

import org.ovaflow.core.config.SharedSettings;

import java.util.List;
import java.util.Map;

/** The four buckets of the pipeline, named by configuration ({@code ovaflow.bucket.*}). */
public record Buckets(String incoming, String staging, String catalog, String quarantine) {

    public static Buckets from(Map<String, String> properties) {
        return new Buckets(SharedSettings.INCOMING_BUCKET.from(properties), SharedSettings.STAGING_BUCKET.from(properties),
                SharedSettings.CATALOG_BUCKET.from(properties), SharedSettings.QUARANTINE_BUCKET.from(properties));
    }

    public List<String> all() {
        return List.of(incoming, staging, catalog, quarantine);
    }
}
