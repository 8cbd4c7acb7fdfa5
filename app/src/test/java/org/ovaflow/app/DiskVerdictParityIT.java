package org.ovaflow.app;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.disk.testing.HostileDisks;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DiskVerdictParityTest} on the hostile disks patched from images qemu-img made (Qcow2HostileImageIT's):
 * inspect and the transcode stage give each the same verdict.
 */
class DiskVerdictParityIT {

    @RegisterExtension
    static final S3Server S3 = new S3Server(DiskVerdicts.INCOMING, DiskVerdicts.STAGING);

    @TempDir
    Path dir;

    static List<HostileDisks.Fixture> disks() {
        QemuImg.require();
        List<HostileDisks.Fixture> fixtures = HostileDisks.collect(HostileDisks.MADE_BY_QEMU);
        assertThat(fixtures).hasSizeGreaterThanOrEqualTo(40);
        return fixtures;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("disks")
    void inspectAndTheTranscodeStageGiveTheSameVerdict(HostileDisks.Fixture disk) throws Exception {
        DiskVerdicts.assertSameVerdict(disk, S3.store(), dir);
    }
}
