package org.ovaflow.publish.catalog;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Retention: the versions a policy no longer keeps listed by a dry run, pruned (out of the index, announced in the
 * feeds, files kept), their files removed after the grace period; the latest never pruned; a crash between any two
 * writes of a prune or a purge leaves the old or the new catalog, and the next run finishes it.
 */
class CatalogRetentionIT {

    @RegisterExtension
    static final S3Server S3 = new S3Server();

    private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
    /** The versions of the crash test: fewer writes to stop at. */
    private static final List<String> SMALL = List.of("1.0", "1.3", "1.4", "2.0");

    private final ObjectStore store = S3.store();
    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofDays(100)));
    private String catalog;

    @BeforeEach
    void newCatalog() {
        catalog = "retention-" + Long.toHexString(System.nanoTime());
        store.ensureBuckets(List.of(catalog));
    }

    @Test
    void aDryRunListsWhatWouldGoAndChangesNothing() {
        publishWidgets(CatalogWrites.to(store));
        CatalogIndex index = index(CatalogWrites.to(store));
        long version = index.root().orElseThrow().version();

        List<CatalogRetention.Candidate> plan = retention(index, CatalogWrites.to(store),
                new RetentionPolicy(2, null, Duration.ofDays(1))).plan();

        // 1.0 to 1.4 (1.3 retracted) and 2.0: the two latest available (2.0, 1.4) stay, the retracted one goes
        assertThat(plan).extracting(CatalogRetention.Candidate::version).containsExactly("1.0", "1.1", "1.2", "1.3");
        assertThat(plan).extracting(CatalogRetention.Candidate::state)
                .containsExactly("available", "available", "available", "retracted");
        assertThat(plan.get(0).reason()).isEqualTo("retention: keeps the 2 latest available versions and the latest");
        assertThat(index(CatalogWrites.to(store)).root().orElseThrow().version()).isEqualTo(version);
        assertThat(index.read().orElseThrow().products().get("acme/widget").versions()).hasSize(6);
        assertThat(retention(index, CatalogWrites.to(store), RetentionPolicy.KEEP_ALL).plan())
                .as("the default keeps everything").isEmpty();
    }

    @Test
    void theLatestIsNeverPrunedAndMaxAgeKeepsTheYoungOnes() {
        publishWidgets(CatalogWrites.to(store));
        CatalogIndex index = index(CatalogWrites.to(store));
        // published at T0 + 1..6 days; now is T0 + 100 days: all older than 30 days, but the latest stays
        assertThat(retention(index, CatalogWrites.to(store), new RetentionPolicy(0, Duration.ofDays(30),
                Duration.ZERO)).plan()).extracting(CatalogRetention.Candidate::version)
                .containsExactly("1.0", "1.1", "1.2", "1.3", "1.4");
        // younger than 96.5 days: published after T0 + 3.5 days (1.3, 1.4, 2.0); or among the 1 latest (2.0)
        assertThat(retention(index, CatalogWrites.to(store), new RetentionPolicy(1, Duration.ofHours(96 * 24 + 12),
                Duration.ZERO)).plan()).extracting(CatalogRetention.Candidate::version)
                .containsExactly("1.0", "1.1", "1.2");
        assertThat(retention(index, CatalogWrites.to(store), new RetentionPolicy(1, null, Duration.ZERO)).plan())
                .extracting(CatalogRetention.Candidate::version).doesNotContain("2.0");
    }

    @Test
    void prunedVersionsLeaveTheIndexAreAnnouncedAndTheirFilesGoAfterTheGracePeriod() throws Exception {
        publishWidgets(CatalogWrites.to(store));
        CatalogIndex index = index(CatalogWrites.to(store));
        CatalogRetention retention = retention(index, CatalogWrites.to(store),
                new RetentionPolicy(2, null, Duration.ofDays(1)));

        assertThat(retention.prune()).extracting(CatalogRetention.Candidate::version)
                .containsExactly("1.0", "1.1", "1.2", "1.3");

        CatalogIndex.Product widget = index(CatalogWrites.to(store)).read().orElseThrow().products().get("acme/widget");
        assertThat(widget.versions()).containsOnlyKeys("1.4", "2.0");
        assertThat(widget.latest()).isEqualTo("2.0");
        ApplianceRecord pruned = new CatalogReader(store, catalog).at("acme/widget/1.0/").orElseThrow();
        assertThat(pruned.state()).isEqualTo("pruned");
        assertThat(pruned.retraction().at()).isEqualTo(clock.instant());
        assertThat(store.exists(catalog, "acme/widget/1.0/disk1.img")).as("files kept for the grace period").isTrue();
        assertThat(retention.pending()).extracting(CatalogRetention.Pruned::version)
                .containsExactlyInAnyOrder("1.0", "1.1", "1.2", "1.3");
        // announced in the feeds: one item each, after the publications
        List<String> ids = new FeedLog(store, catalog).current("acme", "widget").orElseThrow().items().stream()
                .map(FeedLog.Item::id).toList();
        assertThat(ids).contains("pruned:imp-1.0", "pruned:imp-1.1", "pruned:imp-1.2", "pruned:imp-1.3");
        assertThat(retention.prune()).as("nothing more to prune").isEmpty();

        assertThat(retention.purge()).as("within the grace period").isEmpty();
        clock.advance(Duration.ofDays(1).plusSeconds(1));
        assertThat(retention.purge()).extracting(CatalogRetention.Pruned::version)
                .containsExactlyInAnyOrder("1.0", "1.1", "1.2", "1.3");

        for (String version : List.of("1.0", "1.1", "1.2", "1.3")) {
            assertThat(store.list(catalog, "acme/widget/" + version + "/")).as(version).isEmpty();
            assertThat(store.exists(catalog, CatalogIndex.markerOf("acme/widget/" + version + "/"))).isFalse();
        }
        assertThat(store.exists(catalog, "acme/widget/1.4/disk1.img")).isTrue();
        assertThat(retention.pending()).isEmpty();
        assertThat(index(CatalogWrites.to(store)).read().orElseThrow().products().get("acme/widget").versions())
                .containsOnlyKeys("1.4", "2.0");
    }

    @Test
    void aPruneOrAPurgeCrashedBetweenAnyTwoWritesLeavesTheOldOrTheNewCatalogAndTheNextRunFinishesIt() {
        // an available and a retracted version pruned, their files removed at once (no grace)
        RetentionPolicy policy = new RetentionPolicy(2, null, Duration.ZERO);
        int writes = countWrites(policy);
        assertThat(writes).isGreaterThan(10);
        for (int crashAfter = 0; crashAfter < writes; crashAfter++) {
            newCatalog();
            publishWidgets(CatalogWrites.to(store), SMALL);
            CrashingWrites crashing = new CrashingWrites(store, crashAfter);
            CatalogIndex crashingIndex = index(crashing);
            CatalogRetention crashingRetention = retention(crashingIndex, crashing, policy);
            assertThatThrownBy(() -> {
                crashingRetention.prune();
                crashingRetention.purge();
            }).isInstanceOf(SimulatedCrash.class);
            assertConsistent();

            CatalogIndex index = index(CatalogWrites.to(store));
            CatalogRetention retention = retention(index, CatalogWrites.to(store), policy);
            retention.prune();
            retention.purge();
            assertConsistent();
            assertThat(index(CatalogWrites.to(store)).read().orElseThrow().products().get("acme/widget").versions())
                    .as("after a crash after write %d", crashAfter).containsOnlyKeys("1.4", "2.0");
            for (String version : List.of("1.0", "1.3")) {
                assertThat(store.list(catalog, "acme/widget/" + version + "/")).as("after a crash after write %d",
                        crashAfter).isEmpty();
            }
        }
    }

    /** Every document the root names is there, and every version it lists is an entry whose files are all there. */
    private void assertConsistent() {
        CatalogIndex index = new CatalogIndex(store, catalog);
        CatalogIndex.Document document = index.read().orElseThrow();
        index.root().orElseThrow().vendors().forEach((vendor, ref) -> {
            assertThat(index.vendor(vendor)).isPresent();
            index.vendor(vendor).orElseThrow().products().keySet()
                    .forEach(product -> assertThat(index.product(vendor, product)).isPresent());
        });
        for (CatalogIndex.Product product : document.products().values()) {
            for (CatalogIndex.Version version : product.versions().values()) {
                assertThat(store.exists(catalog, version.path() + PublishStage.APPLIANCE_JSON)).isTrue();
                version.items().values().forEach(item -> assertThat(store.exists(catalog, item.key()))
                        .as(item.key()).isTrue());
            }
        }
    }

    private int countWrites(RetentionPolicy policy) {
        newCatalog();
        publishWidgets(CatalogWrites.to(store), SMALL);
        CrashingWrites counting = new CrashingWrites(store, Integer.MAX_VALUE);
        CatalogRetention retention = retention(index(counting), counting, policy);
        retention.prune();
        retention.purge();
        return counting.done();
    }

    /** acme/widget 1.0 to 1.4 and 2.0, published a day apart from T0 + 1 day, 1.3 retracted. */
    private void publishWidgets(CatalogWrites writes) {
        publishWidgets(writes, List.of("1.0", "1.1", "1.2", "1.3", "1.4", "2.0"));
    }

    /** acme/widget's {@code versions}, published a day apart from T0 + 1 day, 1.3 retracted. */
    private void publishWidgets(CatalogWrites writes, List<String> versions) {
        CatalogIndex index = index(writes);
        for (int i = 0; i < versions.size(); i++) {
            ApplianceRecord record = record(versions.get(i), T0.plus(Duration.ofDays(i + 1)));
            if (versions.get(i).equals("1.3")) {
                record = record.retracted(T0.plus(Duration.ofDays(10)), "broken");
            }
            for (ApplianceRecord.Artifact artifact : record.artifacts()) {
                store.write(catalog, artifact.key(), artifact.name().getBytes(StandardCharsets.UTF_8), "text/plain");
            }
            byte[] json = EventCodec.toPrettyJson(record);
            store.write(catalog, "acme/widget/" + versions.get(i) + "/appliance.json", json, "application/json");
            index.mark(record, json);
        }
        index.rebuild("acme");
    }

    private static ApplianceRecord record(String version, Instant publishedAt) {
        String folder = "acme/widget/" + version + "/";
        return new ApplianceRecord(1, "acme", "widget", version, null, List.of(
                new ApplianceRecord.Artifact("widget.ovf", "descriptor", folder + "widget.ovf", 10, "a".repeat(64),
                        null, null),
                new ApplianceRecord.Artifact("disk1.img", "disk", folder + "disk1.img", 9, "b".repeat(64), null, null)),
                new ApplianceRecord.Provenance("imp-" + version, "s3://in/widget.ova", "etag", null,
                        publishedAt.minusSeconds(60), publishedAt, List.of()),
                ApplianceRecord.AVAILABLE, null);
    }

    private CatalogIndex index(CatalogWrites writes) {
        return new CatalogIndex(store, writes, catalog, null, CatalogIndex.DEFAULT_EXPIRY, clock, 50);
    }

    private CatalogRetention retention(CatalogIndex index, CatalogWrites writes, RetentionPolicy policy) {
        return new CatalogRetention(store, writes, catalog, index, policy, clock);
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
