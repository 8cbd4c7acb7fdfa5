package org.ovaflow.validate.checksum;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.ovaflow.core.stage.StageMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.validate.signature.TestPki;
import org.ovaflow.validate.ValidationSettings;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checksum stage reading real OVA objects from a real S3 server, pinned to the content the event names. */
class ChecksumStageTest {

    /** The stage's meters, counted here and never exported. */
    private static final StageMetrics METRICS = new StageMetrics(new SimpleMeterRegistry());

    private static final String BUCKET = "ova-incoming";

    @RegisterExtension
    static final S3Server S3 = new S3Server(BUCKET);

    private final ObjectStore store = S3.store();

    private final ChecksumStage stage = new ChecksumStage(store, new PackageVerifier(), METRICS);

    @Test
    void aGoodOvaIsVerifiedWithATarIndexThatPointsAtItsBytes() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme", "Widget", "1.0", 100_000, 1).toBytes();
        ImportEvent event = arrived("good.ova", ova);

        StageOutcome outcome = stage.verify(event);

        assertThat(outcome.next()).isEqualTo(Topics.VERIFIED);
        assertThat(outcome.state()).isEqualTo(StatusEvent.State.VERIFIED);
        assertThat(outcome.message()).isEqualTo("3 files, manifest verified");
        assertThat(outcome.event().importId()).isEqualTo(event.importId());
        assertThat(outcome.event().failedChecks()).isEmpty();
        assertThat(outcome.event().manifest().verified()).containsOnlyKeys("widget.ovf", "disk1.img");
        assertThat(outcome.event().tarIndex().entries()).extracting(TarEntry::name)
                .containsExactly("widget.ovf", "widget.mf", "disk1.img");
        for (TarEntry entry : outcome.event().tarIndex().entries()) {
            byte[] data = Arrays.copyOfRange(ova, (int) entry.offset(), (int) (entry.offset() + entry.size()));
            assertThat(entry.sha256()).as(entry.name()).isEqualTo(sha256(data));
        }
        // the whole object, end-of-archive blocks included: what the catalog keeps as the original OVA
        assertThat(outcome.event().tarIndex().sha256()).isEqualTo(sha256(ova));
    }

    @Test
    void aVerifiedSignatureTravelsWithTheManifestVerdict(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.time.Instant now = java.time.Instant.now();
        var ca = TestPki.root("CN=Acme CA,O=Acme", now.minusSeconds(3600), now.plusSeconds(86_400));
        var releases = TestPki.issue(ca, "CN=Acme Releases,O=Acme", TestPki.rsa(), now.minusSeconds(3600),
                now.plusSeconds(86_400), false);
        var builder = SampleAppliance.ova("Acme", "Widget", "1.0", 10_000, 1);
        byte[] signature = TestPki.sign(builder.manifest().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                releases.keys(), "SHA256");
        byte[] ova = builder.file("widget.cert", TestPki.certFile("SHA256", builder.manifestName(), signature,
                releases.certificate()).getBytes(java.nio.charset.StandardCharsets.US_ASCII)).toBytes();
        java.nio.file.Files.writeString(dir.resolve("ca.pem"), TestPki.pem(ca.certificate()));
        ChecksumStage trusting = new ChecksumStage(store, new PackageVerifier(ValidationSettings.DEFAULTS
                .withSignature(ValidationSettings.SignaturePolicy.VERIFY_IF_PRESENT, dir, null)), METRICS);

        StageOutcome outcome = trusting.verify(arrived("signed.ova", ova));

        assertThat(outcome.next()).isEqualTo(Topics.VERIFIED);
        assertThat(outcome.event().manifest().signer().subject()).isEqualTo("CN=Acme Releases,O=Acme");
        assertThat(outcome.event().manifest().signer().issuer()).isEqualTo("CN=Acme CA,O=Acme");
    }

    @Test
    void aWrongDigestIsARejectionNotAnError() throws Exception {
        byte[] ova = SampleAppliance.ova("Acme", "Widget", "1.0", 10_000, 1).spoilDigestOf("disk1.img").toBytes();

        StageOutcome outcome = stage.verify(arrived("spoiled.ova", ova));

        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(outcome.event().failedChecks()).extracting(c -> c.id() + " " + c.file())
                .containsExactly("manifest.digest disk1.img");
        // the tar index is kept: quarantine and people can still see what the package held
        assertThat(outcome.event().tarIndex().entries()).hasSize(3);
    }

    @Test
    void anObjectOverwrittenAfterItsArrivalIsGoneNotVerifiedWithOtherBytes() {
        ImportEvent event = arrived("replaced.ova", SampleAppliance.ova("Acme", "Widget", "1.0", 10_000, 1).toBytes());
        store.write(BUCKET, "replaced.ova", SampleAppliance.ova("Acme", "Widget", "2.0", 10_000, 2).toBytes(),
                "application/x-tar");

        assertThatThrownBy(() -> stage.verify(event))
                .isInstanceOf(ObjectGoneException.class)
                .hasMessageContaining("replaced.ova");
    }

    @Test
    void anObjectDeletedAfterItsArrivalIsGone() {
        ImportEvent event = arrived("deleted.ova", SampleAppliance.ova("Acme", "Widget", "1.0", 10_000, 1).toBytes());
        store.remove(BUCKET, "deleted.ova");

        assertThatThrownBy(() -> stage.verify(event)).isInstanceOf(ObjectGoneException.class);
    }

    private ImportEvent arrived(String key, byte[] ova) {
        store.write(BUCKET, key, ova, "application/x-tar");
        ObjectInfo stat = store.stat(BUCKET, key).orElseThrow();
        return ImportEvent.arrived(new ObjectRef(BUCKET, key, stat.etag(), stat.size(), stat.versionId()), "scan",
                Instant.parse("2024-05-01T10:00:00Z"));
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
