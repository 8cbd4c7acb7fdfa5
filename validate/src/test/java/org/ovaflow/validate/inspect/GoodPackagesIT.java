package org.ovaflow.validate.inspect;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.signature.TestPki;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Good packages, as the tools that make them write them, must pass every check without a warning: the VMware,
 * VirtualBox, plain DMTF 1.x and OVF 2.0 dialects with two streamOptimized disks each (made by qemu-img), a
 * multi-VM VirtualSystemCollection and VMware's pre-standard OVF 0.9, each with SHA-1, SHA-256 and SHA-512
 * manifests, unsigned and signed.
 */
class GoodPackagesIT {

    private static final Pattern HREF = Pattern.compile("ovf:href=\"([^\"]+)\"");
    private static final Pattern FILE_ELEMENT = Pattern.compile("<(?:ovf:)?File\\b[^>]*>");

    @TempDir
    static Path dir;

    /** One streamOptimized VMDK of 64 MiB virtual, data at both ends, for every disk of every package. */
    private static byte[] disk;
    private static TestPki.Identity vendorCa;
    private static TestPki.Identity signer;
    private static Path trustStore;

    @BeforeAll
    static void makeDiskAndVendorKeys() throws Exception {
        QemuImg.require();
        Path raw = dir.resolve("disk.raw");
        byte[] data = new byte[1 << 20];
        new Random(42).nextBytes(data);
        try (RandomAccessFile file = new RandomAccessFile(raw.toFile(), "rw")) {
            file.setLength(64L << 20);
            file.write(data);
            file.seek((64L << 20) - data.length);
            file.write(data);
        }
        QemuImg.require().convert(raw, "raw", dir.resolve("disk.vmdk"), "vmdk", "-o", "subformat=streamOptimized");
        disk = Files.readAllBytes(dir.resolve("disk.vmdk"));

        Instant now = Instant.now();
        vendorCa = TestPki.root("CN=Acme Corp Code Signing CA,O=Acme Corp", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(365)));
        signer = TestPki.issue(vendorCa, "CN=Acme Corp Releases,O=Acme Corp", TestPki.rsa(),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), false);
        trustStore = Files.createDirectory(dir.resolve("trusted"));
        Files.writeString(trustStore.resolve("acme-ca.pem"), TestPki.pem(vendorCa.certificate()));
    }

    static Stream<Arguments> packages() {
        List<Arguments> packages = new ArrayList<>();
        for (String descriptor : List.of("dialects/vmware.ovf", "dialects/virtualbox.ovf", "dialects/dmtf-1.ovf",
                "dialects/ovf-2.ovf", "packages/multi-vm.ovf", "packages/vmware-0.9.ovf")) {
            for (String algorithm : List.of("SHA1", "SHA256", "SHA512")) {
                packages.add(Arguments.of(descriptor, algorithm, false));
            }
            packages.add(Arguments.of(descriptor, "SHA256", true));
        }
        return packages.stream();
    }

    @ParameterizedTest(name = "{0}, {1} manifest, signed: {2}")
    @MethodSource("packages")
    void passesEveryCheckWithoutAWarning(String resource, String algorithm, boolean signed) throws Exception {
        String descriptor = resource(resource);
        String name = Path.of(resource).getFileName().toString();
        Set<String> hrefs = new LinkedHashSet<>();
        Matcher href = HREF.matcher(descriptor);
        while (href.find()) {
            hrefs.add(href.group(1));
        }
        OvaBuilder ova = new OvaBuilder(name, withFileSizes(descriptor, disk.length)).manifestAlgorithm(algorithm);
        hrefs.forEach(file -> ova.file(file, disk));
        if (signed) {
            byte[] signature = TestPki.sign(ova.manifest().getBytes(StandardCharsets.UTF_8), signer.keys(), algorithm);
            ova.file(name.replace(".ovf", ".cert"), TestPki.certFile(algorithm, ova.manifestName(), signature,
                    signer.certificate(), vendorCa.certificate()).getBytes(StandardCharsets.US_ASCII));
        }
        Path file = Files.write(dir.resolve(name.replace(".ovf", "") + "-" + algorithm + (signed ? "-signed" : "")
                + ".ova"), ova.toBytes());

        Inspection inspection = new OvaInspector(ValidationSettings.DEFAULTS
                .withSignature(ValidationSettings.SignaturePolicy.VERIFY_IF_PRESENT, trustStore, null))
                .inspect(file);

        assertThat(inspection.event().checks()).as("checks of %s", file.getFileName())
                .filteredOn(check -> check.status() != CheckResult.Status.PASS).isEmpty();
        assertThat(inspection.valid()).isTrue();
        assertThat(inspection.event().checks()).extracting(CheckResult::id)
                .contains("tar.structure", "manifest.digest", "disk.header", "ovf.schema", "ovf.references",
                        "manifest.coverage", "ovf.capacity", "ovf.disk-capacity", "ovf.hardware");
        ApplianceMetadata appliance = inspection.event().appliance();
        assertThat(appliance.vendor()).isEqualTo("Acme Corp");
        assertThat(appliance.disks()).hasSize(2);
        assertThat(inspection.event().tarIndex().entries()).filteredOn(e -> hrefs.contains(e.name()))
                .allSatisfy(e -> assertThat(e.image().format()).isEqualTo("vmdk-stream-optimized"));
        if (signed) {
            assertThat(inspection.signer().subject()).isEqualTo("CN=Acme Corp Releases,O=Acme Corp");
        } else {
            assertThat(inspection.signer()).isNull();
        }
    }

    /** The descriptor with every File's ovf:size set to the disk's real size (VirtualBox states none). */
    private static String withFileSizes(String descriptor, long size) {
        Matcher file = FILE_ELEMENT.matcher(descriptor);
        StringBuilder out = new StringBuilder();
        while (file.find()) {
            file.appendReplacement(out, Matcher.quoteReplacement(
                    file.group().replaceFirst("ovf:size=\"\\d+\"", "ovf:size=\"" + size + "\"")));
        }
        return file.appendTail(out).toString();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = GoodPackagesIT.class.getResourceAsStream("/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
