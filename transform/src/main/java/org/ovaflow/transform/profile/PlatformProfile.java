package org.ovaflow.transform.profile;

import org.ovaflow.disk.TargetFormat;
import org.w3c.dom.Document;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A platform an appliance is published for as that platform accepts it: a folder of its name holding an OVF 1.x
 * descriptor adapted to the platform's hardware, its disks in the platform's format, a manifest, and for some a
 * platform file beside them (Glance properties, an EC2 disk-container list).
 *
 * <p>Every profile writes OVF 1.x: it is what every importer reads (vSphere, VirtualBox, Glance's OVA import,
 * System Center), while OVF 2.0 and VMware's pre-standard 0.9 are read by few.
 */
public enum PlatformProfile {
    /** vSphere and ESXi: streamOptimized VMDK, a {@code vmx-NN} hardware family, SHA256 (or SHA1) manifest. */
    VMWARE("vmware"),
    /** VirtualBox: streamOptimized VMDK, the {@code virtualbox-2.2} system type VirtualBox itself writes. */
    VIRTUALBOX("virtualbox"),
    /** OpenStack: qcow2 and the Glance image properties derived from the hardware. */
    OPENSTACK("openstack"),
    /** AWS EC2 VM Import: streamOptimized VMDK (or raw) and the disk-container list {@code import-image} takes. */
    AWS("aws"),
    /** Hyper-V and Azure: fixed VHD, its size rounded up to a whole MiB as Azure requires. */
    HYPERV("hyperv");

    private final String id;

    PlatformProfile(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The disk format this profile publishes. */
    public TargetFormat diskFormat(ProfileSettings settings) {
        return switch (this) {
            case VMWARE, VIRTUALBOX -> TargetFormat.VMDK;
            case OPENSTACK -> TargetFormat.QCOW2;
            case AWS -> settings.awsFormat();
            case HYPERV -> TargetFormat.VHD_FIXED;
        };
    }

    /** Whether the disks are rounded up to a whole MiB whatever {@code ovaflow.transcode.vhd-round-to-mib} says. */
    public boolean roundsToMiB() {
        return this == HYPERV;
    }

    /**
     * Brings the descriptor to OVF 1.x and adapts its hardware to the platform, in place.
     *
     * @return what had no OVF 1.x equivalent and was left out (for the log)
     */
    public List<String> adaptDescriptor(Document descriptor, ProfileSettings settings) {
        List<String> dropped = Ovf1Envelope.downgrade(descriptor);
        PlatformHardware.adapt(descriptor, this, settings);
        return dropped;
    }

    public static Optional<PlatformProfile> find(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.id.equals(wanted)).findFirst();
    }
}
