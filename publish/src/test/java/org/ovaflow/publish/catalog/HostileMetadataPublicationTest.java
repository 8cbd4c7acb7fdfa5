package org.ovaflow.publish.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.core.ova.OvaArchive;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole OVA whose vendor, product and version are hostile (traversal, control characters, HTML, 10 KB of text,
 * unicode) published into a real S3 catalog: everything lands under one safe folder, and appliance.json keeps the
 * metadata exactly as the descriptor said it, JSON-escaped.
 */
class HostileMetadataPublicationTest {

    private static final String INCOMING = "ova-incoming";
    private static final String STAGING = "ova-staging";
    private static final String CATALOG = "ova-catalog";
    // 10 KB in the vendor: the product also names the sample's descriptor file, and S3 keys stop at 1 KiB
    private static final String VENDOR = "../../<script>alert(1)</script>\u0000Evil\nCorp " + "<b>Evil</b> ".repeat(900);
    private static final String PRODUCT = "Ünïcödé 🚀 \u202E<i>Widget</i>/../../x";
    private static final String VERSION = "1.0/../../../2.0\r\n\u001b[0m";

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING, CATALOG);

    private final ObjectStore store = S3.store();

    @Test
    void aWholeOvaOfHostileMetadataIsPublishedUnderOneSafeFolder() throws Exception {
        assertThat(VENDOR.length()).isGreaterThan(10 * 1024);
        // a key with a '..' segment cannot even be addressed through the MinIO client (nor is it ingested)
        ImportEvent event = staged("uploads/<b>evil</b> \u202E.ova",
                SampleAppliance.ova(VENDOR, PRODUCT, VERSION, 40_000, 31).toBytes());

        StageOutcome outcome = new PublishStage(store, CATALOG).publish(event);

        assertThat(outcome.state()).isEqualTo(StatusEvent.State.PUBLISHED);
        // dots inside a part stay ("..-..-x"): harmless, a part is never "." or ".." itself
        String prefix = "script-alert-1-script-evil-corp-b-evil-b-b-evil-b-b-evil-b-b-evi/unicode-i-widget-i-..-..-x/"
                + "1.0-..-..-..-2.0-0m/";
        assertThat(outcome.event().catalogPath()).isEqualTo(prefix);
        // everything but the index (the root, its documents under .index/) and the entry's marker is inside its folder
        List<String> keys = store.list(CATALOG, "").stream().map(ObjectInfo::key)
                .filter(key -> !key.equals(CatalogIndex.INDEX_JSON))
                .filter(key -> !key.startsWith(CatalogIndex.INDEX_FOLDER))
                .filter(key -> !key.startsWith(FeedLog.FOLDER))
                .filter(key -> !key.equals(CatalogIndex.markerOf(prefix))).toList();
        assertThat(keys).isNotEmpty().allSatisfy(key -> {
            assertThat(key).startsWith(prefix).matches("([a-z0-9_][a-z0-9._-]*/)*[a-z0-9_][a-z0-9._-]*");
            assertThat(key.split("/")).doesNotContain(".", "..");
        });
        assertThat(keys).contains(prefix + "appliance.json", prefix + "disk1.img");

        byte[] json;
        try (InputStream in = store.read(CATALOG, prefix + "appliance.json")) {
            json = in.readAllBytes();
        }
        // JSON escapes the control characters: none is written raw
        assertThat(new String(json, StandardCharsets.UTF_8).chars().filter(c -> c < 0x20 && c != '\n' && c != ' ')
                .count()).isZero();
        JsonNode appliance = EventCodec.JSON.readTree(json).path("appliance");
        assertThat(appliance.path("vendor").asText()).isEqualTo(VENDOR);
        assertThat(appliance.path("product").asText()).isEqualTo(PRODUCT);
        assertThat(appliance.path("version").asText()).isEqualTo(VERSION);
        // the same hostile metadata again is the same folder: a re-import, not a second entry
        assertThat(new PublishStage(store, CATALOG).publish(event).message()).isEqualTo("already published at " + prefix);
    }

    /** The OVA's files staged as the transcode stage stages its original target, and the event naming them. */
    private ImportEvent staged(String key, byte[] ova) throws Exception {
        String etag = store.write(INCOMING, key, ova, "application/x-tar").etag(); // kept in the catalog as well
        ImportEvent arrived = ImportEvent.arrived(new ObjectRef(INCOMING, key, etag, ova.length, null), "scan",
                Instant.parse("2024-05-01T10:00:00Z"));
        List<StagedArtifact> artifacts = new ArrayList<>();
        OvaArchive.walk(new ByteArrayInputStream(ova), (entry, data) -> {
            byte[] content = data.readAllBytes();
            String stagedKey = "imports/" + arrived.importId() + "/" + entry.name();
            store.write(STAGING, stagedKey, content, "application/octet-stream");
            String role = entry.name().endsWith(".ovf") ? "descriptor" : entry.name().endsWith(".mf") ? "manifest" : "disk";
            artifacts.add(new StagedArtifact(role, entry.name(), STAGING, stagedKey, content.length, sha256(content),
                    role.equals("disk") ? SampleAppliance.RAW_FORMAT : null, null, null));
        });
        ApplianceMetadata appliance = new ApplianceMetadata("1.x", VENDOR, PRODUCT, VERSION, VERSION, null, PRODUCT,
                List.of(), List.of(), List.of(), List.of("VM Network"), List.of(), null, false);
        return arrived.withTarIndex(new TarIndex(List.of())).withAppliance(appliance)
                .withChecks(List.of(CheckResult.pass("manifest.digest", null, "verified")))
                .withArtifacts(artifacts);
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
