package org.ovaflow.publish.catalog;

import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.publish.signing.CatalogSigner;
import org.ovaflow.publish.signing.OpenPgpReader;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ovaflow.publish.catalog.StagedImports.INCOMING;
import static org.ovaflow.publish.catalog.StagedImports.STAGING;
import static org.ovaflow.publish.catalog.StagedImports.files;

/**
 * index.json.asc beside every index a signing publish stage writes: made from the exact bytes, verifiable with the
 * key published in the bucket, and right again after a crash, an unsigned writer or a change of key.
 */
class SignedCatalogIndexIT {

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING);

    private static final CatalogSigner SIGNER = CatalogSigner.generate("test catalog key", null);

    private final ObjectStore store = S3.store();
    private final StagedImports imports = new StagedImports(store);
    private final String catalog = "catalog-" + Long.toHexString(System.nanoTime());

    @BeforeEach
    void createCatalog() {
        store.ensureBuckets(List.of(catalog));
    }

    @Test
    void everyIndexHasASignatureOfItsExactBytesByTheKeyPublishedInTheBucket() throws Exception {
        PublishStage stage = signedStage(CatalogWrites.to(store), SIGNER);
        stage.publish(imports.transcoded("widget-1.ova", "Acme Corp", "Widget Server", "1.0", 1));
        stage.publish(imports.transcoded("router.ova", "Globex", "Router", "3.0", 2));

        PGPPublicKey published = OpenPgpReader.publicKey(imports.read(catalog, CatalogIndex.PUBLIC_KEY));
        assertThat(published.getFingerprint()).isEqualTo(Hex.decode(SIGNER.fingerprint()));
        assertThat(tree(catalog)).hasSize(5);
        for (String index : tree(catalog)) {
            byte[] bytes = imports.read(catalog, index);
            byte[] signature = imports.read(catalog, index + CatalogIndex.SIGNATURE_SUFFIX);
            assertThat(OpenPgpReader.verified(published, bytes, signature)).as(index).isTrue();
        }
        // the index's time is the latest change it lists, not the moment it was written
        CatalogIndex.Document root = new CatalogIndex(store, catalog).read().orElseThrow();
        Instant latest = root.products().values().stream().flatMap(p -> p.versions().values().stream())
                .map(CatalogIndex.Version::published).filter(Objects::nonNull).max(Instant::compareTo).orElseThrow();
        assertThat(root.updated()).isEqualTo(latest);
    }

    @Test
    void writersOfTheSameEntriesWriteTheSameProductAndVendorDocumentsAndANewerRoot() throws Exception {
        signedStage(CatalogWrites.to(store), SIGNER)
                .publish(imports.transcoded("widget-1.ova", "Acme Corp", "Widget Server", "1.0", 1));
        List<String> first = tree(catalog);
        CatalogIndex.Root root = new CatalogIndex(store, catalog).root().orElseThrow();

        store.write(catalog, CatalogIndex.INDEX_JSON, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "application/json");
        new CatalogIndex(store, CatalogWrites.to(store), catalog, CatalogSigner.generate("other writer", null))
                .rebuild();

        // content-addressed: the same entries give the same documents under the same names
        assertThat(tree(catalog)).isEqualTo(first);
        assertThat(new CatalogIndex(store, catalog).root().orElseThrow().vendors()).isEqualTo(root.vendors());
    }

    @Test
    void aPublicationCrashedAfterAnyWriteEndsWithEveryIndexSignedOnceRetried() throws Exception {
        int first = crashesThenRetries(bucket -> imports.transcoded("widget.ova", "1.0", files("1.0", 1)));
        assertThat(first).as("copies, appliance.json, its marker, the key, the journal (3), the feeds' pending "
                + "record, each document of the index and its signature, the feeds' pages (3), removals").isEqualTo(25);

        // a second version: the indexes exist already, so a retry finds some of them current and checks their signatures
        int second = crashesThenRetries(bucket -> {
            new PublishStage(store, CatalogWrites.to(store), bucket, PublishSettings.DEFAULTS, SIGNER)
                    .publish(imports.transcoded("widget-1.ova", "1.0", files("1.0", 1)));
            return imports.transcoded("widget-2.ova", "2.0", files("2.0", 2));
        });
        assertThat(second).isEqualTo(25);
    }

    /**
     * For each write of the publication {@code prepare} sets up, a fresh catalog where it crashes after that write
     * and is then delivered again: every index's signature verifies in the end. Returns how many writes there are.
     */
    private int crashesThenRetries(Function<String, ImportEvent> prepare) throws Exception {
        String counted = newCatalog();
        ImportEvent event = prepare.apply(counted);
        Counting counting = new Counting(Integer.MAX_VALUE);
        new PublishStage(store, counting, counted, PublishSettings.DEFAULTS, SIGNER).publish(event);
        int writes = counting.done;

        for (int crashAfter = 0; crashAfter < writes; crashAfter++) {
            String bucket = newCatalog();
            ImportEvent crashing = prepare.apply(bucket);
            int crashedAfter = crashAfter;
            assertThatThrownBy(() -> new PublishStage(store, new Counting(crashedAfter), bucket,
                    PublishSettings.DEFAULTS, SIGNER).publish(crashing)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("crash");

            new PublishStage(store, CatalogWrites.to(store), bucket, PublishSettings.DEFAULTS, SIGNER)
                    .publish(crashing);

            for (String index : tree(bucket)) {
                assertThat(SIGNER.verifies(imports.read(bucket, index),
                        imports.read(bucket, index + CatalogIndex.SIGNATURE_SUFFIX)))
                        .as("%s after a crash after write %d", index, crashAfter).isTrue();
            }
            assertThat(store.exists(bucket, CatalogIndex.PUBLIC_KEY)).isTrue();
        }
        return writes;
    }

    private String newCatalog() {
        String bucket = "catalog-" + Long.toHexString(System.nanoTime());
        store.ensureBuckets(List.of(bucket));
        return bucket;
    }

    @Test
    void anIndexRewrittenWithoutAKeyLosesItsStaleSignatureAndTheNextSignedRebuildSignsItAgain() throws Exception {
        signedStage(CatalogWrites.to(store), SIGNER)
                .publish(imports.transcoded("widget-1.ova", "Acme Corp", "Widget Server", "1.0", 1));

        new CatalogRetraction(store, catalog).retract("acme-corp/widget-server/1.0", "recalled");

        assertThat(store.exists(catalog, CatalogIndex.INDEX_JSON + CatalogIndex.SIGNATURE_SUFFIX)).isFalse();

        new CatalogIndex(store, CatalogWrites.to(store), catalog, SIGNER).rebuild("acme-corp");

        for (String index : tree(catalog)) {
            assertThat(SIGNER.verifies(imports.read(catalog, index),
                    imports.read(catalog, index + CatalogIndex.SIGNATURE_SUFFIX))).as(index).isTrue();
        }
    }

    @Test
    void anotherKeySignsTheCurrentIndexAgainAndPublishesItself() throws Exception {
        signedStage(CatalogWrites.to(store), SIGNER)
                .publish(imports.transcoded("widget-1.ova", "Acme Corp", "Widget Server", "1.0", 1));
        byte[] index = imports.read(catalog, CatalogIndex.INDEX_JSON);
        CatalogSigner next = CatalogSigner.generate("next key", null);

        new CatalogIndex(store, CatalogWrites.to(store), catalog, next).rebuild("acme-corp");

        assertThat(imports.read(catalog, CatalogIndex.INDEX_JSON)).as("not rewritten").isEqualTo(index);
        assertThat(next.verifies(index, imports.read(catalog, CatalogIndex.INDEX_JSON
                + CatalogIndex.SIGNATURE_SUFFIX))).isTrue();
        assertThat(imports.read(catalog, CatalogIndex.PUBLIC_KEY)).isEqualTo(next.armoredPublicKey());
        for (String document : tree(catalog)) {
            assertThat(next.verifies(imports.read(catalog, document),
                    imports.read(catalog, document + CatalogIndex.SIGNATURE_SUFFIX))).as(document).isTrue();
        }
    }

    /** The keys of the index's documents: the root, then each vendor's and its products'. */
    private List<String> tree(String bucket) {
        CatalogIndex index = new CatalogIndex(store, bucket);
        List<String> keys = new java.util.ArrayList<>(List.of(CatalogIndex.INDEX_JSON));
        index.root().orElseThrow().vendors().forEach((vendor, ref) -> {
            keys.add(ref.path());
            index.vendor(vendor).orElseThrow().products().values().forEach(product -> keys.add(product.path()));
        });
        return keys;
    }

    private PublishStage signedStage(CatalogWrites writes, CatalogSigner signer) {
        return new PublishStage(store, writes, catalog, PublishSettings.DEFAULTS, signer);
    }

    /** The real writes, counted, failing at write {@code crashAfter + 1} as a crash would. */
    private final class Counting implements CatalogWrites {

        private final int crashAfter;
        private final CatalogWrites direct = CatalogWrites.to(store);
        int done;

        Counting(int crashAfter) {
            this.crashAfter = crashAfter;
        }

        private void next() {
            if (done++ == crashAfter) {
                throw new IllegalStateException("crash");
            }
        }

        @Override
        public void copy(String fromBucket, String fromKey, long size, String fromEtag, String toBucket,
                         String toKey) {
            next();
            direct.copy(fromBucket, fromKey, size, fromEtag, toBucket, toKey);
        }

        @Override
        public String write(String bucket, String key, byte[] data, String contentType) {
            next();
            return direct.write(bucket, key, data, contentType);
        }

        @Override
        public void remove(String bucket, String key) {
            next();
            direct.remove(bucket, key);
        }
    }
}
