package org.ovaflow.app;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.ovaflow.core.stage.StageMetrics;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.TargetFormat;
import org.ovaflow.transform.profile.ManifestAlgorithm;
import org.ovaflow.transform.profile.ManifestSigner;
import org.ovaflow.transform.profile.ProfileSettings;
import org.ovaflow.transform.transcode.CatalogLocation;
import org.ovaflow.transform.transcode.TranscodeSettings;
import org.ovaflow.transform.transcode.TranscodeStage;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.inspect.Inspection;
import org.ovaflow.validate.inspect.OvaInspector;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interoperability matrix: every input dialect (VMware, VirtualBox, plain DMTF 1.x, OVF 2.0, a multi-VM
 * collection, VMware's pre-standard OVF 0.9), with the manifest spellings tools write, published for every
 * platform profile; each profile's descriptor, manifest, signature and disks, packed as an OVA, re-import through
 * ovaflow's own checks without a single warning, and keep the vendor's product identity, systems and disks.
 */
class PlatformProfilesIT {

    /** The stage's meters, counted here and never exported. */
    private static final StageMetrics METRICS = new StageMetrics(new SimpleMeterRegistry());

    private static final String INCOMING = "ova-incoming";
    private static final String STAGING = "ova-staging";
    private static final long DISK_SIZE = 8L << 20;
    private static final List<String> PROFILES = List.of("vmware", "virtualbox", "openstack", "aws", "hyperv");
    private static final Pattern HREF = Pattern.compile("ovf:href=\"([^\"]+)\"");
    private static final Pattern FILE_ELEMENT = Pattern.compile("<(?:ovf:)?File\\b[^>]*>");
    private static final Pattern CAPACITY = Pattern.compile("ovf:capacity=\"[^\"]*\"");
    private static final Pattern CAPACITY_UNITS = Pattern.compile("\\s*ovf:capacityAllocationUnits=\"[^\"]*\"");

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING);

    @TempDir
    static Path dir;

    /** A streamOptimized VMDK of 8 MiB virtual made by qemu-img, random data at both ends. */
    private static byte[] disk;
    private static VendorSigning ovaflowKey;
    private static Path trustStore;

    @BeforeAll
    static void makeDiskAndKey() throws Exception {
        Path raw = dir.resolve("disk.raw");
        byte[] data = new byte[256 * 1024];
        new Random(7).nextBytes(data);
        try (RandomAccessFile file = new RandomAccessFile(raw.toFile(), "rw")) {
            file.setLength(DISK_SIZE);
            file.write(data);
            file.seek(DISK_SIZE - data.length);
            file.write(data);
        }
        QemuImg.require().convert(raw, "raw", dir.resolve("disk.vmdk"), "vmdk", "-o", "subformat=streamOptimized");
        disk = Files.readAllBytes(dir.resolve("disk.vmdk"));
        ovaflowKey = VendorSigning.create(dir, "CN=ovaflow catalog,O=Example Operator");
        trustStore = Files.createDirectory(dir.resolve("trusted"));
        Files.writeString(trustStore.resolve("ovaflow.pem"), ovaflowKey.pem());
    }

    /** Each dialect with a manifest spelling of a tool that writes it, and a vmware manifest algorithm. */
    static Stream<Arguments> inputs() {
        return Stream.of(
                Arguments.of("dialects/vmware.ovf", "SHA256(%s)= %s", ManifestAlgorithm.SHA1),
                Arguments.of("dialects/virtualbox.ovf", "SHA1 (%s) = %s", ManifestAlgorithm.SHA256),
                Arguments.of("dialects/dmtf-1.ovf", "SHA256 (%s) = %S\r", ManifestAlgorithm.SHA256),
                Arguments.of("dialects/ovf-2.ovf", "SHA512(%s)= %s", ManifestAlgorithm.SHA256),
                Arguments.of("packages/multi-vm.ovf", "SHA256(%s)= %s", ManifestAlgorithm.SHA1),
                Arguments.of("packages/vmware-0.9.ovf", "SHA1(%s)= %s", ManifestAlgorithm.SHA1));
    }

    @ParameterizedTest(name = "{0}, manifest \"{1}\", vmware {2}")
    @MethodSource("inputs")
    void everyProfileReimportsWithoutAWarning(String resource, String spelling, ManifestAlgorithm vmwareManifest)
            throws Exception {
        String name = Path.of(resource).getFileName().toString();
        Path input = inputPackage(resource, spelling);
        Inspection original = new OvaInspector(ValidationSettings.DEFAULTS).inspect(input);
        assertThat(original.event().checks()).as("the input's checks")
                .filteredOn(c -> c.status() != CheckResult.Status.PASS).isEmpty();

        Map<String, List<StagedArtifact>> byProfile = publishForEveryProfile(input, original, vmwareManifest);

        ApplianceMetadata source = original.event().appliance();
        for (String profile : PROFILES) {
            Path ova = dir.resolve(name + "-" + profile + ".ova");
            pack(byProfile.get(profile), ova);
            Inspection reimport = new OvaInspector(ValidationSettings.DEFAULTS.withSignature(
                    ValidationSettings.SignaturePolicy.VERIFY_IF_PRESENT, trustStore, null)).inspect(ova);
            assertThat(reimport.event().checks()).as("%s published for %s, re-imported", name, profile)
                    .filteredOn(c -> c.status() != CheckResult.Status.PASS).isEmpty();
            ApplianceMetadata published = reimport.event().appliance();
            assertThat(published.ovfVersion()).as(profile).isEqualTo("1.x");
            assertThat(published.product()).isEqualTo(source.product());
            assertThat(published.vendor()).isEqualTo(source.vendor());
            assertThat(published.version()).isEqualTo(source.version());
            assertThat(published.virtualSystems()).extracting(ApplianceMetadata.VirtualSystem::id,
                            ApplianceMetadata.VirtualSystem::cpus, ApplianceMetadata.VirtualSystem::memoryMiB)
                    .isEqualTo(source.virtualSystems().stream().map(s -> org.assertj.core.groups.Tuple.tuple(s.id(),
                            s.cpus(), s.memoryMiB())).toList());
            assertThat(published.disks()).hasSameSizeAs(source.disks());
            assertThat(reimport.event().tarIndex().entries()).filteredOn(e -> e.image() != null)
                    .allSatisfy(e -> assertThat(e.image().format()).isEqualTo(switch (profile) {
                        case "openstack" -> "qcow2";
                        case "hyperv" -> "vhd-fixed";
                        default -> "vmdk-stream-optimized";
                    }));
            assertProfileSpecifics(profile, published, reimport, byProfile.get(profile), vmwareManifest);
        }
    }

    @org.junit.jupiter.api.Test
    void hrefsSpeltOtherwiseThanTheArchiveArePublishedAsTheArchiveNamesThem() throws Exception {
        byte[] raw = org.ovaflow.core.sample.SampleAppliance.disk(200_000, 5);
        String descriptor = org.ovaflow.core.sample.SampleAppliance.descriptor("Acme", "Widget", "1.0",
                "Disk%201.img", raw.length);
        Path input = Files.write(dir.resolve("spelt.ova"), new OvaBuilder("widget.ovf", descriptor)
                .file("Disk 1.img", raw).toBytes());
        Inspection original = new OvaInspector(ValidationSettings.DEFAULTS).inspect(input);
        assertThat(original.event().checks()).filteredOn(c -> c.status() != CheckResult.Status.PASS)
                .extracting(CheckResult::id).containsExactly("ovf.href-spelling");

        Map<String, List<StagedArtifact>> byProfile = publishForEveryProfile(input, original, ManifestAlgorithm.SHA256);

        for (String profile : PROFILES) {
            Path ova = dir.resolve("spelt-" + profile + ".ova");
            pack(byProfile.get(profile), ova);
            Inspection reimport = new OvaInspector(ValidationSettings.DEFAULTS.withSignature(
                    ValidationSettings.SignaturePolicy.VERIFY_IF_PRESENT, trustStore, null)).inspect(ova);
            assertThat(reimport.event().checks()).as("spelt.ova published for %s, re-imported", profile)
                    .filteredOn(c -> c.status() != CheckResult.Status.PASS).isEmpty();
            assertThat(reimport.event().appliance().files()).extracting(ApplianceMetadata.File::href)
                    .allMatch(href -> href.startsWith("Disk-1."));
        }
    }

    /** The inspected package through the transcode stage with every profile, its staged files by profile. */
    private static Map<String, List<StagedArtifact>> publishForEveryProfile(Path input, Inspection original,
                                                                            ManifestAlgorithm vmwareManifest)
            throws IOException {
        ProfileSettings profiles = new ProfileSettings("vmx-10", vmwareManifest,
                ManifestSigner.load(ovaflowKey.keystore(), VendorSigning.PASSWORD.toCharArray()), TargetFormat.VMDK,
                null);
        TranscodeStage stage = new TranscodeStage(S3.store(), STAGING,
                TranscodeSettings.parse(String.join(",", PROFILES), false, ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE,
                        profiles), new CatalogLocation("ova-catalog", event -> "acme/widget/2.4/"), METRICS);
        StageOutcome outcome = stage.transcode(uploaded(input, original.event()));
        assertThat(outcome.event().checks()).filteredOn(c -> c.status() == CheckResult.Status.FAIL).isEmpty();
        Map<String, List<StagedArtifact>> byProfile = outcome.event().artifacts().stream()
                .collect(Collectors.groupingBy(StagedArtifact::target, LinkedHashMap::new, Collectors.toList()));
        assertThat(byProfile).containsOnlyKeys(PROFILES);

        return byProfile;
    }

    private static void assertProfileSpecifics(String profile, ApplianceMetadata published, Inspection reimport,
                                               List<StagedArtifact> files, ManifestAlgorithm vmwareManifest)
            throws IOException {
        List<String> systemTypes = published.virtualSystems().stream()
                .map(ApplianceMetadata.VirtualSystem::virtualSystemType).toList();
        switch (profile) {
            case "vmware" -> {
                assertThat(systemTypes).allSatisfy(type -> assertThat(type).matches("vmx-\\d+( vmx-\\d+)*"));
                assertThat(reimport.signer()).as("re-signed with ovaflow's key").isNotNull();
                assertThat(reimport.signer().subject()).isEqualTo("CN=ovaflow catalog,O=Example Operator");
                assertThat(text(files, "manifest")).startsWith(vmwareManifest.manifestName() + "(");
            }
            case "virtualbox" -> assertThat(systemTypes).containsOnly("virtualbox-2.2");
            case "openstack" -> {
                List<StagedArtifact> glance = files.stream().filter(f -> f.name().endsWith(".glance.json")).toList();
                assertThat(glance).hasSameSizeAs(published.disks());
                JsonNode image = EventCodec.JSON.readTree(read(glance.get(0)));
                assertThat(image.get("disk_format").asText()).isEqualTo("qcow2");
                assertThat(image.get("container_format").asText()).isEqualTo("bare");
                assertThat(image.get("min_disk").asLong()).isEqualTo(1);
                assertThat(image.get("min_ram").asLong())
                        .isEqualTo(published.virtualSystems().get(0).memoryMiB());
                assertThat(image.get("hw_disk_bus").asText()).isIn("scsi", "ide", "sata");
            }
            case "aws" -> {
                JsonNode containers = EventCodec.JSON.readTree(read(files.stream()
                        .filter(f -> f.name().equals("aws/disk-containers.json")).findFirst().orElseThrow()));
                assertThat(containers).hasSameSizeAs(published.disks());
                assertThat(containers.get(0).get("Format").asText()).isEqualTo("vmdk");
                assertThat(containers.get(0).get("UserBucket").get("S3Bucket").asText()).isEqualTo("ova-catalog");
                assertThat(containers.get(0).get("UserBucket").get("S3Key").asText())
                        .startsWith("acme/widget/2.4/aws/").endsWith(".vmdk");
            }
            case "hyperv" -> assertThat(reimport.event().tarIndex().entries()).filteredOn(e -> e.image() != null)
                    .allSatisfy(e -> assertThat(e.image().virtualSize() % (1 << 20)).isZero());
            default -> throw new IllegalArgumentException(profile);
        }
    }

    /** The package as a tool writes it: the descriptor with small disks, its manifest in {@code spelling}. */
    private static Path inputPackage(String resource, String spelling) throws Exception {
        String descriptor;
        try (InputStream in = PlatformProfilesIT.class.getResourceAsStream("/" + resource)) {
            descriptor = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // capacities as small as the test's disk, so that a fixed VHD stays small
        descriptor = CAPACITY_UNITS.matcher(CAPACITY.matcher(withFileSizes(descriptor))
                .replaceAll("ovf:capacity=\"" + DISK_SIZE + "\"")).replaceAll("");
        String name = Path.of(resource).getFileName().toString();
        Set<String> hrefs = new LinkedHashSet<>();
        Matcher href = HREF.matcher(descriptor);
        while (href.find()) {
            hrefs.add(href.group(1));
        }
        String algorithm = spelling.substring(0, spelling.indexOf('(')).trim();
        StringBuilder manifest = new StringBuilder();
        manifest.append(String.format(spelling, name, hex(algorithm, descriptor.getBytes(StandardCharsets.UTF_8))))
                .append('\n');
        for (String file : hrefs) {
            manifest.append(String.format(spelling, file, hex(algorithm, disk))).append('\n');
        }
        OvaBuilder ova = new OvaBuilder(name, descriptor).manifestAlgorithm(null)
                .file(name.replace(".ovf", ".mf"), manifest.toString().getBytes(StandardCharsets.UTF_8));
        hrefs.forEach(file -> ova.file(file, disk));
        return Files.write(dir.resolve(name.replace(".ovf", ".ova")), ova.toBytes());
    }

    /** The inspected package uploaded where the transcode stage reads it, with the inspection's verdicts. */
    private static ImportEvent uploaded(Path ova, ImportEvent inspected) throws IOException {
        ObjectStore store = S3.store();
        String key = "matrix/" + ova.getFileName();
        try (InputStream in = Files.newInputStream(ova)) {
            store.write(INCOMING, key, in, Files.size(ova), "application/x-ova");
        }
        ObjectInfo stored = store.stat(INCOMING, key).orElseThrow();
        ObjectRef ref = new ObjectRef(INCOMING, key, stored.etag(), stored.size(), stored.versionId());
        return ImportEvent.arrived(ref, "test", Instant.now()).withTarIndex(inspected.tarIndex())
                .withManifest(inspected.manifest()).withAppliance(inspected.appliance());
    }

    /** The profile's package files as one OVA, in DSP0243's order; the platform files stay beside it. */
    private static void pack(List<StagedArtifact> files, Path ova) throws IOException {
        List<StagedArtifact> ordered = new ArrayList<>();
        for (String role : List.of("descriptor", "manifest", "certificate", "disk", "file")) {
            files.stream().filter(f -> f.role().equals(role)).forEach(ordered::add);
        }
        try (OutputStream out = Files.newOutputStream(ova); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (StagedArtifact file : ordered) {
                TarArchiveEntry entry = new TarArchiveEntry(file.name().substring(file.name().indexOf('/') + 1));
                entry.setSize(file.size());
                tar.putArchiveEntry(entry);
                tar.write(read(file));
                tar.closeArchiveEntry();
            }
        }
    }

    private static String text(List<StagedArtifact> files, String role) throws IOException {
        return new String(read(files.stream().filter(f -> f.role().equals(role)).findFirst().orElseThrow()),
                StandardCharsets.UTF_8);
    }

    private static byte[] read(StagedArtifact file) throws IOException {
        if (file.carriesContent()) {
            return file.decodedContent();
        }
        try (InputStream in = S3.store().read(file.bucket(), file.key())) {
            return in.readAllBytes();
        }
    }

    private static String withFileSizes(String descriptor) {
        Matcher file = FILE_ELEMENT.matcher(descriptor);
        StringBuilder out = new StringBuilder();
        while (file.find()) {
            file.appendReplacement(out, Matcher.quoteReplacement(
                    file.group().replaceFirst("ovf:size=\"\\d+\"", "ovf:size=\"" + disk.length + "\"")));
        }
        return file.appendTail(out).toString();
    }

    private static String hex(String algorithm, byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm.replace("SHA", "SHA-")).digest(bytes));
    }
}
