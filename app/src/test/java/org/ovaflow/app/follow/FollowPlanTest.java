package org.ovaflow.app.follow;

import org.junit.jupiter.api.Test;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogIndex.Item;
import org.ovaflow.publish.catalog.CatalogIndex.ProductIndex;
import org.ovaflow.publish.catalog.CatalogIndex.Version;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What following a product means, from the upstream's document, the state and the mirror's document alone. */
class FollowPlanTest {

    private static final String SHA_1 = "1".repeat(64);
    private static final String SHA_2 = "2".repeat(64);
    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");

    private final Map<String, FollowState.Followed> state = new HashMap<>();

    @Test
    void aNewAvailableVersionIsImportedFromTheKeyAndNameTheIndexStates() {
        Item ova = ova("acme-corp/widget/1.0/imp-1/widget.ova", SHA_1);

        List<FollowPlan.Action> actions = plan(product(Map.of("1.0", available("imp-1", Map.of("widget.ova", ova,
                "disk1.img", new Item(10, SHA_2, "raw", null, "disk", "acme-corp/widget/1.0/disk1.img"))))), null);

        assertThat(actions).singleElement().isEqualTo(new FollowPlan.Import("acme-corp/widget/1.0", "acme-corp",
                "widget", "1.0", "widget.ova", ova, "imp-1", false));
    }

    @Test
    void aVersionImportedBeforeWithTheSameContentIsLeftAloneAndNewContentIsImportedAgain() {
        state.put("acme-corp/widget/1.0", new FollowState.Followed(SHA_1, "imp-1", "mine-1", "followed/x.ova", AT,
                null, null));
        ProductIndex same = product(Map.of("1.0", available("imp-1", Map.of("widget.ova",
                ova("acme-corp/widget/1.0/widget.ova", SHA_1)))));
        ProductIndex replaced = product(Map.of("1.0", available("imp-9", Map.of("widget.ova",
                ova("acme-corp/widget/1.0/widget.ova", SHA_2)))));

        assertThat(plan(same, null)).isEmpty();
        assertThat(plan(replaced, null)).singleElement().isInstanceOfSatisfying(FollowPlan.Import.class,
                i -> assertThat(i.again()).isTrue());
    }

    @Test
    void aVersionTheMirrorHasAlreadyIsAdoptedNotImported() {
        ProductIndex upstream = product(Map.of("1.0", available("imp-1", Map.of("widget.ova",
                ova("acme-corp/widget/1.0/widget.ova", SHA_1)))));
        ProductIndex mirror = product(Map.of("1.0", available("mine-1", Map.of())));

        assertThat(plan(upstream, mirror)).singleElement().isEqualTo(new FollowPlan.Adopt("acme-corp/widget/1.0",
                SHA_1, "imp-1", "mine-1", false));
    }

    @Test
    void aRetractedVersionIsRetractedInTheMirrorWhereItIsAvailableAndNeverImported() {
        ProductIndex upstream = product(Map.of("1.0", retracted("imp-1", "CVE-2026-0001")));

        assertThat(plan(upstream, null)).as("never imported: nothing to do").isEmpty();
        assertThat(plan(upstream, product(Map.of("1.0", available("mine-1", Map.of())))))
                .containsExactly(new FollowPlan.Retract("acme-corp/widget/1.0", "CVE-2026-0001"));
        assertThat(plan(upstream, product(Map.of("1.0", retracted("mine-1", "ours")))))
                .as("retracted here already: remembered").singleElement()
                .isInstanceOfSatisfying(FollowPlan.Adopt.class, a -> assertThat(a.retracted()).isTrue());

        state.put("acme-corp/widget/1.0", new FollowState.Followed(SHA_1, "imp-1", "mine-1", "followed/x.ova", AT,
                null, null));
        assertThat(plan(upstream, null)).as("imported by us, not published yet: tried until it is")
                .containsExactly(new FollowPlan.Retract("acme-corp/widget/1.0", "CVE-2026-0001"));
        state.put("acme-corp/widget/1.0", state.get("acme-corp/widget/1.0").withRetracted(AT));
        assertThat(plan(upstream, product(Map.of("1.0", retracted("mine-1", "x"))))).as("carried over").isEmpty();
    }

    @Test
    void aVersionWithoutAnOriginalOvaOrItsSha256IsSkippedWithTheReasonOnce() {
        ProductIndex noOva = product(Map.of("1.0", available("imp-1", Map.of("disk1.img",
                new Item(10, SHA_2, "raw", null, "disk", "acme-corp/widget/1.0/disk1.img")))));
        ProductIndex noSha = product(Map.of("1.0", available("imp-1", Map.of("widget.ova",
                ova("acme-corp/widget/1.0/widget.ova", null)))));

        assertThat(plan(noOva, null)).singleElement().isInstanceOfSatisfying(FollowPlan.Skip.class,
                s -> assertThat(s.reason()).contains("no original OVA", "keep-ova"));
        assertThat(plan(noSha, null)).singleElement().isInstanceOfSatisfying(FollowPlan.Skip.class,
                s -> assertThat(s.reason()).contains("no sha256"));

        state.put("acme-corp/widget/1.0", new FollowState.Followed(null, "imp-1", null, null, null, null, "no ova"));
        assertThat(plan(noOva, null)).as("remembered: not reported again").isEmpty();
    }

    @Test
    void hostileNamesAndKeysAreSkippedNeverFetched() {
        assertThat(skipReason("../../etc/passwd.ova", "acme-corp/widget/1.0/x.ova")).contains("not a plain file name");
        assertThat(skipReason(".hidden.ova", "acme-corp/widget/1.0/x.ova")).contains("not a plain file name");
        assertThat(skipReason("widget.exe", "acme-corp/widget/1.0/widget.exe")).contains("does not end in .ova");
        assertThat(skipReason("widget.ova", "acme-corp/widget/1.0/../../../other/secret.ova"))
                .contains("not inside the version's folder");
        assertThat(skipReason("widget.ova", "globex/router/3.0/widget.ova")).contains("not inside");
        assertThat(skipReason("widget.ova", "acme-corp/widget/1.0//widget.ova")).contains("not inside");
        assertThat(skipReason("widget.ova", "https://evil.example/widget.ova")).contains("not inside");

        ProductIndex badVersion = product(Map.of("..", available("imp-1", Map.of("widget.ova",
                ova("acme-corp/widget/../widget.ova", SHA_1)))));
        assertThat(plan(badVersion, null)).singleElement().isInstanceOfSatisfying(FollowPlan.Skip.class,
                s -> assertThat(s.reason()).contains("must be a slug"));
        ProductIndex badVendor = new ProductIndex(CatalogIndex.PRODUCT_FORMAT, "../x", "widget", AT, "1.0",
                new LinkedHashMap<>(Map.of("1.0", available("imp-1", Map.of()))));
        assertThat(plan(badVendor, null)).singleElement().isInstanceOf(FollowPlan.Skip.class);
    }

    private String skipReason(String name, String key) {
        List<FollowPlan.Action> actions = plan(product(Map.of("1.0", available("imp-1", Map.of(name,
                ova(key, SHA_1))))), null);
        assertThat(actions).singleElement().isInstanceOf(FollowPlan.Skip.class);
        return ((FollowPlan.Skip) actions.get(0)).reason();
    }

    private List<FollowPlan.Action> plan(ProductIndex upstream, ProductIndex mirror) {
        return FollowPlan.of(upstream, id -> Optional.ofNullable(state.get(id)), Optional.ofNullable(mirror));
    }

    private static ProductIndex product(Map<String, Version> versions) {
        return new ProductIndex(CatalogIndex.PRODUCT_FORMAT, "acme-corp", "widget", AT, null,
                new LinkedHashMap<>(versions));
    }

    private static Version available(String importId, Map<String, Item> items) {
        return new Version(ApplianceRecord.AVAILABLE, AT, importId, "acme-corp/widget/1.0/", "etag", null,
                new LinkedHashMap<>(items));
    }

    private static Version retracted(String importId, String reason) {
        return new Version(ApplianceRecord.RETRACTED, AT, importId, "acme-corp/widget/1.0/", "etag",
                new ApplianceRecord.Retraction(AT, reason), Map.of());
    }

    private static Item ova(String key, String sha256) {
        return new Item(20_000, sha256, null, null, "ova", key);
    }
}
