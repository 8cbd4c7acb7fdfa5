package org.ovaflow.publish.feed;

import org.junit.jupiter.api.Test;
import org.ovaflow.publish.catalog.ApplianceRecord;

import static org.assertj.core.api.Assertions.assertThat;

/** The media type of every kind of published file, platform profiles' included. */
class ArtifactTypesTest {

    @Test
    void eachRoleAndFormatHasItsType() {
        assertThat(ArtifactTypes.of(artifact("vmware/widget.ovf", "descriptor", null, "vmware"))).isEqualTo("application/xml");
        assertThat(ArtifactTypes.of(artifact("vmware/widget.cert", "certificate", null, "vmware"))).isEqualTo("text/plain");
        assertThat(ArtifactTypes.of(artifact("openstack/disk1.qcow2.glance.json", "platform", null, "openstack")))
                .isEqualTo("application/json");
        assertThat(ArtifactTypes.of(artifact("aws/disk-containers.json", "platform", null, "aws")))
                .isEqualTo("application/json");
        assertThat(ArtifactTypes.of(artifact("hyperv/disk1.vhd", "disk",
                "http://technet.microsoft.com/en-us/virtualserver/bb676673.aspx", "hyperv")))
                .isEqualTo("application/x-vhd-disk");
        assertThat(ArtifactTypes.of(artifact("openstack/disk1.qcow2", "disk",
                "http://www.gnome.org/~markmc/qcow-image-format.html", "openstack"))).isEqualTo("application/x-qemu-disk");
    }

    private static ApplianceRecord.Artifact artifact(String name, String role, String format, String target) {
        return new ApplianceRecord.Artifact(name, role, "acme/widget/1.0/" + name, 10, "00", format, target);
    }
}
