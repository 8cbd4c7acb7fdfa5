package org.ovaflow.disk;

/**
 * A file a disk image's header names as part of the disk: a VMDK extent, a parent or backing file, an external
 * data file. {@code target} is what the header says, made safe to print (control characters escaped, cut short).
 *
 * @param embedded for a VMDK extent: named by the descriptor embedded in a sparse extent, which names the
 *                 sparse file itself (under the name it was created with), not another file to read
 */
public record DiskReference(Kind kind, String target, boolean embedded) {

    /** What the header names. Only a VMDK extent may be acceptable: another file of the same package. */
    public enum Kind {
        VMDK_EXTENT("VMDK extent"),
        VMDK_PARENT("VMDK parent disk"),
        QCOW2_BACKING_FILE("qcow2 backing file"),
        QCOW2_DATA_FILE("qcow2 external data file"),
        VHD_PARENT("VHD parent disk");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** "qcow2 backing file /etc/passwd". */
    public String describe() {
        return kind.label + " " + target;
    }
}
