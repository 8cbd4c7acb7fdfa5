package org.ovaflow.publish.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;

import java.time.Instant;
import java.util.List;

/**
 * The content of {@code appliance.json}, the commit point of a catalog entry: written last, so an entry
 * whose appliance.json exists is complete. Documented in docs/catalog.md.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApplianceRecord(
        int schemaVersion,
        String vendor,
        String product,
        String version,
        ApplianceMetadata appliance,
        List<Artifact> artifacts,
        Provenance provenance) {

    /** A file of the entry, with what a client needs to fetch and verify it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Artifact(String name, String role, String key, long size, String sha256, String format,
                           String target) {
    }

    /** Where the entry came from and what it passed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Provenance(String importId, String source, String etag, String origin, Instant arrivedAt,
                             Instant publishedAt, List<CheckResult> checks) {
    }
}
