package org.ovaflow.validate.ovf;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ovaflow.core.event.ApplianceMetadata;

import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One appliance written four ways (VMware's ovftool with vmw: extensions and vmx-13, VirtualBox 2.2-style with
 * vbox:Machine, "MegaBytes" and /disk/ host resources, plain DMTF 1.x with ovf: prefixes everywhere, and OVF 2.0
 * with StorageItem and EthernetPortItem) gives the same metadata.
 */
class DialectsTest {

    private static final String STREAM_OPTIMIZED =
            "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized";

    /** What every dialect must give, field by field, as {@link #listedFields} lays them out. */
    private static final List<Object> EXPECTED = List.of(
            "Widget Server", "Acme Corp", "2.4", "2.4.1-build7", "https://acme.example/widget", "https://acme.example/",
            "Widget Server 2.4: the widget appliance.", "You may run one widget per licence.",
            List.of(
                    new ApplianceMetadata.Property("widget", "com.acme.widget.hostname.1", "string", "widget", true,
                            null, "Host name", "The appliance's host name"),
                    new ApplianceMetadata.Property("widget", "com.acme.widget.admin-password.1", "string", null, true,
                            true, "Administrator password", null),
                    new ApplianceMetadata.Property("widget", "com.acme.widget.build.1", "uint16", "7", false,
                            null, null, null)),
            List.of(List.of("widget", "Widget Server", "Acme Corp", "2.4", "2.4.1-build7", "https://acme.example/widget",
                    "https://acme.example/", "Widget Server 2.4: the widget appliance.",
                    "You may run one widget per licence.", 101, "Ubuntu Linux (64-bit)", 2, 2048L,
                    List.of(new ApplianceMetadata.VirtualDisk("vmdisk1", "file1", 16L << 30, STREAM_OPTIMIZED, "scsi",
                                    "lsilogic"),
                            new ApplianceMetadata.VirtualDisk("vmdisk2", "file2", 1L << 30, STREAM_OPTIMIZED, "sata",
                                    "ahci")),
                    List.of("VM Network"))));

    @ParameterizedTest
    @ValueSource(strings = {"vmware.ovf", "virtualbox.ovf", "dmtf-1.ovf", "ovf-2.ovf"})
    void everyDialectGivesTheSameMetadata(String dialect) throws Exception {
        ApplianceMetadata metadata;
        try (InputStream in = getClass().getResourceAsStream("/dialects/" + dialect)) {
            metadata = new OvfDescriptorParser().parse(dialect, in);
        }

        assertThat(listedFields(metadata)).as(dialect).isEqualTo(EXPECTED);
        assertThat(metadata.hasEula()).isTrue();
        assertThat(metadata.propertiesCut()).isNull();
    }

    /** The fields the metadata promises whatever the dialect, in a fixed order; virtualSystemType differs on purpose. */
    private static List<Object> listedFields(ApplianceMetadata m) {
        // Arrays.asList: a field missing in one dialect shows as null in the comparison instead of an NPE
        return Arrays.asList(m.product(), m.vendor(), m.version(), m.fullVersion(), m.productUrl(), m.vendorUrl(),
                m.annotation(), m.eula(), m.properties(),
                m.virtualSystems().stream().map(vs -> Arrays.<Object>asList(vs.id(), vs.product(), vs.vendor(), vs.version(),
                        vs.fullVersion(), vs.productUrl(), vs.vendorUrl(), vs.annotation(), vs.eula(), vs.osId(),
                        vs.osDescription(), vs.cpus(), vs.memoryMiB(), vs.disks(), vs.networks())).toList());
    }
}
