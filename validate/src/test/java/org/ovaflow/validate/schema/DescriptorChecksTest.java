package org.ovaflow.validate.schema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ManifestVerdict;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.checksum.PackageVerification;
import org.ovaflow.validate.checksum.PackageVerifier;
import org.ovaflow.validate.ovf.OvfDescriptorParser;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One spoiled OVA per semantic check of the descriptor, each rejected by that check alone and naming the file
 * at fault; the package goes through the checksum stage's verifier first, so the tar index and manifest verdict
 * are the real ones.
 */
class DescriptorChecksTest {

    private static final int DISK_BYTES = 20_000;
    private static final String DESCRIPTOR = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img",
            DISK_BYTES);
    private static final byte[] DISK = SampleAppliance.disk(DISK_BYTES, 1);
    private static final String FILE = "<File ovf:id=\"file1\" ovf:href=\"disk1.img\" ovf:size=\"" + DISK_BYTES + "\"/>";

    private final ValidationSettings settings = ValidationSettings.DEFAULTS;

    @Test
    void theSampleApplianceAsBuiltPassesAndSaysWhatWasChecked() throws Exception {
        DescriptorValidation validation = validate(ova(DESCRIPTOR), settings);

        assertThat(validation.checks()).filteredOn(c -> c.status() != CheckResult.Status.PASS).isEmpty();
        assertThat(validation.checks()).extracting(CheckResult::id)
                .contains("ovf.references", "ovf.capacity", "ovf.hardware", "manifest.coverage");
    }

    @Test
    void aFileIdDeclaredTwiceIsRejected() throws Exception {
        String descriptor = DESCRIPTOR.replace(FILE, FILE + "\n<File ovf:id=\"file1\" ovf:href=\"notes.txt\"/>");

        assertRejectedBy(validate(ova(descriptor).file("notes.txt", new byte[10]), settings),
                "ovf.file-id-unique", "widget.ovf", "file1");
    }

    @Test
    void aDiskIdDeclaredTwiceIsRejected() throws Exception {
        String disk = DESCRIPTOR.substring(DESCRIPTOR.indexOf("<Disk "), DESCRIPTOR.indexOf("</DiskSection>"));

        assertRejectedBy(validate(ova(DESCRIPTOR.replace(disk, disk + disk)), settings),
                "ovf.disk-id-unique", "widget.ovf", "vmdisk1");
    }

    @Test
    void aDiskNamingAnUndeclaredFileIsRejected() throws Exception {
        String descriptor = DESCRIPTOR.replace("ovf:fileRef=\"file1\"", "ovf:fileRef=\"file9\"");

        assertRejectedBy(validate(ova(descriptor), settings), "ovf.disk-file-ref", "widget.ovf", "file9");
    }

    @Test
    void aNegativeFileSizeIsRejected() throws Exception {
        String descriptor = DESCRIPTOR.replace("ovf:size=\"" + DISK_BYTES + "\"", "ovf:size=\"-9223372036854775807\"");

        assertRejectedBy(validate(ova(descriptor), settings), "ovf.file-size", "disk1.img", "negative");
    }

    @Test
    void chunksThatAreAllThereWithTheirSizesPass() throws Exception {
        DescriptorValidation validation = validate(chunked(0, 1, 2), settings);

        assertThat(validation.checks()).noneMatch(CheckResult::failed);
        assertThat(validation.checks()).extracting(CheckResult::id).contains("ovf.references", "manifest.coverage");
    }

    @Test
    void aMissingFirstChunkIsRejected() throws Exception {
        assertRejectedBy(validate(chunked(1, 2), settings), "ovf.file-present", "disk1.img.000000000",
                "no first chunk");
    }

    @Test
    void aGapBetweenChunksIsRejected() throws Exception {
        assertRejectedBy(validate(chunked(0, 2), settings), "ovf.file-present", "disk1.img.000000001",
                "chunk 1");
    }

    @Test
    void aChunkShorterThanTheChunkSizeBeforeTheLastIsRejected() throws Exception {
        OvaBuilder ova = new OvaBuilder("widget.ovf", DESCRIPTOR.replace(FILE, FILE.replace("/>",
                " ovf:chunkSize=\"8192\"/>")))
                .file("disk1.img.000000000", Arrays.copyOfRange(DISK, 0, 8000))
                .file("disk1.img.000000001", Arrays.copyOfRange(DISK, 8000, 16192))
                .file("disk1.img.000000002", Arrays.copyOfRange(DISK, 16192, DISK_BYTES));

        assertRejectedBy(validate(ova, settings), "ovf.file-size", "disk1.img.000000000", "8000");
    }

    @Test
    void chunksThatDoNotAddUpToTheFileSizeAreRejected() throws Exception {
        String descriptor = DESCRIPTOR.replace(FILE, FILE.replace("ovf:size=\"" + DISK_BYTES + "\"",
                "ovf:size=\"" + (DISK_BYTES + 100) + "\" ovf:chunkSize=\"8192\""));
        OvaBuilder ova = new OvaBuilder("widget.ovf", descriptor);
        chunksOf(ova, 0, 1, 2);

        assertRejectedBy(validate(ova, settings), "ovf.file-size", "disk1.img", String.valueOf(DISK_BYTES));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://downloads.example/disk1.img", "https://downloads.example/disk1.img",
            "file:///var/lib/disk1.img", "ftp://downloads.example/disk1.img", "smb://share/disk1.img",
            "/var/lib/disk1.img", "../disk1.img", "images/../../disk1.img", "C:\\images\\disk1.img"})
    void anHrefOutsideThePackageIsRefused(String href) throws Exception {
        String descriptor = DESCRIPTOR.replace("ovf:href=\"disk1.img\"", "ovf:href=\"" + href + "\"");

        assertRejectedBy(validate(ova(descriptor), settings), "ovf.href-remote", href, "remote-hrefs is refuse");
    }

    @Test
    void anHrefOutsideThePackageIsAWarningWhenThePolicyAllowsIt() throws Exception {
        String descriptor = DESCRIPTOR.replace("ovf:href=\"disk1.img\"", "ovf:href=\"https://downloads.example/d.img\"");

        DescriptorValidation validation = validate(ova(descriptor),
                settings.withRemoteHrefs(ValidationSettings.RemoteHrefPolicy.ALLOW));

        assertThat(validation.rejected()).isFalse();
        assertThat(validation.checks()).filteredOn(c -> c.status() == CheckResult.Status.WARN)
                .singleElement().satisfies(check -> {
                    assertThat(check.id()).isEqualTo("ovf.href-remote");
                    assertThat(check.message()).contains("never fetches");
                });
    }

    @Test
    void aCompressionOvaflowCannotReadIsRejected() throws Exception {
        String descriptor = DESCRIPTOR.replace(FILE, FILE.replace("/>", " ovf:compression=\"bzip2\"/>"));

        assertRejectedBy(validate(ova(descriptor), settings), "ovf.compression", "disk1.img", "bzip2");
    }

    @Test
    void gzipAndIdentityCompressionsAreUnderstood() throws Exception {
        for (String compression : List.of("gzip", "identity")) {
            String descriptor = DESCRIPTOR.replace(FILE, FILE.replace("/>", " ovf:compression=\"" + compression + "\"/>"));
            assertThat(validate(ova(descriptor), settings).checks()).as(compression).noneMatch(CheckResult::failed);
        }
    }

    @Test
    void aCapacityBeyondTheLimitIsACapacityBomb() throws Exception {
        String descriptor = capacity("16", "byte * 2^60");

        assertRejectedBy(validate(ova(descriptor), settings), "ovf.capacity", "widget.ovf",
                "ovaflow.validate.max-capacity");
        assertRejectedBy(validate(ova(capacity("5", "byte * 2^20")), settings.withMaxCapacity(4L << 20)),
                "ovf.capacity", "widget.ovf", "limit of " + (4L << 20));
    }

    @Test
    void aCapacityPastALongIsACapacityBombToo() throws Exception {
        assertRejectedBy(validate(ova(capacity("99999999999999999999", null)), settings), "ovf.capacity",
                "widget.ovf", "limit");
        assertRejectedBy(validate(ova(capacity("9223372036854775807", "byte * 2^30")), settings), "ovf.capacity",
                "widget.ovf", "2^63");
    }

    @Test
    void aMalformedCapacityIsRejected() throws Exception {
        assertRejectedBy(validate(ova(capacity("1.5", "byte * 2^30")), settings), "ovf.capacity", "widget.ovf",
                "whole number");
        assertRejectedBy(validate(ova(capacity("-1", "byte * 2^30")), settings), "ovf.capacity", "widget.ovf",
                "whole number");
        assertRejectedBy(validate(ova(capacity("1", "furlongs")), settings), "ovf.capacity", "widget.ovf",
                "furlongs");
    }

    @Test
    void aZeroCapacityIsRejected() throws Exception {
        assertRejectedBy(validate(ova(capacity("0", "byte * 2^30")), settings), "ovf.capacity", "widget.ovf",
                "0 bytes");
    }

    @Test
    void aCapacityFromAPropertyIsResolvedFromTheDefaultOfThatProperty() throws Exception {
        // as VMware's nested ESXi appliances size their disks: ovf:capacity="${osDiskSize}", 8 GiB by default
        DescriptorValidation validation = validate(ova(withProperty(capacity("${osDiskSize}", "byte * 2^30"),
                "osDiskSize", "8")), settings);

        assertThat(validation.rejected()).as(validation.checks().toString()).isFalse();
        assertThat(validation.checks()).filteredOn(c -> c.id().equals("ovf.capacity")).singleElement()
                .satisfies(check -> {
                    assertThat(check.status()).isEqualTo(CheckResult.Status.PASS);
                    assertThat(check.message()).contains("the largest " + (8L << 30) + " bytes",
                            "Disk 'vmdisk1' ${osDiskSize} = 8, the default of ProductSection property 'osDiskSize'");
                });
        assertThat(validation.appliance().disks()).singleElement().satisfies(disk -> {
            assertThat(disk.capacity()).isEqualTo("${osDiskSize}");
            assertThat(disk.capacityBytes()).isEqualTo(8L << 30);
        });
        assertThat(validation.appliance().virtualSystems().get(0).disks()).singleElement()
                .extracting(ApplianceMetadata.VirtualDisk::capacityBytes).isEqualTo(8L << 30);
    }

    @Test
    void aCapacityNamingNoPropertyOrANonNumericDefaultIsRejected() throws Exception {
        assertRejectedBy(validate(ova(withProperty(capacity("${dataDiskSize}", "byte * 2^30"), "osDiskSize", "8")),
                settings), "ovf.capacity", "widget.ovf",
                "Disk 'vmdisk1' has capacity ${dataDiskSize}, which names no ProductSection property 'dataDiskSize'");
        assertRejectedBy(validate(ova(withProperty(capacity("${osDiskSize}", "byte * 2^30"), "osDiskSize", "eight")),
                settings), "ovf.capacity", "widget.ovf", "whose default 'eight' is not a whole number");
        assertRejectedBy(validate(ova(withProperty(capacity("${osDiskSize}", "byte * 2^30"), "osDiskSize", "")),
                settings), "ovf.capacity", "widget.ovf", "has no default (ovf:value)");
        // the default is what ovaflow imports: it is held to the limit as a written capacity is
        assertRejectedBy(validate(ova(withProperty(capacity("${osDiskSize}", "byte * 2^30"), "osDiskSize",
                "999999")), settings), "ovf.capacity", "widget.ovf", "ovaflow.validate.max-capacity");
    }

    @Test
    void noCapacityAtAllBreaksTheSchemaAndTheCapacityCheckOnlyWarns() throws Exception {
        // DSP0243 requires ovf:capacity: the schema rejects it, the capacity check only warns (the image has a size)
        DescriptorValidation none = validate(ova(DESCRIPTOR.replaceAll("ovf:capacity=\"\\d+\"", "")), settings);
        assertThat(none.checks()).filteredOn(CheckResult::failed).extracting(CheckResult::id)
                .containsExactly("ovf.schema");
        assertThat(none.checks()).filteredOn(c -> c.status() == CheckResult.Status.WARN)
                .extracting(CheckResult::id).containsExactly("ovf.capacity");
    }

    @Test
    void aDiskDriveNamingAnUndeclaredDiskIsRejected() throws Exception {
        String descriptor = DESCRIPTOR.replace("ovf:/disk/vmdisk1", "ovf:/disk/vmdisk9");

        assertRejectedBy(validate(ova(descriptor), settings), "ovf.hardware-disk", "widget.ovf", "vmdisk9");
    }

    @Test
    void aDiskDriveNamingAnUndeclaredFileOrNothingIsRejected() throws Exception {
        assertRejectedBy(validate(ova(DESCRIPTOR.replace("ovf:/disk/vmdisk1", "ovf:/file/file9")), settings),
                "ovf.hardware-disk", "widget.ovf", "file9");
        assertRejectedBy(validate(ova(DESCRIPTOR.replace("ovf:/disk/vmdisk1", "disk1.img")), settings),
                "ovf.hardware-disk", "widget.ovf", "names no Disk or File");
        assertRejectedBy(validate(ova(DESCRIPTOR.replace("<rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>",
                "")), settings), "ovf.hardware-disk", "widget.ovf", "is missing");
    }

    @Test
    void theOvf09SpellingsOfHostResourceAreUnderstood() throws Exception {
        for (String spelling : List.of("/disk/vmdisk1", "ovf://disk/vmdisk1", "ovf:/file/file1")) {
            String descriptor = DESCRIPTOR.replace("ovf:/disk/vmdisk1", spelling);
            assertThat(validate(ova(descriptor), settings).checks()).as(spelling).noneMatch(CheckResult::failed);
        }
    }

    @Test
    void anAdapterOnAnUndeclaredNetworkIsRejected() throws Exception {
        String descriptor = DESCRIPTOR.replace("<rasd:Connection>VM Network</rasd:Connection>",
                "<rasd:Connection>Backup Network</rasd:Connection>");

        assertRejectedBy(validate(ova(descriptor), settings), "ovf.hardware-network", "widget.ovf",
                "'Backup Network'");
    }

    @Test
    void aParentThatIsNoItemIsRejected() throws Exception {
        String descriptor = DESCRIPTOR.replace("<rasd:Parent>3</rasd:Parent>", "<rasd:Parent>30</rasd:Parent>");

        assertRejectedBy(validate(ova(descriptor), settings), "ovf.hardware-parent", "widget.ovf", "Parent 30");
    }

    @Test
    void cpuCountsOutsideWhatAHypervisorGivesAreRejected() throws Exception {
        for (String cpus : List.of("0", "769", "100000")) {
            assertRejectedBy(validate(ova(cpus(cpus)), settings), "ovf.cpu", "widget.ovf", cpus + " virtual CPUs");
        }
        assertThat(validate(ova(cpus("768")), settings).checks()).noneMatch(CheckResult::failed);
    }

    @Test
    void memoryOutsideWhatAHypervisorGivesIsRejected() throws Exception {
        assertRejectedBy(validate(ova(memory("25", "byte * 2^40")), settings), "ovf.memory", "widget.ovf",
                "24 TiB");
        assertRejectedBy(validate(ova(memory("512", "byte * 2^10")), settings), "ovf.memory", "widget.ovf",
                "0 MiB");
        assertThat(validate(ova(memory("24", "byte * 2^40")), settings).checks()).noneMatch(CheckResult::failed);
    }

    @Test
    void theLimitsHoldInTheDefaultConfigurationAndIgnoreRangeBounds() throws Exception {
        String options = """
                <DeploymentOptionSection>
                  <Info>Sizes</Info>
                  <Configuration ovf:id="small" ovf:default="true"><Label>Small</Label><Description>s</Description></Configuration>
                  <Configuration ovf:id="huge"><Label>Huge</Label><Description>h</Description></Configuration>
                </DeploymentOptionSection>
                <VirtualSystem""";
        String bound = """
                <Item ovf:bound="max">
                  <rasd:ElementName>at most 100000 CPUs</rasd:ElementName>
                  <rasd:InstanceID>1</rasd:InstanceID>
                  <rasd:ResourceType>3</rasd:ResourceType>
                  <rasd:VirtualQuantity>100000</rasd:VirtualQuantity>
                </Item>
                <Item ovf:configuration="huge">
                  <rasd:ElementName>1000 CPUs</rasd:ElementName>
                  <rasd:InstanceID>1</rasd:InstanceID>
                  <rasd:ResourceType>3</rasd:ResourceType>
                  <rasd:VirtualQuantity>1000</rasd:VirtualQuantity>
                </Item>
                </VirtualHardwareSection>""";
        String descriptor = DESCRIPTOR.replaceFirst("<VirtualSystem", options)
                .replace("</VirtualHardwareSection>", bound);

        assertThat(validate(ova(descriptor), settings).checks()).noneMatch(CheckResult::failed);
    }

    @Test
    void aDescriptorWithoutAVirtualSystemIsRejected() throws Exception {
        String descriptor = DESCRIPTOR.replaceAll("(?s)<VirtualSystem .*</VirtualSystem>", "");

        assertRejectedBy(validate(ova(descriptor), settings), "ovf.virtual-system", "widget.ovf", "no VirtualSystem");
    }

    @Test
    void aReferencedFileTheManifestDoesNotVerifyIsRejected() throws Exception {
        assertRejectedBy(validate(ova(DESCRIPTOR), settings, unverified("disk1.img")), "manifest.coverage",
                "disk1.img", "widget.mf");
    }

    @Test
    void eachChunkMustBeVerifiedByTheManifest() throws Exception {
        assertRejectedBy(validate(chunked(0, 1, 2), settings, unverified("disk1.img.000000001")),
                "manifest.coverage", "disk1.img.000000001", "does not list it");
    }

    @Test
    void withoutAManifestThereIsNoCoverageToCheck() throws Exception {
        DescriptorValidation validation = validate(ova(DESCRIPTOR).manifestAlgorithm(null), settings);

        assertThat(validation.checks()).noneMatch(CheckResult::failed)
                .extracting(CheckResult::id).doesNotContain("manifest.coverage");
    }

    private static OvaBuilder ova(String descriptor) {
        return new OvaBuilder("widget.ovf", descriptor).file("disk1.img", DISK);
    }

    /** The sample disk in chunks of 8192 bytes, only those of the given indexes in the archive. */
    private static OvaBuilder chunked(int... indexes) {
        OvaBuilder ova = new OvaBuilder("widget.ovf", DESCRIPTOR.replace(FILE, FILE.replace("/>",
                " ovf:chunkSize=\"8192\"/>")));
        chunksOf(ova, indexes);
        return ova;
    }

    private static void chunksOf(OvaBuilder ova, int... indexes) {
        for (int index : indexes) {
            ova.file(PackagePaths.chunkName("disk1.img", index),
                    Arrays.copyOfRange(DISK, index * 8192, Math.min(DISK_BYTES, (index + 1) * 8192)));
        }
    }

    private static String capacity(String capacity, String units) {
        return DESCRIPTOR.replaceAll("ovf:capacity=\"\\d+\"", "ovf:capacity=\"" + capacity.replace("$", "\\$") + "\"")
                .replace("ovf:capacityAllocationUnits=\"byte * 2^20\"",
                        units == null ? "" : "ovf:capacityAllocationUnits=\"" + units + "\"");
    }

    /** The descriptor with a ProductSection Property {@code key} whose default is {@code value}. */
    private static String withProperty(String descriptor, String key, String value) {
        return descriptor.replace("</FullVersion>", "</FullVersion>\n<Property ovf:key=\"" + key
                + "\" ovf:type=\"uint64\" ovf:value=\"" + value + "\"/>");
    }

    private static String cpus(String count) {
        return DESCRIPTOR.replace("<rasd:VirtualQuantity>2</rasd:VirtualQuantity>",
                "<rasd:VirtualQuantity>" + count + "</rasd:VirtualQuantity>");
    }

    private static String memory(String quantity, String units) {
        String memoryUnits = "<rasd:AllocationUnits>byte \\* 2\\^20</rasd:AllocationUnits>(\\s*<rasd:Description>Memory)";
        return DESCRIPTOR.replaceFirst(memoryUnits, "<rasd:AllocationUnits>" + units + "</rasd:AllocationUnits>$1")
                .replace("<rasd:VirtualQuantity>1024</rasd:VirtualQuantity>",
                        "<rasd:VirtualQuantity>" + quantity + "</rasd:VirtualQuantity>");
    }

    /** The manifest verdict as if {@code name} had been left out of the manifest. */
    private static UnaryOperator<ManifestVerdict> unverified(String name) {
        return verdict -> {
            Map<String, ManifestVerdict.VerifiedDigest> verified = new LinkedHashMap<>(verdict.verified());
            assertThat(verified.remove(name)).as("%s was verified to begin with", name).isNotNull();
            return new ManifestVerdict(verdict.manifestFile(), verified);
        };
    }

    private static void assertRejectedBy(DescriptorValidation validation, String checkId, String file,
                                         String messagePart) {
        assertThat(validation.rejected()).isTrue();
        assertThat(validation.checks()).filteredOn(check -> check.failed() && check.id().equals(checkId))
                .singleElement().satisfies(check -> {
                    assertThat(check.file()).isEqualTo(file);
                    assertThat(check.message()).contains(messagePart);
                });
        // the schema and the disk header may see the same fault from their side, nothing else may fail
        assertThat(validation.checks()).filteredOn(CheckResult::failed).extracting(CheckResult::id)
                .allMatch(id -> id.equals(checkId) || SEEN_FROM_ANOTHER_SIDE.contains(id));
    }

    /** Checks that catch some faults of these tests too: the envelope schema, and the image's own size. */
    private static final java.util.Set<String> SEEN_FROM_ANOTHER_SIDE = java.util.Set.of("ovf.schema",
            "ovf.disk-capacity");

    private static DescriptorValidation validate(OvaBuilder ova, ValidationSettings settings) throws Exception {
        return validate(ova, settings, UnaryOperator.identity());
    }

    /** Runs the checksum stage's verifier over the OVA, then the descriptor validator as the schema stage does. */
    private static DescriptorValidation validate(OvaBuilder ova, ValidationSettings settings,
                                                 UnaryOperator<ManifestVerdict> manifest) throws Exception {
        byte[] bytes = ova.toBytes();
        PackageVerification verification = new PackageVerifier(settings).verify("widget.ova",
                new ByteArrayInputStream(bytes));
        ImportEvent verified = ImportEvent.arrived(new ObjectRef("ova-incoming", "widget.ova", "etag", bytes.length,
                        null), "scan", Instant.parse("2024-05-01T10:00:00Z"))
                .withTarIndex(verification.tarIndex())
                .withManifest(manifest.apply(verification.manifest()))
                .withChecks(verification.checks());
        TarEntry descriptor = verification.tarIndex().descriptor().orElseThrow();
        return new DescriptorValidator(new OvfDescriptorParser(), settings).validate(descriptor,
                new ByteArrayInputStream(bytes, (int) descriptor.offset(), (int) descriptor.size()), verified);
    }
}
