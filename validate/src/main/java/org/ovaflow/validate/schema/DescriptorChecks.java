package org.ovaflow.validate.schema;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.ovf.OvfDescriptor;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks that what the descriptor declares agrees with itself and with the package: its References with the
 * archive ({@link ReferenceChecks}), its disk capacities with the configured limit ({@link CapacityChecks}), its
 * hardware with its disks and networks ({@link HardwareChecks}), and its files with the manifest
 * ({@link ManifestCoverage}).
 */
final class DescriptorChecks {

    private DescriptorChecks() {
    }

    static List<CheckResult> check(String descriptorName, OvfDescriptor descriptor, ImportEvent verified,
                                   ValidationSettings settings) {
        TarIndex tar = verified.tarIndex();
        List<CheckResult> checks = new ArrayList<>();
        checks.addAll(ReferenceChecks.check(descriptorName, descriptor.appliance(), tar, settings));
        checks.addAll(CapacityChecks.check(descriptorName, descriptor, settings));
        checks.addAll(HardwareChecks.check(descriptorName, descriptor));
        checks.addAll(ManifestCoverage.check(descriptor, tar, verified.manifest()));
        return checks;
    }

}
