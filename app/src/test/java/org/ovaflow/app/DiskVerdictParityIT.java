package org.ovaflow.app;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.testing.HostileDisks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Offline {@code inspect} rejects every disk the transcode stage rejects for its structure, with the same check,
 * and accepts what it accepts: both verdicts on every hand-made hostile disk of the disk library's tests (the
 * images their refusal asserts see, collected by running them), every file the header probe's tests build byte
 * by byte (HostileHeadersTest), every input of the disk fuzz target, and the hostile disks patched from images
 * qemu-img made (Qcow2HostileImageIT's). In the IT tier: collecting and judging some 150 disks twice takes the
 * fast tier's JVM about 17 s.
 */
class DiskVerdictParityIT {

    @RegisterExtension
    static final S3Server S3 = new S3Server(DiskVerdicts.INCOMING, DiskVerdicts.STAGING);

    @TempDir
    Path dir;

    static List<HostileDisks.Fixture> handMadeDisks() {
        List<HostileDisks.Fixture> fixtures = new ArrayList<>(HostileDisks.collect(HostileDisks.HAND_MADE));
        // the refusal asserts of VmdkHostileImageTest and VhdRefusalTest, all of them: a floor, so none is lost
        assertThat(fixtures).hasSizeGreaterThanOrEqualTo(80);
        List<HostileDisks.Fixture> headers = HostileDisks.collect(HostileDisks.HEADERS);
        assertThat(headers).hasSizeGreaterThanOrEqualTo(20);
        fixtures.addAll(headers);
        fixtures.addAll(HostileDisks.fuzzInputs());
        fixtures.add(new HostileDisks.Fixture("a good raw disk", "disk1.img", SampleAppliance.disk(300_000, 3),
                Map.of(), ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE, true, null));
        return fixtures;
    }

    static List<HostileDisks.Fixture> disksPatchedFromQemuImages() {
        QemuImg.require();
        List<HostileDisks.Fixture> fixtures = HostileDisks.collect(HostileDisks.MADE_BY_QEMU);
        assertThat(fixtures).hasSizeGreaterThanOrEqualTo(40);
        return fixtures;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("handMadeDisks")
    void inspectAndTheTranscodeStageGiveTheSameVerdictOnHandMadeDisks(HostileDisks.Fixture disk) throws Exception {
        DiskVerdicts.assertSameVerdict(disk, S3.store(), dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("disksPatchedFromQemuImages")
    void inspectAndTheTranscodeStageGiveTheSameVerdictOnPatchedQemuImages(HostileDisks.Fixture disk)
            throws Exception {
        DiskVerdicts.assertSameVerdict(disk, S3.store(), dir);
    }
}
