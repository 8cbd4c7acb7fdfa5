package org.ovaflow.publish.feed;

import org.ovaflow.publish.catalog.ApplianceRecord;

import java.util.Locale;

/**
 * The media type an enclosure announces for an artifact, by its role and disk format. There are no registered
 * types for disk images: these are the ones freedesktop.org's shared-mime-info gives them.
 */
final class ArtifactTypes {

    static final String OVA = "application/x-ova";
    static final String DESCRIPTOR = "application/xml";
    static final String MANIFEST = "text/plain";
    static final String QCOW2 = "application/x-qemu-disk";
    static final String VMDK = "application/x-vmdk-disk";
    static final String VHD = "application/x-vhd-disk";
    static final String JSON = "application/json";
    static final String BINARY = "application/octet-stream";

    private ArtifactTypes() {
    }

    static String of(ApplianceRecord.Artifact artifact) {
        String role = lower(artifact.role());
        String name = lower(artifact.name());
        if (name.endsWith(".ova")) {
            return OVA;
        }
        if ("descriptor".equals(role) || name.endsWith(".ovf")) {
            return DESCRIPTOR;
        }
        if ("manifest".equals(role) || "certificate".equals(role) || name.endsWith(".mf") || name.endsWith(".cert")) {
            return MANIFEST;
        }
        if (name.endsWith(".json")) {
            return JSON; // a platform's file beside a profile's package (Glance, EC2)
        }
        // a disk: the format is a short name (targets) or the descriptor's format URI (original disks)
        String format = lower(artifact.format()) + " " + lower(artifact.target()) + " " + name;
        if (format.contains("qcow")) {
            return QCOW2;
        }
        if (format.contains("vmdk")) {
            return VMDK;
        }
        if (format.contains("vhd")) {
            return VHD;
        }
        return BINARY;
    }

    private static String lower(String text) {
        return text == null ? "" : text.toLowerCase(Locale.ROOT);
    }
}
