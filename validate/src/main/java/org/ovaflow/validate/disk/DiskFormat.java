package org.ovaflow.validate.disk;

/** The format of a file as its header says, by the id that goes into events and messages. */
public enum DiskFormat {
    VMDK_STREAM_OPTIMIZED("vmdk-stream-optimized", "a streamOptimized VMDK", true),
    VMDK_MONOLITHIC_SPARSE("vmdk-monolithic-sparse", "a monolithicSparse VMDK", true),
    VMDK_DESCRIPTOR("vmdk-descriptor", "a VMDK descriptor file", true),
    VMDK_COWD("vmdk-cowd", "a COWD VMDK extent (VMware 3 or ESX vmfsSparse)", false),
    VMDK_SESPARSE("vmdk-sesparse", "a seSparse VMDK extent (ESXi snapshot)", false),
    QCOW2("qcow2", "a qcow2 image", true),
    VHD_DYNAMIC("vhd-dynamic", "a dynamic VHD", true),
    VHD_FIXED("vhd-fixed", "a fixed VHD", true),
    VHD_DIFFERENCING("vhd-differencing", "a differencing VHD", true),
    VHDX("vhdx", "a VHDX image", false),
    VDI("vdi", "a VirtualBox VDI image", false),
    ISO("iso", "an ISO 9660 image", true),
    /** No header ovaflow knows: a raw disk, or not a disk at all. */
    RAW("raw", "raw data", true);

    private final String id;
    private final String description;
    private final boolean importable;

    DiskFormat(String id, String description, boolean importable) {
        this.id = id;
        this.description = description;
        this.importable = importable;
    }

    public String id() {
        return id;
    }

    /** "a qcow2 image": for messages. */
    public String description() {
        return description;
    }

    /** Whether ovaflow's transcode stage reads this format at all (a differencing VHD is refused for its parent). */
    public boolean importable() {
        return importable;
    }

    public boolean isVmdk() {
        return this == VMDK_STREAM_OPTIMIZED || this == VMDK_MONOLITHIC_SPARSE || this == VMDK_DESCRIPTOR
                || this == VMDK_COWD || this == VMDK_SESPARSE;
    }

    public boolean isVhd() {
        return this == VHD_DYNAMIC || this == VHD_FIXED || this == VHD_DIFFERENCING;
    }

    /** The format of an id as {@link #id()} gives it, null for an unknown one. */
    public static DiskFormat of(String id) {
        for (DiskFormat format : values()) {
            if (format.id.equals(id)) {
                return format;
            }
        }
        return null;
    }
}
