package org.ovaflow.app.follow;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.ProductOverrides;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.ingest.onboard.Downloader;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogRetraction;
import org.ovaflow.publish.catalog.CatalogVerifier;
import org.ovaflow.publish.catalog.CatalogWrites;
import org.ovaflow.publish.catalog.PublishSettings;
import org.ovaflow.publish.catalog.PublishStage;
import org.ovaflow.publish.signing.CatalogSigner;
import org.ovaflow.publish.signing.SignatureVerifier;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A follower's runs against a real (embedded, in-process) store, without pipelines: an upstream catalog published
 * by the publish stage's class, the mirror's incoming and catalog buckets. What a stop between the upload and the
 * state, a short or long OVA, a refused upstream and a retraction before the mirror published do.
 */
class CatalogFollowerTest {

    private static final String UP_INCOMING = "follow-up-incoming";
    private static final String UP_STAGING = "follow-up-staging";
    private static final String MIRROR_STAGING = "follow-mirror-staging";

    @RegisterExtension
    static final S3Server S3 = new S3Server(UP_INCOMING, UP_STAGING, MIRROR_STAGING);

    private static final CatalogSigner UPSTREAM_KEY = CatalogSigner.generate("upstream", null);

    @TempDir
    Path dir;

    private final ObjectStore store = S3.store();
    private final String upCatalog = "follow-up-catalog-" + Long.toHexString(System.nanoTime());
    private final String mirrorCatalog = "follow-mirror-catalog-" + Long.toHexString(System.nanoTime());
    /** The mirror's incoming bucket, this test's own: the store is shared by the tests of the JVM. */
    private final String mirrorIncoming = "follow-mirror-incoming-" + Long.toHexString(System.nanoTime());
    private final AtomicInteger ovaReads = new AtomicInteger();
    /** What the upstream serves instead of an object's bytes, by key. */
    private final Map<String, UnaryOperator<byte[]>> altered = new HashMap<>();
    private FollowState state;

    @BeforeEach
    void publishUpstream() throws IOException {
        store.ensureBuckets(List.of(upCatalog, mirrorCatalog, mirrorIncoming));
        publish(UP_INCOMING, UP_STAGING, upCatalog, UPSTREAM_KEY, "1.0", 1);
        state = FollowState.load(dir.resolve("state.json"), source().describe(""));
    }

    @Test
    void aRunStoppedAfterItsUploadBeforeItsStateResumesWithoutFetchingTheOvaAgain() throws Exception {
        CatalogIndex.Item ova = ova("1.0");
        String key = CatalogFollower.INCOMING_FOLDER + "acme-corp/widget/1.0/" + name(ova);
        byte[] bytes;
        try (InputStream in = store.read(upCatalog, ova.key())) {
            bytes = in.readAllBytes();
        }
        // what the stopped run had uploaded: the object with the sha256 it was checked against
        store.write(mirrorIncoming, key, new ByteArrayInputStream(bytes), bytes.length, "application/x-tar",
                Map.of(Downloader.SHA256_METADATA, ova.sha256()));
        ObjectInfo there = store.stat(mirrorIncoming, key).orElseThrow();

        CatalogFollower.Report report = follower(UPSTREAM_KEY).follow(state);

        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.steps()).singleElement().satisfies(step -> {
            assertThat(step.outcome()).isEqualTo(CatalogFollower.Outcome.IMPORTED);
            assertThat(step.importId()).isEqualTo(ImportId.of(new ObjectRef(mirrorIncoming, key, there.etag(),
                    there.size(), there.versionId())));
        });
        assertThat(ovaReads).as("not fetched again").hasValue(0);
        assertThat(follower(UPSTREAM_KEY).follow(state).steps()).as("and not again at the next run").isEmpty();
    }

    @Test
    void anOvaShorterOrLongerThanTheIndexStatesNeverCompletesInTheIncomingBucket() throws Exception {
        String key = ova("1.0").key();
        altered.put(key, bytes -> Arrays.copyOf(bytes, bytes.length - 1));

        CatalogFollower.Report shorter = follower(UPSTREAM_KEY).follow(state);

        assertThat(shorter.ok()).isFalse();
        assertThat(shorter.steps()).singleElement().satisfies(step -> {
            assertThat(step.outcome()).isEqualTo(CatalogFollower.Outcome.FAILED);
            assertThat(step.detail()).contains("shorter than announced", "not imported");
        });
        altered.put(key, bytes -> Arrays.copyOf(bytes, bytes.length + 70_000));
        assertThat(follower(UPSTREAM_KEY).follow(state).steps()).singleElement()
                .satisfies(step -> assertThat(step.detail()).contains("longer than announced"));
        assertThat(store.list(mirrorIncoming, CatalogFollower.INCOMING_FOLDER)).isEmpty();
        assertThat(state.get("acme-corp/widget/1.0")).as("tried again at the next run").isEmpty();

        altered.clear();
        assertThat(follower(UPSTREAM_KEY).follow(state).steps()).singleElement()
                .satisfies(step -> assertThat(step.outcome()).isEqualTo(CatalogFollower.Outcome.IMPORTED));
        assertThat(store.describe(mirrorIncoming, CatalogFollower.INCOMING_FOLDER + "acme-corp/widget/1.0/"
                + name(ova("1.0"))).orElseThrow().userMetadata())
                .as("the upstream's vendor, product and version travel as the import's overrides")
                .containsAllEntriesOf(new ProductOverrides("acme-corp", "widget", "1.0").toMetadata());
    }

    @Test
    void anUpstreamSignedByAnotherKeyIsRefusedAndNothingIsRemembered() throws Exception {
        CatalogFollower.Report report = follower(CatalogSigner.generate("someone else", null)).follow(state);

        assertThat(report.refused()).isTrue();
        assertThat(report.failures()).extracting(CatalogVerifier.Failure::check).contains("signature");
        assertThat(report.steps()).isEmpty();
        assertThat(state.version()).isNull();
        assertThat(store.list(mirrorIncoming, CatalogFollower.INCOMING_FOLDER)).isEmpty();
    }

    @Test
    void aRetractionOfAVersionTheMirrorHasNotPublishedYetIsPendingUntilItHas() throws Exception {
        assertThat(follower(UPSTREAM_KEY).follow(state).count(CatalogFollower.Outcome.IMPORTED)).isEqualTo(1);
        new CatalogRetraction(store, upCatalog, UPSTREAM_KEY).retract("acme-corp/widget/1.0", "CVE-2026-1")
                .orElseThrow();

        CatalogFollower.Report pending = follower(UPSTREAM_KEY).follow(state);

        assertThat(pending.ok()).isTrue();
        assertThat(pending.steps()).singleElement().satisfies(step ->
                assertThat(step.outcome()).isEqualTo(CatalogFollower.Outcome.PENDING));

        // the mirror's pipeline publishes the import meanwhile (its own publish stage, into its own catalog)
        publish(mirrorIncoming, MIRROR_STAGING, mirrorCatalog, null, "1.0", 1);
        CatalogFollower.Report retracted = follower(UPSTREAM_KEY).follow(state);

        assertThat(retracted.steps()).singleElement().satisfies(step -> {
            assertThat(step.outcome()).isEqualTo(CatalogFollower.Outcome.RETRACTED);
            assertThat(step.detail()).isEqualTo("CVE-2026-1");
        });
        assertThat(new CatalogIndex(store, mirrorCatalog).product("acme-corp", "widget").orElseThrow().versions()
                .get("1.0").state()).isEqualTo("retracted");
        assertThat(state.get("acme-corp/widget/1.0").orElseThrow().retracted()).isNotNull();
        assertThat(follower(UPSTREAM_KEY).follow(state).steps()).isEmpty();
    }

    private CatalogFollower follower(CatalogSigner pinned) {
        return new CatalogFollower(source(), SignatureVerifier.of(pinned.armoredPublicKey()), store, mirrorIncoming,
                mirrorCatalog, null, Clock.systemUTC());
    }

    private CatalogIndex.Item ova(String version) {
        return new CatalogIndex(store, upCatalog).product("acme-corp", "widget").orElseThrow().versions().get(version)
                .items().values().stream().filter(i -> PublishStage.OVA_ROLE.equals(i.role())).findFirst()
                .orElseThrow();
    }

    private static String name(CatalogIndex.Item item) {
        return item.key().substring(item.key().lastIndexOf('/') + 1);
    }

    /** The upstream's catalog bucket, read as catalog follow reads it, with {@link #altered} bytes served. */
    private CatalogVerifier.Source source() {
        return new CatalogVerifier.Source() {
            @Override
            public Optional<InputStream> open(String key) throws IOException {
                if (key.endsWith(".ova")) {
                    ovaReads.incrementAndGet();
                }
                try (InputStream in = store.read(upCatalog, key)) {
                    byte[] bytes = in.readAllBytes();
                    return Optional.of(new ByteArrayInputStream(altered.getOrDefault(key, b -> b).apply(bytes)));
                } catch (ObjectGoneException e) {
                    return Optional.empty();
                }
            }

            @Override
            public String describe(String key) {
                return "s3://" + upCatalog + "/" + key;
            }
        };
    }

    /** Acme Corp's Widget {@code version} as the transcode stage leaves it, published into {@code catalog}. */
    private void publish(String incoming, String staging, String catalog, CatalogSigner signer, String version,
                         long seed) {
        byte[] ova = SampleAppliance.ova("Acme Corp", "Widget", version, 20_000, seed).toBytes();
        String name = "widget-" + version + "-" + Long.toHexString(System.nanoTime()) + ".ova";
        ObjectInfo dropped = store.write(incoming, name, ova, "application/x-tar");
        ImportEvent arrived = ImportEvent.arrived(new ObjectRef(incoming, name, dropped.etag(), ova.length, null),
                "scan", Instant.now());
        byte[] disk = SampleAppliance.disk(20_000, seed);
        String staged = "imports/" + arrived.importId() + "/disk1.img";
        store.write(staging, staged, disk, "application/octet-stream");
        ImportEvent transcoded = arrived.withTarIndex(new TarIndex(List.of(), sha256(ova)))
                .withOverrides(new ProductOverrides("Acme Corp", "Widget", version))
                .withArtifacts(List.of(new StagedArtifact("disk", "disk1.img", staging, staged, disk.length,
                        sha256(disk), SampleAppliance.RAW_FORMAT, null, null)));
        assertThat(new PublishStage(store, CatalogWrites.to(store), catalog, PublishSettings.DEFAULTS, signer)
                .publish(transcoded).next()).isEqualTo(Topics.PUBLISHED);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
