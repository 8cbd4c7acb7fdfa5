package org.ovaflow.validate.ovf;

import java.util.List;

/** A VirtualHardwareSection's Items as written, named by the ovf:id of the VirtualSystem that holds it. */
public record HardwareSection(String virtualSystemId, List<HardwareItem> items) {

    public HardwareSection {
        items = List.copyOf(items);
    }
}
