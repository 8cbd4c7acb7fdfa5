package org.ovaflow.publish.catalog;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.publish.signing.CatalogSigner;
import org.ovaflow.publish.signing.SignatureVerifier;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ovaflow.publish.catalog.StagedImports.INCOMING;
import static org.ovaflow.publish.catalog.StagedImports.STAGING;

/**
 * {@link CatalogVerifier}: a catalog as its publisher signed it passes, deep too; a tampered, truncated, replayed,
 * expired or unsigned document is refused with the document and the check named.
 */
class CatalogVerifierTest {

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING, STAGING);

    private static final CatalogSigner SIGNER = CatalogSigner.generate("verifier test", null);

    private final ObjectStore store = S3.store();
    private final StagedImports imports = new StagedImports(store);
    private final String catalog = "catalog-" + Long.toHexString(System.nanoTime());
    private final SignatureVerifier pinned = SignatureVerifier.of(SIGNER.armoredPublicKey());
    private final Clock now = Clock.systemUTC();

    @BeforeEach
    void publishTwoVendors() {
        store.ensureBuckets(List.of(catalog));
        PublishStage stage = new PublishStage(store, CatalogWrites.to(store), catalog, PublishSettings.DEFAULTS, SIGNER);
        stage.publish(imports.transcoded("widget-1.ova", "Acme Corp", "Widget Server", "1.0", 1));
        stage.publish(imports.transcoded("widget-2.ova", "Acme Corp", "Widget Server", "2.0", 2));
        stage.publish(imports.transcoded("router.ova", "Globex", "Router", "3.0", 3));
    }

    @Test
    void aCatalogAsItsPublisherSignedItPassesDeepToo() {
        CatalogVerifier.Report report = verifier(now).verify(null, true);

        assertThat(report.failures()).isEmpty();
        assertThat(report.ok()).isTrue();
        assertThat(report.documents()).as("the root, 2 vendors, 2 products").isEqualTo(5);
        assertThat(report.artifacts()).isEqualTo(12);
        assertThat(report.version()).isEqualTo(new CatalogIndex(store, catalog).root().orElseThrow().version());
        assertThat(verifier(now).verify(report.version(), false).ok()).as("the same version again").isTrue();
    }

    @Test
    void aTamperedProductDocumentIsRefusedByItsSha256() throws Exception {
        String path = productPath("acme-corp", "widget-server");
        byte[] bytes = imports.read(catalog, path);
        String json = new String(bytes, StandardCharsets.UTF_8).replace("\"2.0\"", "\"2.1\"");
        store.write(catalog, path, json.getBytes(StandardCharsets.UTF_8), "application/json");

        CatalogVerifier.Report report = verifier(now).verify(null, false);

        assertThat(report.ok()).isFalse();
        assertThat(report.failures()).singleElement().satisfies(f -> {
            assertThat(f.document()).isEqualTo("s3://" + catalog + "/" + path);
            assertThat(f.check()).isEqualTo("sha256");
            assertThat(f.message()).contains("tampered");
        });
    }

    @Test
    void eachProductDocumentCheckedIsHandedOverAsRead() {
        List<CatalogIndex.ProductIndex> products = new java.util.ArrayList<>();

        CatalogVerifier.Report report = verifier(now).verify(null, false, products::add);

        assertThat(report.ok()).isTrue();
        assertThat(products).extracting(p -> p.vendor() + "/" + p.product())
                .containsExactlyInAnyOrder("acme-corp/widget-server", "globex/router");
        assertThat(products).filteredOn(p -> p.product().equals("widget-server")).singleElement()
                .satisfies(p -> assertThat(p.versions()).containsOnlyKeys("1.0", "2.0"));
    }

    @Test
    void aReferenceStatingMoreBytesThanAnIndexDocumentMayHoldIsNotRead() throws Exception {
        String root = new String(imports.read(catalog, CatalogIndex.INDEX_JSON), StandardCharsets.UTF_8);
        String vendor = new CatalogIndex(store, catalog).root().orElseThrow().vendors().get("globex").path();
        String huge = root.replaceFirst("(\"path\":\"" + java.util.regex.Pattern.quote(vendor) + "\",\"size\":)\\d+",
                "$1" + (IndexDocuments.MAX_DOCUMENT_BYTES + 1));
        assertThat(huge).isNotEqualTo(root);
        store.write(catalog, CatalogIndex.INDEX_JSON, huge.getBytes(StandardCharsets.UTF_8), "application/json");

        CatalogVerifier.Report report = verifier(now).verify(null, false);

        assertThat(report.failures()).extracting(CatalogVerifier.Failure::check).containsExactlyInAnyOrder(
                "signature", "size");
        assertThat(report.failures()).filteredOn(f -> f.check().equals("size")).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("not read"));
    }

    @Test
    void aTruncatedVendorDocumentIsRefusedByItsSize() throws Exception {
        String path = new CatalogIndex(store, catalog).root().orElseThrow().vendors().get("globex").path();
        byte[] bytes = imports.read(catalog, path);
        store.write(catalog, path, Arrays.copyOf(bytes, bytes.length / 2), "application/json");

        CatalogVerifier.Report report = verifier(now).verify(null, false);

        assertThat(report.failures()).singleElement().satisfies(f -> {
            assertThat(f.document()).endsWith(path);
            assertThat(f.check()).isEqualTo("size");
            assertThat(f.message()).contains("truncated");
        });
    }

    @Test
    void aReplayedOlderRootIsRefusedAsOlderThanTheVersionSeenEvenThoughItsSignatureVerifies() throws Exception {
        byte[] oldRoot = imports.read(catalog, CatalogIndex.INDEX_JSON);
        byte[] oldSignature = imports.read(catalog, CatalogIndex.INDEX_JSON + CatalogIndex.SIGNATURE_SUFFIX);
        new PublishStage(store, CatalogWrites.to(store), catalog, PublishSettings.DEFAULTS, SIGNER)
                .publish(imports.transcoded("gadget.ova", "Acme Corp", "Gadget", "7", 4));
        CatalogVerifier.Report current = verifier(now).verify(null, false);
        assertThat(current.ok()).isTrue();
        // a mirror or a man in the middle serves the old root and its (valid) signature again
        store.write(catalog, CatalogIndex.INDEX_JSON, oldRoot, "application/json");
        store.write(catalog, CatalogIndex.INDEX_JSON + CatalogIndex.SIGNATURE_SUFFIX, oldSignature,
                CatalogIndex.SIGNATURE_TYPE);

        CatalogVerifier.Report replayed = verifier(now).verify(current.version(), false);

        assertThat(replayed.failures()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("version");
            assertThat(f.message()).contains("older than version " + current.version(), "replayed");
        });
        assertThat(verifier(now).verify(null, false).ok()).as("without the version seen: nothing to compare")
                .isTrue();
    }

    @Test
    void anExpiredRootIsRefused() {
        Instant expires = new CatalogIndex(store, catalog).root().orElseThrow().expires();

        CatalogVerifier.Report report = verifier(Clock.fixed(expires.plusSeconds(1), ZoneOffset.UTC))
                .verify(null, false);

        assertThat(report.failures()).singleElement().satisfies(f -> {
            assertThat(f.document()).endsWith("/index.json");
            assertThat(f.check()).isEqualTo("expires");
            assertThat(f.message()).contains("expired at " + expires);
        });
    }

    @Test
    void aRootAlteredAfterSigningOrSignedByAnotherKeyIsRefusedByItsSignature() throws Exception {
        byte[] root = imports.read(catalog, CatalogIndex.INDEX_JSON);
        String altered = new String(root, StandardCharsets.UTF_8).replaceFirst("\"version\":(\\d+)", "\"version\":999");
        store.write(catalog, CatalogIndex.INDEX_JSON, altered.getBytes(StandardCharsets.UTF_8), "application/json");

        assertThat(verifier(now).verify(null, false).failures()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("signature");
            assertThat(f.message()).contains("does not verify with the pinned key");
        });

        store.write(catalog, CatalogIndex.INDEX_JSON, root, "application/json");
        CatalogVerifier other = new CatalogVerifier(source(), SignatureVerifier.of(
                CatalogSigner.generate("someone else", null).armoredPublicKey()), now);
        assertThat(other.verify(null, false).failures()).extracting(CatalogVerifier.Failure::check)
                .as("every document").hasSize(5).containsOnly("signature");
    }

    @Test
    void aMissingProductDocumentAndAMissingSignatureAreNamed() throws Exception {
        String path = productPath("globex", "router");
        store.remove(catalog, path);
        String vendor = new CatalogIndex(store, catalog).root().orElseThrow().vendors().get("acme-corp").path();
        store.remove(catalog, vendor + CatalogIndex.SIGNATURE_SUFFIX);

        CatalogVerifier.Report report = verifier(now).verify(null, false);

        assertThat(report.failures()).extracting(CatalogVerifier.Failure::toString).containsExactlyInAnyOrder(
                "s3://" + catalog + "/" + vendor + ": signature: no signature at s3://" + catalog + "/" + vendor + ".asc",
                "s3://" + catalog + "/" + path + ": missing: not there");
    }

    @Test
    void deepRefusesAnArtifactWhoseBytesChanged() throws Exception {
        CatalogIndex.Item disk = new CatalogIndex(store, catalog).product("globex", "router").orElseThrow().versions()
                .get("3.0").items().get("disk1.img");
        byte[] bytes = imports.read(catalog, disk.key());
        bytes[0] ^= 1;
        store.write(catalog, disk.key(), bytes, "application/octet-stream");

        assertThat(verifier(now).verify(null, false).ok()).as("not read without --deep").isTrue();
        assertThat(verifier(now).verify(null, true).failures()).singleElement().satisfies(f -> {
            assertThat(f.document()).endsWith(disk.key());
            assertThat(f.check()).isEqualTo("artifact sha256");
        });
    }

    @Test
    void everyRebuildWritesTheRootAgainOnceHalfOfItsLifetimePassedWithANewVersion() {
        CatalogIndex.Root before = new CatalogIndex(store, catalog).root().orElseThrow();
        Duration expiry = Duration.ofHours(2);
        Instant later = Instant.now().plus(Duration.ofDays(7)).minus(Duration.ofMinutes(30));
        CatalogIndex refreshing = new CatalogIndex(store, CatalogWrites.to(store), catalog, SIGNER, expiry,
                Clock.fixed(later, ZoneOffset.UTC));

        refreshing.rebuild();

        CatalogIndex.Root after = new CatalogIndex(store, catalog).root().orElseThrow();
        assertThat(after.version()).isEqualTo(before.version() + 1);
        assertThat(after.expires()).isEqualTo(later.plus(expiry).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(after.vendors()).isEqualTo(before.vendors());
        assertThat(verifier(Clock.fixed(later, ZoneOffset.UTC)).verify(before.version(), false).ok()).isTrue();

        refreshing.rebuild();
        assertThat(new CatalogIndex(store, catalog).root().orElseThrow().version()).as("fresh: not rewritten")
                .isEqualTo(after.version());
    }

    private String productPath(String vendor, String product) {
        return new CatalogIndex(store, catalog).vendor(vendor).orElseThrow().products().get(product).path();
    }

    private CatalogVerifier verifier(Clock clock) {
        return new CatalogVerifier(source(), pinned, clock);
    }

    private CatalogVerifier.Source source() {
        return new CatalogVerifier.Source() {
            @Override
            public Optional<InputStream> open(String key) {
                try {
                    return Optional.of(store.read(catalog, key));
                } catch (ObjectGoneException e) {
                    return Optional.empty();
                }
            }

            @Override
            public String describe(String key) {
                return "s3://" + catalog + "/" + key;
            }
        };
    }
}
