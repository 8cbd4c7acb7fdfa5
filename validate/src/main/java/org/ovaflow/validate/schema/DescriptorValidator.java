package org.ovaflow.validate.schema;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.ovf.InvalidDescriptorException;
import org.ovaflow.validate.ovf.OvfDescriptor;
import org.ovaflow.validate.ovf.OvfDescriptorParser;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The schema stage's checks on a descriptor, given its bytes and what the checksum stage found of the package.
 * Knows nothing of where the bytes come from, so the pipeline (a ranged GET) and {@code ovaflow inspect} (a local
 * file) run the same checks. Thread-safe.
 */
public final class DescriptorValidator {

    private final OvfDescriptorParser parser;
    private final ValidationSettings settings;

    public DescriptorValidator(OvfDescriptorParser parser, ValidationSettings settings) {
        this.parser = parser;
        this.settings = settings;
    }

    /** The largest descriptor read: a larger one is rejected before any of it is. */
    public long maxBytes() {
        return parser.maxBytes();
    }

    /**
     * @param descriptor the descriptor's tar entry, as the checksum stage indexed it
     * @param xml        its bytes
     * @param verified   the import as the checksum stage passed it on: its tar index and manifest verdict
     */
    public DescriptorValidation validate(TarEntry descriptor, InputStream xml, ImportEvent verified) throws IOException {
        if (descriptor.size() > parser.maxBytes()) {
            return new DescriptorValidation(null, List.of(CheckResult.fail("ovf.descriptor", descriptor.name(),
                    descriptor.size() + " bytes, more than the limit of " + parser.maxBytes())));
        }
        // Kept (at most one byte past the limit, which the parser refuses) so the schema check can quote line numbers.
        byte[] bytes = xml.readNBytes((int) Math.min(parser.maxBytes() + 1, Integer.MAX_VALUE - 8));
        OvfDescriptor parsed;
        try {
            parsed = parser.read(descriptor.name(), new ByteArrayInputStream(bytes));
        } catch (InvalidDescriptorException e) {
            return new DescriptorValidation(null, List.of(
                    CheckResult.fail("ovf.descriptor", descriptor.name(), e.getMessage())));
        }
        HrefSpellings.Resolved resolved = HrefSpellings.resolve(parsed, verified.tarIndex());
        parsed = resolved.descriptor();
        ApplianceMetadata appliance = parsed.appliance();
        List<CheckResult> checks = new ArrayList<>();
        checks.add(CheckResult.pass("ovf.descriptor", descriptor.name(), "well-formed OVF " + appliance.ovfVersion()
                + " envelope, parsed without DTDs or external entities"));
        checks.addAll(EnvelopeSchemas.shipped().check(descriptor.name(), bytes));
        checks.addAll(resolved.checks());
        checks.addAll(DescriptorChecks.check(descriptor.name(), parsed, verified, settings));
        checks.addAll(DiskImageChecks.check(descriptor.name(), appliance, verified.tarIndex()));
        return new DescriptorValidation(appliance, checks);
    }

    ValidationSettings settings() {
        return settings;
    }
}
