package org.ovaflow.publish.quarantine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.CheckCatalogue;
import org.ovaflow.core.event.CheckConcern;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Moving rejected OVAs into a real S3 quarantine bucket beside their report. */
class QuarantineStageTest {

    private static final String INCOMING = "ova-incoming";
    private static final String STAGING = "ova-staging";
    private static final String QUARANTINE = "ova-quarantine";
    private static final Instant ARRIVED = Instant.parse("2024-05-01T10:00:00Z");
    private static final List<CheckResult> CHECKS = List.of(
            CheckResult.pass("tar.structure", null, "3 plain files with safe names"),
            CheckResult.fail("manifest.digest", "disk1.img", "SHA256 is 00, widget.mf says 11"),
            CheckResult.warn("manifest.unlisted", "notes.txt", "not listed in widget.mf"),
            CheckResult.fail("ovf.file-size", "disk1.img", "References says 10 bytes, the archive holds 11"));

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING, QUARANTINE);

    private final ObjectStore store = S3.store();

    private final QuarantineStage stage = new QuarantineStage(store, QUARANTINE);
    private final QuarantineReader reader = new QuarantineReader(store, QUARANTINE);

    @Test
    void movesTheOriginalBesideAReportNamingEveryFailedCheck() throws Exception {
        byte[] ova = ova(1);
        ImportEvent event = rejected("uploads/bad widget.ova", ova);

        StageOutcome outcome = stage.quarantine(event);

        String folder = event.importId() + "/";
        assertThat(outcome.next()).isNull();
        assertThat(outcome.state()).isEqualTo(StatusEvent.State.QUARANTINED);
        assertThat(outcome.message()).isEqualTo("quarantined as ova-quarantine/" + folder + "bad widget.ova: "
                + "manifest.digest [disk1.img]; ovf.file-size [disk1.img]");
        assertThat(read(QUARANTINE, folder + "bad widget.ova")).isEqualTo(ova);
        assertThat(store.exists(INCOMING, "uploads/bad widget.ova")).isFalse();

        RejectionReport report = reader.find(event.importId()).orElseThrow();
        assertThat(report.importId()).isEqualTo(event.importId());
        assertThat(report.source()).isEqualTo("s3://ova-incoming/uploads/bad widget.ova");
        assertThat(report.etag()).isEqualTo(event.source().etag());
        assertThat(report.quarantinedAs()).isEqualTo("ova-quarantine/" + folder + "bad widget.ova");
        assertThat(report.arrivedAt()).isEqualTo(ARRIVED);
        assertThat(report.rejectedAt()).isAfter(ARRIVED);
        assertThat(report.failed()).extracting(CheckConcern::id).containsExactly("manifest.digest", "ovf.file-size");
        // each failed check and warning with its severity and a remedy, from the one catalogue of checks
        assertThat(report.failed().get(0)).isEqualTo(new CheckConcern("manifest.digest", CheckResult.Status.FAIL,
                "disk1.img", "SHA256 is 00, widget.mf says 11", CheckCatalogue.Severity.CRITICAL,
                CheckCatalogue.remedy(CHECKS.get(1))));
        assertThat(report.warnings()).singleElement().satisfies(warning -> {
            assertThat(warning.id()).isEqualTo("manifest.unlisted");
            assertThat(warning.severity()).isEqualTo(CheckCatalogue.Severity.WARNING);
            assertThat(warning.remedy()).isNotBlank();
        });
        assertThat(report.checks()).isEqualTo(CHECKS);
        String json = new String(read(QUARANTINE, folder + "report.json"), StandardCharsets.UTF_8);
        assertThat(json).contains("\"failed\"", "\"manifest.digest\"", "\"FAIL\"", "\"warnings\"",
                "\"severity\" : \"critical\"", "\"severity\" : \"warning\"", "\"remedy\"");
    }

    @Test
    void quarantiningTwiceIsSafeAndKeepsTheCopyAndTheReport() {
        byte[] ova = ova(2);
        ImportEvent event = rejected("twice.ova", ova);
        stage.quarantine(event);

        StageOutcome second = stage.quarantine(event);

        assertThat(second.state()).isEqualTo(StatusEvent.State.QUARANTINED);
        assertThat(store.stat(QUARANTINE, event.importId() + "/twice.ova")).get()
                .extracting(ObjectInfo::size).isEqualTo((long) ova.length);
        assertThat(reader.find(event.importId())).get()
                .extracting(RejectionReport::quarantinedAs).isEqualTo("ova-quarantine/" + event.importId() + "/twice.ova");
        assertThat(store.exists(INCOMING, "twice.ova")).isFalse();
    }

    @Test
    void aNewUploadUnderTheSameKeyIsNotDeleted() throws Exception {
        ImportEvent event = rejected("replaced.ova", ova(3));
        byte[] newer = ova(4);
        store.write(INCOMING, "replaced.ova", newer, "application/x-tar");

        StageOutcome outcome = stage.quarantine(event);

        assertThat(outcome.state()).isEqualTo(StatusEvent.State.QUARANTINED);
        assertThat(read(INCOMING, "replaced.ova")).isEqualTo(newer);
        assertThat(store.exists(QUARANTINE, event.importId() + "/replaced.ova")).isFalse();
        assertThat(reader.find(event.importId())).get().satisfies(report -> {
            assertThat(report.failed()).hasSize(2);
            // the report does not point at a copy that was never made
            assertThat(report.quarantinedAs()).isNull();
        });
        assertThat(outcome.message()).startsWith("rejected, the original was replaced or removed");
    }

    @Test
    void stagedFilesOfTheImportAreCleared() {
        ImportEvent event = rejected("staged.ova", ova(5));
        String stagedKey = "imports/" + event.importId() + "/disk1.img";
        store.write(STAGING, stagedKey, new byte[]{1, 2, 3}, "application/octet-stream");
        ImportEvent withArtifacts = event.withArtifacts(List.of(
                new StagedArtifact("disk", "disk1.img", STAGING, stagedKey, 3, "ab", null, null, null)));

        stage.quarantine(withArtifacts);

        assertThat(store.exists(STAGING, stagedKey)).isFalse();
    }

    @Test
    void theReaderListsEveryReport() {
        ImportEvent a = rejected("list-a.ova", ova(6));
        ImportEvent b = rejected("list-b.ova", ova(7));
        stage.quarantine(a);
        stage.quarantine(b);

        assertThat(reader.list()).extracting(RejectionReport::importId).contains(a.importId(), b.importId());
        assertThat(reader.find("0123456789abcdef01234567")).isEmpty();
    }

    private static byte[] ova(long seed) {
        return SampleAppliance.ova("Acme", "Widget", "1.0", 8_000, seed).spoilDigestOf("disk1.img").toBytes();
    }

    /** Uploads the OVA and returns the rejected event naming it by its real etag. */
    private ImportEvent rejected(String key, byte[] ova) {
        store.write(INCOMING, key, ova, "application/x-tar");
        ObjectInfo stat = store.stat(INCOMING, key).orElseThrow();
        return ImportEvent.arrived(new ObjectRef(INCOMING, key, stat.etag(), stat.size(), stat.versionId()), "scan",
                ARRIVED).withChecks(CHECKS);
    }

    private byte[] read(String bucket, String key) throws Exception {
        try (InputStream in = store.read(bucket, key)) {
            return in.readAllBytes();
        }
    }
}
