package org.ovaflow.validate.fuzz;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.validate.checksum.PackageVerification;
import org.ovaflow.validate.checksum.PackageVerifier;

import java.io.ByteArrayInputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checksum stage's tar walk and manifest check on mutated OVAs: whatever the bytes, a verdict (passed or
 * rejected with a named check), never an exception, an index pointing outside the input, or unbounded memory.
 * Bounded (a few thousand inputs, seconds); the long coverage-guided runs are separate.
 */
class TarFuzzTest {

    /** Read-ahead (4 MiB), one 1 MiB hashing buffer per entry and the tar reader's own: far below this. */
    private static final long MAX_ALLOCATED = 96L << 20;

    private final PackageVerifier verifier = new PackageVerifier();

    @Provide
    Arbitrary<byte[]> seeds() {
        return Arbitraries.of(
                SampleAppliance.ova("Acme", "Widget", "1.0", 3000, 1).toBytes(),
                SampleAppliance.ova("Acme", "Widget", "1.0", 700, 2).manifestAlgorithm("SHA1").toBytes(),
                SampleAppliance.ova("Acme", "Widget", "1.0", 1500, 3).manifestAlgorithm(null).toBytes(),
                SampleAppliance.ova("Acme", "Widget", "1.0", 100, 4)
                        .file("a-name-longer-than-the-hundred-bytes-of-a-ustar-header-so-it-needs-a-pax-header-"
                                + "to-hold-it-whole.nvram", new byte[300])
                        .manifestAlgorithm("SHA512").toBytes());
    }

    @Provide
    Arbitrary<List<Mutations.Edit>> edits() {
        return Mutations.edits(6);
    }

    @Property(tries = 1500)
    void everyMutantGetsAVerdict(@ForAll("seeds") byte[] seed, @ForAll("edits") List<Mutations.Edit> edits)
            throws Exception {
        byte[] ova = Mutations.apply(seed, edits);
        long before = Mutations.allocatedBytes();

        PackageVerification verification = verifier.verify("fuzz.ova", new ByteArrayInputStream(ova));

        assertThat(Mutations.allocatedBytes() - before).as("bytes allocated").isLessThan(MAX_ALLOCATED);
        assertThat(verification.checks()).as("a verdict with its checks").isNotEmpty();
        for (TarEntry entry : verification.tarIndex().entries()) {
            assertThat(entry.offset()).isNotNegative();
            assertThat(entry.offset() + entry.size()).as(entry.name()).isLessThanOrEqualTo(ova.length);
        }
        if (verification.rejected()) {
            assertThat(verification.checks()).anySatisfy(c -> assertThat(c.message()).isNotBlank());
        }
    }
}
