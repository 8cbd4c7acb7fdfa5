package org.ovaflow.validate.ovf;

import org.ovaflow.core.event.ApplianceMetadata;

import java.util.List;

/**
 * A parsed descriptor: the metadata the events carry, and the hardware sections as written and the Disk
 * capacities given as property references, which the semantic checks follow but no later stage needs.
 */
public record OvfDescriptor(ApplianceMetadata appliance, List<HardwareSection> hardware,
                            List<CapacityReference> capacityReferences) {

    public OvfDescriptor {
        hardware = List.copyOf(hardware);
        capacityReferences = List.copyOf(capacityReferences);
    }

    /** A descriptor without capacities given as property references. */
    public OvfDescriptor(ApplianceMetadata appliance, List<HardwareSection> hardware) {
        this(appliance, hardware, List.of());
    }

    /** The same descriptor with other metadata (References resolved to the archive's names). */
    public OvfDescriptor withAppliance(ApplianceMetadata resolved) {
        return new OvfDescriptor(resolved, hardware, capacityReferences);
    }
}
