package org.ovaflow.publish.quarantine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.ProductOverrides;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Releasing quarantined OVAs back into a real S3 incoming bucket, as new imports. */
class QuarantineReleaseTest {

    private static final String INCOMING = "ova-incoming";
    private static final String QUARANTINE = "ova-quarantine";
    private static final Instant NOW = Instant.parse("2024-06-01T12:00:00Z");
    private static final List<CheckResult> CHECKS = List.of(
            CheckResult.fail("catalog.version-conflict", "widget.ova", "acme/widget/1.0/ is already published"));

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, QUARANTINE);

    private final ObjectStore store = S3.store();
    private final QuarantineStage quarantine = new QuarantineStage(store, QUARANTINE);
    private final QuarantineReader reader = new QuarantineReader(store, QUARANTINE);
    private final QuarantineRelease release = new QuarantineRelease(store, QUARANTINE, INCOMING,
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void theOriginalGoesBackToIncomingUnderANewKeySoThatItIsANewImport() throws Exception {
        byte[] ova = ova(1);
        ImportEvent rejected = quarantined("uploads/widget 1.0.ova", ova, Map.of());

        Release released = release.release(rejected.importId());

        String key = "released/" + rejected.importId() + "/widget 1.0.ova";
        assertThat(released.at()).isEqualTo(NOW);
        assertThat(released.bucket()).isEqualTo(INCOMING);
        assertThat(released.asKey()).isEqualTo(key);
        assertThat(read(INCOMING, key)).isEqualTo(ova);
        ObjectInfo copy = store.stat(INCOMING, key).orElseThrow();
        // what ingest will call it: another import than the rejected one, so not skipped as seen
        assertThat(released.importId())
                .isEqualTo(ImportId.of(new ObjectRef(INCOMING, key, copy.etag(), copy.size(), copy.versionId())))
                .isNotEqualTo(rejected.importId());
        // the quarantine entry is kept, and says it was released
        assertThat(read(QUARANTINE, rejected.importId() + "/widget 1.0.ova")).isEqualTo(ova);
        assertThat(reader.find(rejected.importId())).get().extracting(RejectionReport::released).isEqualTo(released);
        assertThat(reader.list()).filteredOn(r -> r.importId().equals(rejected.importId())).singleElement()
                .extracting(RejectionReport::released).isEqualTo(released);
        assertThat(new String(read(QUARANTINE, rejected.importId() + "/released.json"), StandardCharsets.UTF_8))
                .contains("\"asKey\" : \"" + key + "\"", "\"importId\" : \"" + released.importId() + "\"");
        // report.json itself is left as the quarantine stage wrote it
        assertThat(new String(read(QUARANTINE, rejected.importId() + "/report.json"), StandardCharsets.UTF_8))
                .doesNotContain("released");
    }

    @Test
    void anUnpackedPackageIsQuarantinedAndReleasedWithEveryFileOfIt() throws Exception {
        Map<String, byte[]> files = SampleAppliance.ova("Acme", "Loose", "1.0", 8_000, 9).unpackedFiles();
        files.forEach((name, content) -> store.write(INCOMING, "drops/" + name, content, "application/octet-stream"));
        store.write(INCOMING, "drops/other.txt", "not part of it".getBytes(StandardCharsets.UTF_8), "text/plain");
        ObjectInfo descriptor = store.stat(INCOMING, "drops/loose.ovf").orElseThrow();
        List<ObjectRef> members = List.of(ref("drops/loose.mf"), ref("drops/disk1.img"));
        ImportEvent rejected = ImportEvent.arrived(new ObjectRef(INCOMING, descriptor.key(), descriptor.etag(),
                descriptor.size(), null), "scan", NOW).withNormalised(null, members).withChecks(CHECKS);

        quarantine.quarantine(rejected);

        String folder = rejected.importId() + "/";
        assertThat(store.list(QUARANTINE, folder)).extracting(ObjectInfo::key).containsExactlyInAnyOrder(
                folder + "loose.ovf", folder + "loose.mf", folder + "disk1.img", folder + "report.json");
        assertThat(store.list(INCOMING, "drops/")).extracting(ObjectInfo::key).containsExactly("drops/other.txt");

        Release released = release.release(rejected.importId());

        String releasedFolder = "released/" + rejected.importId() + "/";
        assertThat(released.asKey()).isEqualTo(releasedFolder + "loose.ovf");
        assertThat(store.list(INCOMING, releasedFolder)).extracting(ObjectInfo::key).containsExactlyInAnyOrder(
                releasedFolder + "loose.ovf", releasedFolder + "loose.mf", releasedFolder + "disk1.img");
        assertThat(read(INCOMING, releasedFolder + "disk1.img")).isEqualTo(files.get("disk1.img"));
    }

    private ObjectRef ref(String key) {
        ObjectInfo info = store.stat(INCOMING, key).orElseThrow();
        return new ObjectRef(INCOMING, key, info.etag(), info.size(), null);
    }

    @Test
    void releasingTwiceIsRefusedAndNamesTheFirstRelease() {
        ImportEvent rejected = quarantined("twice.ova", ova(2), Map.of());
        Release first = release.release(rejected.importId());
        store.remove(INCOMING, first.asKey()); // ingest took it up meanwhile

        assertThatThrownBy(() -> release.release(rejected.importId()))
                .isInstanceOf(QuarantineReleaseException.class)
                .hasMessageContaining("released already at " + NOW)
                .hasMessageContaining(first.importId());
        assertThat(store.exists(INCOMING, first.asKey())).isFalse();
    }

    @Test
    void theUploadersOverridesTravelWithTheReleasedCopy() {
        ProductOverrides overrides = new ProductOverrides("Acme Corporation", "Widget", "1.0.1");
        ImportEvent rejected = quarantined("onboarded.ova", ova(3), overrides.toMetadata());

        Release released = release.release(rejected.importId());

        assertThat(store.describe(INCOMING, released.asKey())).get()
                .extracting(o -> ProductOverrides.fromMetadata(o.userMetadata())).isEqualTo(overrides);
    }

    @Test
    void anUnknownImportOrOneWhoseOriginalWasNeverHeldCannotBeReleased() {
        assertThatThrownBy(() -> release.release("0123456789abcdef01234567"))
                .isInstanceOf(QuarantineReleaseException.class)
                .hasMessage("no quarantined import 0123456789abcdef01234567");

        // replaced before the quarantine stage got to it: a report without an original
        ImportEvent rejected = uploaded("replaced.ova", ova(4), Map.of());
        store.write(INCOMING, "replaced.ova", ova(5), "application/x-tar");
        quarantine.quarantine(rejected);

        assertThatThrownBy(() -> release.release(rejected.importId()))
                .isInstanceOf(QuarantineReleaseException.class)
                .hasMessageContaining("has no original in quarantine");
        assertThat(store.list(INCOMING, "released/" + rejected.importId() + "/")).isEmpty();
    }

    private static byte[] ova(long seed) {
        return SampleAppliance.ova("Acme", "Widget", "1.0", 8_000, seed).toBytes();
    }

    private ImportEvent quarantined(String key, byte[] ova, Map<String, String> metadata) {
        ImportEvent rejected = uploaded(key, ova, metadata);
        quarantine.quarantine(rejected);
        return rejected;
    }

    private ImportEvent uploaded(String key, byte[] ova, Map<String, String> metadata) {
        store.write(INCOMING, key, new ByteArrayInputStream(ova), ova.length, "application/x-tar", metadata);
        ObjectInfo stat = store.stat(INCOMING, key).orElseThrow();
        return ImportEvent.arrived(new ObjectRef(INCOMING, key, stat.etag(), stat.size(), stat.versionId()), "scan",
                NOW.minusSeconds(60)).withChecks(CHECKS);
    }

    private byte[] read(String bucket, String key) throws Exception {
        try (InputStream in = store.read(bucket, key)) {
            return in.readAllBytes();
        }
    }
}
