package org.ovaflow.validate.schema;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.ovf.AllocationUnits;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Each Disk's ovf:capacity × ovf:capacityAllocationUnits: a whole number of a unit ovaflow understands, more than
 * zero and no more than {@link ValidationSettings#maxCapacity()}, so a descriptor cannot make the transcode stage
 * allocate a disk of exabytes (a capacity bomb).
 */
final class CapacityChecks {

    /** A capacity set at deployment from a ProductSection property, as DSP0243 allows: {@code ${disk-size}}. */
    private static final Pattern PROPERTY_REFERENCE = Pattern.compile("\\$\\{[^}]+}");

    private CapacityChecks() {
    }

    static List<CheckResult> check(String descriptorName, List<ApplianceMetadata.Disk> disks,
                                   ValidationSettings settings) {
        List<CheckResult> checks = new ArrayList<>();
        long largest = 0;
        for (ApplianceMetadata.Disk disk : disks) {
            String capacity = disk.capacity() == null ? null : disk.capacity().trim();
            String units = disk.capacityAllocationUnits();
            String which = "Disk '" + disk.diskId() + "'";
            if (capacity == null || capacity.isEmpty()) {
                checks.add(CheckResult.warn("ovf.capacity", descriptorName, which
                        + " has no ovf:capacity: its size is taken from the disk image's own header"));
            } else if (PROPERTY_REFERENCE.matcher(capacity).matches()) {
                checks.add(CheckResult.warn("ovf.capacity", descriptorName, which + " has capacity " + capacity
                        + ", set from a property at deployment: the limit of " + settings.maxCapacity()
                        + " bytes is applied to the disk image's own size instead"));
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
                    + "the largest " + largest + " bytes, within the limit of " + settings.maxCapacity()));
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
