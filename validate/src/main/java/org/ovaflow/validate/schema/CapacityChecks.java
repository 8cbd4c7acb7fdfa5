package org.ovaflow.validate.schema;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.ovf.AllocationUnits;
import org.ovaflow.validate.ovf.CapacityReference;
import org.ovaflow.validate.ovf.OvfDescriptor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each Disk's ovf:capacity × ovf:capacityAllocationUnits: a whole number of a unit ovaflow understands, more than
 * zero and no more than {@link ValidationSettings#maxCapacity()}, so a descriptor cannot make the transcode stage
 * allocate a disk of exabytes (a capacity bomb). A capacity given as {@code ${key}} is the default of that
 * ProductSection property, checked the same way; one that names no property, or whose default is not a whole
 * number, is rejected.
 */
final class CapacityChecks {

    private CapacityChecks() {
    }

    static List<CheckResult> check(String descriptorName, OvfDescriptor descriptor, ValidationSettings settings) {
        List<ApplianceMetadata.Disk> disks = descriptor.appliance().disks();
        Map<String, CapacityReference> references = new HashMap<>();
        descriptor.capacityReferences().forEach(r -> references.putIfAbsent(r.diskId(), r));
        List<CheckResult> checks = new ArrayList<>();
        List<String> resolved = new ArrayList<>();
        long largest = 0;
        for (ApplianceMetadata.Disk disk : disks) {
            String capacity = disk.capacity() == null ? null : disk.capacity().trim();
            String units = disk.capacityAllocationUnits();
            String which = "Disk '" + disk.diskId() + "'";
            CapacityReference reference = references.get(disk.diskId());
            if (reference != null && reference.reference().equals(capacity)) {
                if (!reference.resolved()) {
                    checks.add(CheckResult.fail("ovf.capacity", descriptorName, which + " has capacity " + capacity
                            + ", which " + reference.problem()));
                    continue;
                }
                resolved.add(which + " " + capacity + " = " + reference.value() + ", the default of ProductSection "
                        + "property '" + reference.key() + "'");
                which += " (capacity " + capacity + ", the property's default)";
                capacity = reference.value();
            }
            if (capacity == null || capacity.isEmpty()) {
                checks.add(CheckResult.warn("ovf.capacity", descriptorName, which
                        + " has no ovf:capacity: its size is taken from the disk image's own header"));
            } else if (AllocationUnits.bytesPerUnit(units).isEmpty()) {
                checks.add(CheckResult.fail("ovf.capacity", descriptorName, which
                        + " has capacityAllocationUnits '" + units + "', not a unit (expected e.g. 'byte * 2^30')"));
            } else if (!capacity.matches("\\d+")) {
                checks.add(CheckResult.fail("ovf.capacity", descriptorName, which + " has capacity '" + capacity
                        + "', expected a whole number of '" + (units == null ? "byte" : units) + "'"));
            } else {
                Long bytes = AllocationUnits.toBytes(parse(capacity), units);
                if (bytes == null || bytes > settings.maxCapacity()) {
                    checks.add(CheckResult.fail("ovf.capacity", descriptorName, which + " declares " + capacity
                            + " × '" + (units == null ? "byte" : units) + "'"
                            + (bytes == null ? ", more than 2^63 bytes" : " = " + bytes + " bytes")
                            + ", more than the limit of " + settings.maxCapacity()
                            + " bytes (ovaflow.validate.max-capacity)"));
                } else if (bytes == 0) {
                    checks.add(CheckResult.fail("ovf.capacity", descriptorName, which
                            + " declares a capacity of 0 bytes"));
                } else {
                    largest = Math.max(largest, bytes);
                }
            }
        }
        if (!disks.isEmpty() && checks.isEmpty()) {
            checks.add(CheckResult.pass("ovf.capacity", descriptorName, disks.size() + " disk capacity(ies) read, "
                    + "the largest " + largest + " bytes, within the limit of " + settings.maxCapacity()
                    + (resolved.isEmpty() ? "" : "; resolved: "
                    + String.join(", ", resolved))));
        }
        return checks;
    }

    /** The capacity as a long, null when it does not fit one (which is itself past any limit). */
    private static Long parse(String digits) {
        try {
            return Long.valueOf(digits);
        } catch (NumberFormatException tooLarge) {
            return null;
        }
    }
}
