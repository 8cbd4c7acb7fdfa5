package org.ovaflow.core.ova;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnpackedPackageTest {

    private static byte[] descriptor(String namespace, String files) {
        return ("""
                <?xml version="1.0"?>
                <Envelope xmlns="%1$s" xmlns:ovf="%1$s">
                  <References>%2$s</References>
                  <DiskSection><Info>x</Info></DiskSection>
                </Envelope>""").formatted(namespace, files).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void referencedFilesAreTheHrefsInsideThePackageInTheirOrder() throws IOException {
        byte[] xml = descriptor("http://schemas.dmtf.org/ovf/envelope/2", """
                <File ovf:id="f1" ovf:href="vm-disk1.vmdk" ovf:size="10"/>
                <File ovf:id="f2" ovf:href="sub/vm-disk2.vmdk"/>
                <File ovf:id="f3" ovf:href="http://example.com/evil.vmdk"/>
                <File ovf:id="f4" ovf:href="../outside.vmdk"/>
                <File ovf:id="f5" ovf:href="/etc/passwd"/>
                <File ovf:id="f6" ovf:href="C:\\\\disk.vmdk"/>
                <File ovf:id="f7" ovf:href="vm-disk1.vmdk"/>""");

        assertThat(UnpackedPackage.referencedFiles(xml, 100)).containsExactly("vm-disk1.vmdk", "sub/vm-disk2.vmdk");
    }

    @Test
    void chunkedFilesAreTheirChunksAndOvf09IsRead() throws IOException {
        byte[] xml = descriptor("http://www.vmware.com/schema/ovf/1/envelope", """
                <File ovf:id="f1" ovf:href="big.vmdk" ovf:size="25" ovf:chunkSize="10"/>""");

        assertThat(UnpackedPackage.referencedFiles(xml, 100))
                .containsExactly("big.vmdk.000000000", "big.vmdk.000000001", "big.vmdk.000000002");
    }

    @Test
    void atMostOneMoreThanTheLimitIsListed() throws IOException {
        byte[] xml = descriptor("http://schemas.dmtf.org/ovf/envelope/1", """
                <File ovf:id="f1" ovf:href="big.vmdk" ovf:size="1000000000000" ovf:chunkSize="1"/>""");

        assertThat(UnpackedPackage.referencedFiles(xml, 5)).hasSize(6);
    }

    @Test
    void aDescriptorWithADoctypeIsNotRead() {
        byte[] xml = """
                <?xml version="1.0"?>
                <!DOCTYPE lolz [<!ENTITY lol "lol">]>
                <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><References/></Envelope>"""
                .getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> UnpackedPackage.referencedFiles(xml, 10)).isInstanceOf(IOException.class);
    }

    @Test
    void aPercentEncodedHrefMayNameTheFileItDecodesToButNeverOneOutside() {
        assertThat(UnpackedPackage.spellings("my%20disk.vmdk")).containsExactly("my%20disk.vmdk", "my disk.vmdk");
        assertThat(UnpackedPackage.spellings("a+b.vmdk")).containsExactly("a+b.vmdk");
        assertThat(UnpackedPackage.spellings("%2E%2E/etc/passwd")).containsExactly("%2E%2E/etc/passwd");
        assertThat(UnpackedPackage.spellings("bad%zz.vmdk")).containsExactly("bad%zz.vmdk");
    }

    @Test
    void formsAndStemsFollowTheName() {
        assertThat(PackageForm.of("a.ova")).isEqualTo(PackageForm.OVA);
        assertThat(PackageForm.of("a.OVA.GZ")).isEqualTo(PackageForm.OVA_GZIP);
        assertThat(PackageForm.of("a.ova.xz")).isEqualTo(PackageForm.OVA_XZ);
        assertThat(PackageForm.of("a.ovf")).isEqualTo(PackageForm.UNPACKED);
        assertThat(PackageForm.stem("appliance-1.0.ova.gz")).isEqualTo("appliance-1.0");
        assertThat(PackageForm.stem("appliance.ovf")).isEqualTo("appliance");
        assertThat(PackageForm.stem("appliance.ova")).isEqualTo("appliance");
        assertThat(UnpackedPackage.folderOf("a/b/c.ovf")).isEqualTo("a/b/");
        assertThat(UnpackedPackage.folderOf("c.ovf")).isEmpty();
        assertThat(UnpackedPackage.companions("c.ovf")).containsExactly("c.mf", "c.cert");
    }
}
