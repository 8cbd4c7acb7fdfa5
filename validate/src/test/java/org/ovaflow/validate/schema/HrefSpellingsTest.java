package org.ovaflow.validate.schema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.inspect.Inspection;
import org.ovaflow.validate.inspect.OvaInspector;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Hrefs spelt otherwise than the archive's names: percent-encoded, or in another letter case. */
class HrefSpellingsTest {

    private static final byte[] DISK = SampleAppliance.disk(50_000, 3);

    @TempDir
    Path dir;

    @Test
    void aPercentEncodedHrefIsTheFileItDecodesTo() throws Exception {
        Inspection inspection = inspect("my%20disk+1.img", "my disk+1.img");

        assertThat(inspection.valid()).isTrue();
        assertThat(inspection.event().checks()).filteredOn(c -> c.status() != CheckResult.Status.PASS)
                .singleElement().satisfies(check -> {
                    assertThat(check.id()).isEqualTo("ovf.href-spelling");
                    assertThat(check.status()).isEqualTo(CheckResult.Status.WARN);
                    assertThat(check.file()).isEqualTo("my%20disk+1.img");
                    assertThat(check.message()).contains("'my disk+1.img'", "percent-encoded");
                });
        assertThat(inspection.event().appliance().files()).singleElement()
                .satisfies(file -> assertThat(file.href()).isEqualTo("my disk+1.img"));
    }

    @Test
    void anHrefInAnotherCaseIsTheOneFileOfThatName() throws Exception {
        Inspection inspection = inspect("Disk1.IMG", "disk1.img");

        assertThat(inspection.valid()).isTrue();
        assertThat(inspection.event().checks()).filteredOn(c -> c.status() != CheckResult.Status.PASS)
                .extracting(CheckResult::id).containsExactly("ovf.href-spelling");
        assertThat(inspection.event().appliance().files().get(0).href()).isEqualTo("disk1.img");
    }

    @Test
    void twoFilesAlikeButForCaseAreNoMatchAndTheFileIsMissing() throws Exception {
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", "DISK1.img", DISK.length);
        OvaBuilder ova = new OvaBuilder("widget.ovf", descriptor).file("disk1.img", DISK).file("Disk1.img", DISK);

        Inspection inspection = new OvaInspector(ValidationSettings.DEFAULTS)
                .inspect(Files.write(dir.resolve("alike.ova"), ova.toBytes()));

        assertThat(inspection.failed()).extracting(CheckResult::id).contains("ovf.file-present");
        assertThat(inspection.event().checks()).extracting(CheckResult::id).doesNotContain("ovf.href-spelling");
    }

    private Inspection inspect(String href, String archived) throws Exception {
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", href, DISK.length);
        OvaBuilder ova = new OvaBuilder("widget.ovf", descriptor).file(archived, DISK);
        return new OvaInspector(ValidationSettings.DEFAULTS).inspect(Files.write(dir.resolve("spelt.ova"), ova.toBytes()));
    }
}
