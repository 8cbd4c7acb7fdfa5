package org.ovaflow.disk;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The formats ovaflow writes, by the names operators configure ({@code transcode.targets=qcow2,vhd}), each
 * with the file extension it publishes under and the URI an OVF descriptor names it by.
 */
public enum TargetFormat {
    QCOW2("qcow2", "qcow2", "http://www.gnome.org/~markmc/qcow-image-format.html"),
    VHD("vhd", "vhd", "http://technet.microsoft.com/en-us/virtualserver/bb676673.aspx"),
    VHD_FIXED("vhd-fixed", "vhd", "http://technet.microsoft.com/en-us/virtualserver/bb676673.aspx"),
    RAW("raw", "img", "http://en.wikipedia.org/wiki/Byte"),
    VMDK("vmdk", "vmdk", "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized");

    private final String id;
    private final String extension;
    private final String ovfFormat;

    TargetFormat(String id, String extension, String ovfFormat) {
        this.id = id;
        this.extension = extension;
        this.ovfFormat = ovfFormat;
    }

    public String id() {
        return id;
    }

    public String extension() {
        return extension;
    }

    /** The {@code ovf:format} URI of a Disk in this format (the ones VMware, oVirt and XenServer write). */
    public String ovfFormat() {
        return ovfFormat;
    }

    public static TargetFormat of(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(t -> t.id.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown disk format '" + id + "', known: "
                        + Arrays.stream(values()).map(TargetFormat::id).collect(Collectors.joining(", "))));
    }
}
