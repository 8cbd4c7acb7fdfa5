package org.ovaflow.validate.fuzz;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.checksum.PackageVerification;
import org.ovaflow.validate.checksum.PackageVerifier;
import org.ovaflow.validate.ovf.OvfDescriptorParser;
import org.ovaflow.core.testing.RealWorldCorpus;
import org.ovaflow.validate.schema.DescriptorValidation;
import org.ovaflow.validate.schema.DescriptorValidator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema stage's descriptor checks on mutated descriptors (the sample's and, when the shared corpus is
 * there, real ones): every mutant is either checked or refused with a named check, never an exception or
 * unbounded memory.
 */
class DescriptorFuzzTest {

    /** A DOM costs tens of times its text; the largest seed is a few hundred KiB. */
    private static final long MAX_ALLOCATED = 256L << 20;

    private final DescriptorValidator validator = new DescriptorValidator(new OvfDescriptorParser(),
            ValidationSettings.DEFAULTS);
    private final ImportEvent verified = verifiedSample();

    @Provide
    Arbitrary<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", 3000)
                .getBytes(StandardCharsets.UTF_8));
        RealWorldCorpus.descriptors().forEach(path -> {
            try {
                seeds.add(Files.readAllBytes(path));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return Arbitraries.of(seeds);
    }

    @Provide
    Arbitrary<List<Mutations.Edit>> edits() {
        return Mutations.edits(4);
    }

    @Property(tries = 1500)
    void everyMutantIsCheckedOrRefusedByName(@ForAll("seeds") byte[] seed,
                                             @ForAll("edits") List<Mutations.Edit> edits) throws Exception {
        byte[] xml = Mutations.apply(seed, edits);
        TarEntry entry = new TarEntry("fuzz.ovf", 512, xml.length, null);
        long before = Mutations.allocatedBytes();

        DescriptorValidation validation = validator.validate(entry, new ByteArrayInputStream(xml), verified);

        assertThat(Mutations.allocatedBytes() - before).as("bytes allocated").isLessThan(MAX_ALLOCATED);
        assertThat(validation.checks()).isNotEmpty().allSatisfy(check -> {
            assertThat(check.id()).matches("[a-z0-9]+(\\.[a-z0-9-]+)+");
            assertThat(check.message()).isNotBlank();
        });
        if (validation.appliance() == null) {
            assertThat(validation.checks()).anySatisfy(check -> assertThat(check.failed()).isTrue());
        }
    }

    private static ImportEvent verifiedSample() {
        try {
            byte[] ova = SampleAppliance.ova("Acme", "Widget", "1.0", 3000, 1).toBytes();
            PackageVerification verification = new PackageVerifier().verify("sample.ova",
                    new ByteArrayInputStream(ova));
            return ImportEvent.arrived(new org.ovaflow.core.event.ObjectRef("fuzz", "sample.ova", "etag", ova.length,
                            null), "fuzz", java.time.Instant.EPOCH)
                    .withTarIndex(verification.tarIndex()).withManifest(verification.manifest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
