package org.ovaflow.publish.catalog;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.ExternalTool;
import org.ovaflow.core.testing.Gpg;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.publish.feed.CatalogFeeds;
import org.ovaflow.publish.feed.CatalogLinks;
import org.ovaflow.publish.feed.FeedFormat;
import org.ovaflow.publish.feed.FeedScope;
import org.ovaflow.publish.signing.CatalogSigner;
import org.ovaflow.publish.signing.SigningKey;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ovaflow.publish.catalog.StagedImports.INCOMING;
import static org.ovaflow.publish.catalog.StagedImports.STAGING;

/**
 * What a catalog reader does, with GnuPG: fetch the public key from the catalog bucket, import it, and
 * {@code gpg --verify index.json.asc index.json}; the same for a feed. Also a key made by gpg (RSA, with a
 * passphrase), configured as ovaflow's signing key.
 */
class CatalogSignatureGpgIT {

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING);

    @TempDir
    Path dir;

    private final ObjectStore store = S3.store();
    private final StagedImports imports = new StagedImports(store);
    private final String catalog = "catalog-" + Long.toHexString(System.nanoTime());
    private Gpg gpg;

    @BeforeEach
    void setUp() {
        store.ensureBuckets(List.of(catalog));
        gpg = Gpg.require(dir.resolve("gnupg"));
    }

    @AfterEach
    void stopAgent() {
        gpg.close();
    }

    @Test
    void gpgVerifiesTheRootAndVendorIndexWithTheKeyPublishedInTheBucketAndRefusesATamperedOne() throws Exception {
        SigningKey key = SigningKey.keptIn(dir.resolve("data/signing"), null); // as run makes it at first start
        PublishStage stage = new PublishStage(store, CatalogWrites.to(store), catalog, PublishSettings.DEFAULTS,
                key.signer());
        stage.publish(imports.transcoded("widget-1.ova", "Acme Corp", "Widget Server", "1.0", 1));
        stage.publish(imports.transcoded("widget-2.ova", "Acme Corp", "Widget Server", "2.0", 2));

        gpg.importKey(fetch(CatalogIndex.PUBLIC_KEY, "ovaflow-signing.asc"));
        CatalogIndex tree = new CatalogIndex(store, catalog);
        for (String index : List.of(CatalogIndex.INDEX_JSON, tree.root().orElseThrow().vendors().get("acme-corp").path(),
                tree.vendor("acme-corp").orElseThrow().products().get("widget-server").path())) {
            Path json = fetch(index, index.replace('/', '-'));
            Path signature = fetch(index + CatalogIndex.SIGNATURE_SUFFIX, index.replace('/', '-') + ".asc");

            ExternalTool.Result verification = gpg.verify(signature, json);

            assertThat(Gpg.validSignatureFingerprint(verification)).as(verification.output())
                    .isEqualTo(key.signer().fingerprint());
        }

        Path json = fetch(CatalogIndex.INDEX_JSON, "tampered.json");
        Files.writeString(json, Files.readString(json).replaceFirst("\"version\":", "\"version\":9"));
        ExternalTool.Result tampered = gpg.verify(dir.resolve("index.json.asc"), json);
        assertThat(tampered.exitCode()).as(tampered.output()).isNotZero();
        assertThat(tampered.output()).contains("BADSIG");
    }

    @Test
    void gpgVerifiesAFeedSignedFromTheBytesItIsServedAs() throws Exception {
        CatalogSigner signer = CatalogSigner.generate("feed test key", null);
        new PublishStage(store, CatalogWrites.to(store), catalog, PublishSettings.DEFAULTS, signer)
                .publish(imports.transcoded("widget-1.ova", "Acme Corp", "Widget Server", "1.0", 1));
        CatalogFeeds feeds = new CatalogFeeds(new CatalogLinks("http://catalog.example"));
        CatalogReader reader = new CatalogReader(store, catalog);

        for (FeedFormat format : FeedFormat.values()) {
            byte[] feed = feeds.xml(FeedScope.catalog(), format, reader.list()).orElseThrow();
            // rendered again for the signature request: the same catalog must give the same bytes
            byte[] again = feeds.xml(FeedScope.catalog(), format, reader.list()).orElseThrow();
            assertThat(again).isEqualTo(feed);
            Path feedFile = Files.write(dir.resolve("catalog." + format.name().toLowerCase()), feed);
            Path signature = Files.write(dir.resolve(feedFile.getFileName() + ".asc"), signer.sign(again));
            gpg.importKey(Files.write(dir.resolve("key.asc"), signer.armoredPublicKey()));

            ExternalTool.Result verification = gpg.verify(signature, feedFile);

            assertThat(Gpg.validSignatureFingerprint(verification)).as(verification.output())
                    .isEqualTo(signer.fingerprint());
        }
    }

    @Test
    void aKeyMadeByGpgWithAPassphraseSignsWhatGpgThenVerifies() throws Exception {
        for (String algorithm : List.of("rsa3072", "ed25519")) {
            String fingerprint = gpg.generateKey("Catalog Team <catalog-" + algorithm + "@example.com>", algorithm,
                    "s3cret");
            Path exported = gpg.exportSecretKey(fingerprint, "s3cret", dir.resolve(algorithm + "-secret.asc"));

            SigningKey configured = SigningKey.configured(exported, "s3cret".toCharArray());
            new PublishStage(store, CatalogWrites.to(store), catalog, PublishSettings.DEFAULTS, configured.signer())
                    .publish(imports.transcoded("widget-" + algorithm + ".ova", "Acme Corp", "Widget " + algorithm,
                            "1.0", algorithm.length()));

            assertThat(configured.signer().fingerprint()).isEqualTo(fingerprint);
            ExternalTool.Result verification = gpg.verify(fetch(CatalogIndex.INDEX_JSON + CatalogIndex.SIGNATURE_SUFFIX,
                    algorithm + "-index.json.asc"), fetch(CatalogIndex.INDEX_JSON, algorithm + "-index.json"));
            assertThat(Gpg.validSignatureFingerprint(verification)).as(verification.output()).isEqualTo(fingerprint);
        }
    }

    /** The object at {@code key} of the catalog bucket, downloaded into {@code name}. */
    private Path fetch(String key, String name) throws Exception {
        return Files.write(dir.resolve(name), imports.read(catalog, key));
    }
}
