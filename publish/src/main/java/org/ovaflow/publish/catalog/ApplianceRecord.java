package org.ovaflow.publish.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.VerifiedSigner;

import java.time.Instant;
import java.util.List;

/**
 * The content of {@code appliance.json}, the commit point of a catalog entry: written last, so an entry
 * whose appliance.json exists is complete. Documented in docs/events.md.
 *
 * @param state      {@value #AVAILABLE}, or {@value #RETRACTED} once withdrawn (kept, but not offered), or
 *                   {@value #PRUNED} once the retention policy took it out of the index (its files removed after a
 *                   grace period); records written before the field existed read as available
 * @param retraction when and why it was withdrawn, for a retracted entry; for a pruned one, when and why it was
 *                   pruned (the retention policy)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApplianceRecord(
        int schemaVersion,
        String vendor,
        String product,
        String version,
        ApplianceMetadata appliance,
        List<Artifact> artifacts,
        Provenance provenance,
        String state,
        Retraction retraction) {

    public static final String AVAILABLE = "available";
    public static final String RETRACTED = "retracted";
    public static final String PRUNED = "pruned";

    public ApplianceRecord {
        state = state == null ? AVAILABLE : state;
    }

    /** Whether the entry is offered: published and not retracted. */
    public boolean available() {
        return AVAILABLE.equals(state);
    }

    /** This entry withdrawn at {@code at} for {@code reason}. */
    public ApplianceRecord retracted(Instant at, String reason) {
        return new ApplianceRecord(schemaVersion, vendor, product, version, appliance, artifacts, provenance, RETRACTED,
                new Retraction(at, reason));
    }

    /** Whether the retention policy pruned it: out of the index, its files removed once the grace period passed. */
    public boolean pruned() {
        return PRUNED.equals(state);
    }

    /** This entry pruned at {@code at} for {@code reason}. */
    public ApplianceRecord pruned(Instant at, String reason) {
        return new ApplianceRecord(schemaVersion, vendor, product, version, appliance, artifacts, provenance, PRUNED,
                new Retraction(at, reason));
    }

    /** This entry without the checks it passed and its signer (what a feed's item keeps of it). */
    public ApplianceRecord withoutChecks() {
        Provenance p = provenance;
        return p == null ? this : new ApplianceRecord(schemaVersion, vendor, product, version, appliance, artifacts,
                new Provenance(p.importId(), p.source(), p.etag(), p.origin(), p.arrivedAt(), p.publishedAt(),
                        List.of()), state, retraction);
    }

        /** When and why an entry was withdrawn. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Retraction(Instant at, String reason) {
    }

    /** A file of the entry, with what a client needs to fetch and verify it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Artifact(String name, String role, String key, long size, String sha256, String format,
                           String target) {
    }

    /** Where the entry came from and what it passed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Provenance(String importId, String source, String etag, String origin, Instant arrivedAt,
                             Instant publishedAt, List<CheckResult> checks, VerifiedSigner signer) {

        /** The provenance of an unsigned package. */
        public Provenance(String importId, String source, String etag, String origin, Instant arrivedAt,
                          Instant publishedAt, List<CheckResult> checks) {
            this(importId, source, etag, origin, arrivedAt, publishedAt, checks, null);
        }
    }
}
