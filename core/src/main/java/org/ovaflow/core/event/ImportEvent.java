package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of every event of an import (ova.arrived … ova.published, ova.rejected). Each stage adds what it
 * learnt and passes the whole envelope on, so no stage re-derives what an earlier one found: the source
 * object, the tar index, the manifest verdict, the appliance metadata, the staged artifacts, the checks.
 *
 * <p>The shape is versioned by {@link #schemaVersion}; docs/events.md is the contract.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImportEvent(
        int schemaVersion,
        String importId,
        ObjectRef source,
        String origin,
        ProductOverrides overrides,
        Instant arrivedAt,
        TarIndex tarIndex,
        ManifestVerdict manifest,
        ApplianceMetadata appliance,
        List<StagedArtifact> artifacts,
        List<CheckResult> checks,
        String catalogPath,
        ObjectRef normalised,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ObjectRef> members) {

    /** The version of this shape that this code writes and reads. */
    public static final int SCHEMA_VERSION = 1;

    public ImportEvent {
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
        checks = checks == null ? List.of() : List.copyOf(checks);
        members = members == null ? List.of() : List.copyOf(members);
    }

    /** A new import of {@code source}, as ingest emits it. */
    public static ImportEvent arrived(ObjectRef source, String origin, Instant arrivedAt) {
        return new ImportEvent(SCHEMA_VERSION, ImportId.of(source), source, origin, null, arrivedAt,
                null, null, null, List.of(), List.of(), null, null, List.of());
    }

    /** This arrival with the vendor, product and version its uploader gave (they win over the descriptor's). */
    public ImportEvent withOverrides(ProductOverrides given) {
        return new ImportEvent(schemaVersion, importId, source, origin, given, arrivedAt, tarIndex, manifest,
                appliance, artifacts, checks, catalogPath, normalised, members);
    }

    public ImportEvent withTarIndex(TarIndex index) {
        return new ImportEvent(schemaVersion, importId, source, origin, overrides, arrivedAt, index, manifest, appliance,
                artifacts, checks, catalogPath, normalised, members);
    }

    public ImportEvent withManifest(ManifestVerdict verdict) {
        return new ImportEvent(schemaVersion, importId, source, origin, overrides, arrivedAt, tarIndex, verdict, appliance,
                artifacts, checks, catalogPath, normalised, members);
    }

    public ImportEvent withAppliance(ApplianceMetadata metadata) {
        return new ImportEvent(schemaVersion, importId, source, origin, overrides, arrivedAt, tarIndex, manifest, metadata,
                artifacts, checks, catalogPath, normalised, members);
    }

    public ImportEvent withArtifacts(List<StagedArtifact> staged) {
        return new ImportEvent(schemaVersion, importId, source, origin, overrides, arrivedAt, tarIndex, manifest, appliance,
                staged, checks, catalogPath, normalised, members);
    }

    /** This event without the bytes of the files it carries ({@link StagedArtifact#content}): once published. */
    public ImportEvent withoutCarriedContent() {
        return artifacts == null || artifacts.stream().noneMatch(StagedArtifact::carriesContent) ? this
                : withArtifacts(artifacts.stream().map(StagedArtifact::withoutContent).toList());
    }

    public ImportEvent withCatalogPath(String path) {
        return new ImportEvent(schemaVersion, importId, source, origin, overrides, arrivedAt, tarIndex, manifest, appliance,
                artifacts, checks, path, normalised, members);
    }

    /** This event with {@code more} checks appended to those of earlier stages. */
    public ImportEvent withChecks(List<CheckResult> more) {
        List<CheckResult> all = new ArrayList<>(checks);
        all.addAll(more);
        return new ImportEvent(schemaVersion, importId, source, origin, overrides, arrivedAt, tarIndex, manifest, appliance,
                artifacts, all, catalogPath, normalised, members);
    }

    /**
     * This event reading {@code plainOva} from now on: the plain OVA the checksum stage made in staging of a
     * compressed OVA or an unpacked package, with the package's other objects ({@code otherMembers}: an unpacked
     * package's manifest, certificate and files, beside its descriptor, the source) that quarantine moves too.
     */
    public ImportEvent withNormalised(ObjectRef plainOva, List<ObjectRef> otherMembers) {
        return new ImportEvent(schemaVersion, importId, source, origin, overrides, arrivedAt, tarIndex, manifest,
                appliance, artifacts, checks, catalogPath, plainOva, otherMembers);
    }

    /**
     * The plain OVA the tar index's offsets point into, which the schema and transcode stages read: the
     * normalised copy when the checksum stage made one, else the source itself.
     */
    @JsonIgnore
    public ObjectRef ova() {
        return normalised != null ? normalised : source;
    }

    /** Every object the user dropped for this import: the source, then an unpacked package's other files. */
    @JsonIgnore
    public List<ObjectRef> originals() {
        List<ObjectRef> all = new ArrayList<>();
        all.add(source);
        all.addAll(members);
        return all;
    }

    @JsonIgnore
    public List<CheckResult> failedChecks() {
        return checks.stream().filter(CheckResult::failed).toList();
    }
}
