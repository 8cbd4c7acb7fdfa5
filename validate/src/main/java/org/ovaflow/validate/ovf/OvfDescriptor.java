package org.ovaflow.validate.ovf;

import org.ovaflow.core.event.ApplianceMetadata;

import java.util.List;

/**
 * A parsed descriptor: the metadata the events carry, and the hardware sections as written, which the semantic
 * checks follow but no later stage needs.
 */
public record OvfDescriptor(ApplianceMetadata appliance, List<HardwareSection> hardware) {

    public OvfDescriptor {
        hardware = List.copyOf(hardware);
    }
}
