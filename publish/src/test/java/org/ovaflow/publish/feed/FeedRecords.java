package org.ovaflow.publish.feed;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.publish.catalog.ApplianceRecord;

import java.time.Instant;
import java.util.List;

/** Catalog entries as publish writes them, for the feed tests. */
final class FeedRecords {

    static final String SHA_OVF = "a".repeat(64);
    static final String SHA_DISK = "b".repeat(64);
    static final String SHA_QCOW2 = "c".repeat(64);

    private FeedRecords() {
    }

    /** An entry of the original files and a qcow2 target, published at {@code publishedAt}. */
    static ApplianceRecord record(String vendor, String product, String version, String importId,
                                  Instant publishedAt, boolean eula) {
        String vendorSlug = slug(vendor);
        String productSlug = slug(product);
        String prefix = vendorSlug + "/" + productSlug + "/" + version + "/";
        ApplianceMetadata appliance = new ApplianceMetadata("1.x", vendor, product, version, version + ".0-build7",
                "https://example.com/" + productSlug, product + " appliance",
                List.of(new ApplianceMetadata.VirtualSystem("vm", product + " VM", null, product, vendor, version, 101,
                        "Debian GNU/Linux 12 (64-bit)", "vmx-14", 2, 1024L, 1, 1)),
                List.of(), List.of(), List.of("VM Network"), List.of(), null, eula);
        List<ApplianceRecord.Artifact> artifacts = List.of(
                new ApplianceRecord.Artifact("widget.ovf", "descriptor", prefix + "widget.ovf", 2048, SHA_OVF, null, null),
                new ApplianceRecord.Artifact("disk1.vmdk", "disk", prefix + "disk1.vmdk", 1_000_000, SHA_DISK,
                        "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized", null),
                new ApplianceRecord.Artifact("qcow2/disk1.qcow2", "disk", prefix + "qcow2/disk1.qcow2", 1_200_000,
                        SHA_QCOW2, "qcow2", "qcow2"));
        return new ApplianceRecord(1, vendorSlug, productSlug, version, appliance, artifacts,
                new ApplianceRecord.Provenance(importId, "s3://ova-incoming/" + productSlug + ".ova", "etag",
                        null, publishedAt.minusSeconds(60), publishedAt, List.of()),
                ApplianceRecord.AVAILABLE, null);
    }

    static String slug(String name) {
        return name.toLowerCase().replaceAll("[^a-z0-9.]+", "-");
    }
}
