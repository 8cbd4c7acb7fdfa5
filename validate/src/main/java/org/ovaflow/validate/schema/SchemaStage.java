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
import org.ovaflow.validate.ovf.InvalidDescriptorException;
import org.ovaflow.validate.ovf.OvfDescriptorParser;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The schema stage: reads the descriptor with one ranged GET (its place comes from the tar index), parses it
 * with the hardened parser, checks it against the package, and passes the appliance metadata on.
 */
public final class SchemaStage {

    public static final String NAME = "schema";

    private final ObjectStore store;
    private final OvfDescriptorParser parser;

    public SchemaStage(ObjectStore store, OvfDescriptorParser parser) {
        this.store = store;
        this.parser = parser;
    }

    public StageOutcome validate(ImportEvent event) throws IOException {
        Optional<TarEntry> descriptor = event.tarIndex().descriptor();
        if (descriptor.isEmpty()) {
            return StageOutcome.reject(event.withChecks(List.of(CheckResult.fail("ovf.descriptor",
                    event.source().fileName(), "the package has no .ovf descriptor as its first entry"))));
        }
        TarEntry entry = descriptor.get();
        if (entry.size() > parser.maxBytes()) {
            return StageOutcome.reject(event.withChecks(List.of(CheckResult.fail("ovf.descriptor", entry.name(),
                    entry.size() + " bytes, more than the limit of " + parser.maxBytes()))));
        }
        ApplianceMetadata appliance;
        try (InputStream xml = store.readRange(event.source(), entry.offset(), entry.size())) {
            appliance = parser.parse(entry.name(), xml);
        } catch (InvalidDescriptorException e) {
            return StageOutcome.reject(event.withChecks(List.of(
                    CheckResult.fail("ovf.descriptor", entry.name(), e.getMessage()))));
        }
        StageMetrics.bytes(NAME, "in", entry.size());

        List<CheckResult> checks = new ArrayList<>();
        checks.add(CheckResult.pass("ovf.descriptor", entry.name(), "well-formed OVF " + appliance.ovfVersion()
                + " envelope, parsed without DTDs or external entities"));
        checks.addAll(DescriptorChecks.check(entry.name(), appliance, event.tarIndex()));
        ImportEvent validated = event.withAppliance(appliance).withChecks(checks);
        if (checks.stream().anyMatch(CheckResult::failed)) {
            return StageOutcome.reject(validated);
        }
        return StageOutcome.forward(Topics.VALIDATED, validated, StatusEvent.State.VALIDATED,
                describe(appliance));
    }

    private static String describe(ApplianceMetadata appliance) {
        return (appliance.product() != null ? appliance.product() : "unnamed product")
                + (appliance.version() != null ? " " + appliance.version() : "")
                + (appliance.vendor() != null ? " by " + appliance.vendor() : "")
                + ", " + appliance.virtualSystems().size() + " virtual system(s), "
                + appliance.disks().size() + " disk(s)";
    }
}
