package org.ovaflow.validate.checksum;

import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** OVAs packed by GNU tar itself, in each dialect it writes, through the checksum stage's verifier. */
class GnuTarDialectsIT {

    private final PackageVerifier verifier = new PackageVerifier();

    /**
     * The tar dialects tools write: GNU tar's own, POSIX ustar and pax, with names long enough to need them; and
     * names with a leading "./", as {@code tar -cf x.ova ./x.ovf ./disk1.img} writes them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gnu", "ustar", "pax", "v7", "gnu ./"})
    void everyTarDialectOfGnuTarIsRead(String format, @TempDir Path dir)
            throws Exception {
        OvaBuilder sample = SampleAppliance.ova("Acme", "Widget", "1.0", 5_000, 2);
        Path unpacked = Files.createDirectory(dir.resolve("in"));
        try (var tar = new TarArchiveInputStream(
                new ByteArrayInputStream(sample.toBytes()))) {
            for (var entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                Files.write(unpacked.resolve(entry.getName()), tar.readAllBytes());
            }
        }
        // ustar splits a long path at a slash into its prefix field; GNU and pax have headers of their own
        String longName = format.equals("ustar")
                ? "extras-in-a-folder-whose-name-is-long/nvram-of-the-appliance-named-at-length-past-a-hundred-bytes.bin"
                : "a-name-of-more-than-a-hundred-bytes-which-a-v7-or-ustar-header-cannot-hold-in-its-name-field.nvram";
        boolean longNames = !format.equals("v7");
        if (longNames) {
            Files.createDirectories(unpacked.resolve(longName).getParent());
            Files.write(unpacked.resolve(longName), new byte[700]);
        }
        String dotSlash = format.endsWith(" ./") ? "./" : "";
        List<String> command = new ArrayList<>(List.of("tar",
                "--format=" + format.replace(" ./", ""), "-C", unpacked.toString(), "-cf",
                dir.resolve("out.ova").toString(), dotSlash + "widget.ovf", dotSlash + "widget.mf",
                dotSlash + "disk1.img"));
        if (longNames) {
            command.add(longName);
        }
        Process tar = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(tar.waitFor()).as(new String(tar.getInputStream().readAllBytes())).isZero();

        PackageVerification result = verifier.verify("out.ova",
                new ByteArrayInputStream(Files.readAllBytes(dir.resolve("out.ova"))));

        assertThat(result.checks()).filteredOn(c -> c.status() != CheckResult.Status.PASS)
                .allSatisfy(c -> assertThat(c.id() + " " + c.file()).isEqualTo("manifest.unlisted " + longName));
        assertThat(result.tarIndex().entries()).extracting(TarEntry::name)
                .startsWith("widget.ovf", "widget.mf", "disk1.img");
        if (longNames) {
            assertThat(result.tarIndex().find(longName)).get()
                    .satisfies(e -> assertThat(e.size()).isEqualTo(700));
        }
    }
}
