package org.ovaflow.validate.schema;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectStore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The schema stage: reads the descriptor with one ranged GET (its place comes from the tar index) and has the
 * {@link DescriptorValidator} check it against its schema and the package; passes the appliance metadata on.
 */
public final class SchemaStage {

    public static final String NAME = "schema";

    /**
     * Every check this stage can reject an import for: the FAIL ids of docs/checks.md's schema section
     * (ChecksCatalogueTest holds them to it). Their ovaflow_rejects_total series start at 0.
     */
    public static final Set<String> REJECTING_CHECKS = Set.of(
            "ovf.descriptor", "ovf.schema", "ovf.file-id-unique", "ovf.disk-id-unique", "ovf.disk-file-ref",
            "ovf.href-remote", "ovf.file-present", "ovf.file-size", "ovf.compression", "manifest.coverage",
            "ovf.capacity", "ovf.disk-capacity", "ovf.virtual-system", "ovf.hardware-disk", "ovf.hardware-network",
            "ovf.hardware-parent", "ovf.cpu", "ovf.memory");

    private final ObjectStore store;
    private final DescriptorValidator validator;
    private final StageMetrics metrics;

    public SchemaStage(ObjectStore store, DescriptorValidator validator, StageMetrics metrics) {
        this.store = store;
        this.validator = validator;
        this.metrics = metrics;
    }

    public StageOutcome validate(ImportEvent event) throws IOException {
        Optional<TarEntry> descriptor = event.tarIndex().descriptor();
        if (descriptor.isEmpty()) {
            return StageOutcome.reject(event.withChecks(List.of(CheckResult.fail("ovf.descriptor",
                    event.source().fileName(), "the package has no .ovf descriptor as its first entry"))));
        }
        TarEntry entry = descriptor.get();
        DescriptorValidation validation;
        Optional<byte[]> carried = event.tarIndex().carriedDescriptor();
        if (entry.size() > validator.maxBytes()) {
            validation = validator.validate(entry, InputStream.nullInputStream(), event);
        } else {
            // carried in the event by the checksum stage when small, as most are: no request to the store
            try (InputStream xml = carried.<InputStream>map(ByteArrayInputStream::new)
                    .orElseGet(() -> store.readRange(event.ova(), entry.offset(), entry.size()))) {
                validation = validator.validate(entry, xml, event);
            }
            metrics.bytes(NAME, "in", entry.size());
        }
        ImportEvent validated = (validation.appliance() == null ? event : event.withAppliance(validation.appliance()))
                .withChecks(validation.checks());
        if (validation.rejected()) {
            return StageOutcome.reject(validated);
        }
        return StageOutcome.forward(Topics.VALIDATED, validated, StatusEvent.State.VALIDATED,
                describe(validation.appliance()));
    }

    private static String describe(ApplianceMetadata appliance) {
        return (appliance.product() != null ? appliance.product() : "unnamed product")
                + (appliance.version() != null ? " " + appliance.version() : "")
                + (appliance.vendor() != null ? " by " + appliance.vendor() : "")
                + ", " + appliance.virtualSystems().size() + " virtual system(s), "
                + appliance.disks().size() + " disk(s)";
    }
}
