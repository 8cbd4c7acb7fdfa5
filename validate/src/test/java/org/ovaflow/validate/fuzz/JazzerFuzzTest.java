package org.ovaflow.validate.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.checksum.Manifest;
import org.ovaflow.validate.checksum.PackageVerification;
import org.ovaflow.validate.checksum.PackageVerifier;
import org.ovaflow.disk.DiskHeader;
import org.ovaflow.validate.disk.DiskImageProbe;
import org.ovaflow.validate.ovf.OvfDescriptorParser;
import org.ovaflow.validate.schema.DescriptorValidation;
import org.ovaflow.validate.schema.DescriptorValidator;
import org.ovaflow.validate.signature.CertificateFile;
import org.ovaflow.validate.signature.InvalidCertificateFileException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzz targets (Jazzer) of the validate stages' parsers. In the normal build each runs its committed
 * seeds and kept findings ({@code JazzerFuzzTestInputs/<method>/} in the test resources) as plain tests; in fuzzing
 * mode ({@code bench/fuzz.sh}) Jazzer mutates them. A named rejection is a fine outcome; any other exception, a
 * hang, or allocating more than the target's limit is a finding.
 */
class JazzerFuzzTest {

    private static final PackageVerifier VERIFIER = new PackageVerifier();
    private static final DescriptorValidator VALIDATOR = new DescriptorValidator(new OvfDescriptorParser(),
            ValidationSettings.DEFAULTS);
    private static final ImportEvent VERIFIED = verifiedSample();

    static {
        // the envelope schemas load on first use (tens of MiB): not to be counted against the first input
        try {
            byte[] sample = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", 3000)
                    .getBytes(StandardCharsets.UTF_8);
            VALIDATOR.validate(new TarEntry("sample.ovf", 512, sample.length, null), new ByteArrayInputStream(sample),
                    VERIFIED);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The checksum stage on a whole stream: tar walk, entry digests, manifest, signature and disk headers. */
    @FuzzTest
    void tarWalk(byte[] ova) throws IOException {
        long before = Mutations.allocatedBytes();

        PackageVerification verification = VERIFIER.verify("fuzz.ova", new ByteArrayInputStream(ova));

        // read-ahead (1 MiB), a hashing buffer per entry and a 64 KiB disk probe per entry: far below this
        assertThat(Mutations.allocatedBytes() - before).as("bytes allocated").isLessThan(96L << 20);
        assertThat(verification.checks()).as("a verdict with its checks").isNotEmpty();
        for (TarEntry entry : verification.tarIndex().entries()) {
            assertThat(entry.offset()).as(entry.name()).isNotNegative();
            assertThat(entry.offset() + entry.size()).as(entry.name()).isLessThanOrEqualTo(ova.length);
        }
    }

    /** A .mf manifest's text: lines or errors, never an exception. */
    @FuzzTest
    void manifest(byte[] text) {
        Manifest manifest = Manifest.parse("fuzz.mf", new String(text, StandardCharsets.UTF_8));

        for (Manifest.Line line : manifest.lines()) {
            assertThat(Manifest.ALGORITHMS).contains(line.algorithm());
            assertThat(line.digest()).matches("[0-9a-f]+");
            assertThat(line.file()).isNotEmpty();
        }
        assertThat(manifest.errors()).allSatisfy(error -> assertThat(error).isNotBlank());
    }

    /** A .cert file: a signature line and PEM certificates, or InvalidCertificateFileException. */
    @FuzzTest
    void certificateFile(byte[] content) {
        try {
            CertificateFile file = CertificateFile.parse("fuzz.cert", content);
            assertThat(file.certificates()).isNotEmpty().doesNotContainNull();
            assertThat(file.signature()).isNotEmpty();
            assertThat(CertificateFile.ALGORITHMS).contains(file.algorithm());
        } catch (InvalidCertificateFileException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    /** The schema stage's checks of a descriptor, beside the tar index of a verified sample package. */
    @FuzzTest
    void descriptor(byte[] xml) throws IOException {
        TarEntry entry = new TarEntry("fuzz.ovf", 512, xml.length, null);
        long before = Mutations.allocatedBytes();

        DescriptorValidation validation = VALIDATOR.validate(entry, new ByteArrayInputStream(xml), VERIFIED);

        // a DOM costs tens of times its text; inputs are at most a few hundred KiB
        assertThat(Mutations.allocatedBytes() - before).as("bytes allocated").isLessThan(256L << 20);
        assertThat(validation.checks()).isNotEmpty().allSatisfy(check -> {
            assertThat(check.id()).matches("[a-z0-9]+(\\.[a-z0-9-]+)+");
            assertThat(check.message()).isNotBlank();
        });
        if (validation.appliance() == null) {
            assertThat(validation.checks()).anySatisfy(check -> assertThat(check.failed()).isTrue());
        }
    }

    /**
     * The disk header probe, fed as the checksum stage feeds it: whatever the buffer sizes, the same verdict, and
     * never the probe's own safety net (a runtime exception it turns into "could not read").
     */
    @FuzzTest
    void diskProbe(byte[] file) {
        DiskHeader whole = probe(file, Math.max(1, file.length));
        DiskHeader inPieces = probe(file, 509); // smaller than the 512-byte VHD footer it keeps

        assertThat(String.valueOf(whole.defect())).as("defect").doesNotStartWith("a header the probe could not read");
        assertThat(inPieces).isEqualTo(whole);
    }

    private static DiskHeader probe(byte[] file, int bufferSize) {
        DiskImageProbe probe = DiskImageProbe.forEntry("disk1.img");
        for (int at = 0; at < file.length; at += bufferSize) {
            probe.update(file, at, Math.min(bufferSize, file.length - at));
        }
        return probe.finish();
    }

    private static ImportEvent verifiedSample() {
        try {
            byte[] ova = SampleAppliance.ova("Acme", "Widget", "1.0", 3000, 1).toBytes();
            PackageVerification verification = VERIFIER.verify("sample.ova", new ByteArrayInputStream(ova));
            return ImportEvent.arrived(new ObjectRef("fuzz", "sample.ova", "etag", ova.length, null), "fuzz",
                    Instant.EPOCH).withTarIndex(verification.tarIndex()).withManifest(verification.manifest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
