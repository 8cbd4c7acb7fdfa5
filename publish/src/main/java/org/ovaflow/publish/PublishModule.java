package org.ovaflow.publish;

import org.apache.camel.RoutesBuilder;
import org.ovaflow.core.config.Setting;
import org.ovaflow.core.config.Settings;
import org.ovaflow.core.config.SharedSettings;
import org.ovaflow.core.stage.StageContext;
import org.ovaflow.core.stage.StageModule;
import org.ovaflow.core.stage.StageRoutes;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.catalog.CatalogWrites;
import org.ovaflow.publish.catalog.FeedLog;
import org.ovaflow.publish.catalog.PublishSettings;
import org.ovaflow.publish.catalog.PublishSettings.OnConflict;
import org.ovaflow.publish.catalog.PublishStage;
import org.ovaflow.publish.catalog.RetentionPolicy;
import org.ovaflow.publish.quarantine.QuarantineStage;
import org.ovaflow.publish.route.PublishRoutes;
import org.ovaflow.publish.route.PublishStageDefinitions;
import org.ovaflow.publish.signing.CatalogSigner;

import java.time.Duration;
import java.util.List;

/**
 * The publish and quarantine stages: what publish does with a version that is already there
 * ({@code ovaflow.publish.*}), and their routes.
 */
public final class PublishModule implements StageModule {

    public static final String PUBLISH = "publish";
    public static final String QUARANTINE = "quarantine";

    public static final Setting<OnConflict> ON_CONFLICT = Setting.ofEnum("ovaflow.publish.on-conflict",
            OnConflict.class, PublishSettings.DEFAULTS.onConflict(), "other content for a published (or retracted) "
                    + "version: `reject` it (`catalog.version-conflict`) or `replace` the entry");
    /** Shared with the transcode stage, which copies the OVA into the entry. */
    public static final Setting<Boolean> KEEP_OVA = SharedSettings.KEEP_OVA;
    public static final Setting<Duration> INDEX_EXPIRY = Setting.of("ovaflow.publish.index-expiry", "7d",
            PublishModule::indexExpiry, "how long the signed root index is valid after it was written (`7d`, `12h`, "
                    + "`30m` or ISO-8601 `P7D`; at least 2 minutes): consumers (`catalog verify`) refuse it once "
                    + "expired; the publish stage writes it again, a new version, once half of that passed, checking "
                    + "every eighth of it (at most hourly)");

    public static final Setting<Integer> FEED_ITEMS = Setting.ofInt("ovaflow.publish.feed-items",
            FeedLog.DEFAULT_PAGE_ITEMS, 1, 10_000, "the most items a page of a feed holds: the feed itself shows the "
                    + "newest (up to this many), older ones are on its RFC 5005 archive pages (`?page=N`), which never "
                    + "change once full");
    public static final Setting<Integer> RETENTION_KEEP_VERSIONS = Setting.ofInt(
            "ovaflow.publish.retention.keep-versions", 0, 0, 1_000_000, "per product, keep the N latest available "
                    + "versions and prune the others (`0`: no limit by count); with `max-age` too, a version either "
                    + "keeps stays; the latest available version is never pruned");
    public static final Setting<Duration> RETENTION_MAX_AGE = Setting.of("ovaflow.publish.retention.max-age", null,
            PublishModule::positive, "per product, keep the versions published less than this long ago (`90d`, "
                    + "`12h`, `P90D`) and prune older ones (none: no limit by age)");
    public static final Setting<Duration> RETENTION_GRACE = Setting.of("ovaflow.publish.retention.grace", "7d",
            RetentionPolicy::duration, "how long a pruned version's files stay before they are removed (`0`: at the "
                    + "next run); out of the index and announced in the feeds at once");

    @Override
    public List<String> stages() {
        return List.of(PUBLISH, QUARANTINE);
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(ON_CONFLICT, INDEX_EXPIRY, FEED_ITEMS, RETENTION_KEEP_VERSIONS, RETENTION_MAX_AGE,
                RETENTION_GRACE);
    }

    /** The publish stage signs the index with the process's {@link CatalogSigner}, when it has one. */
    @Override
    public RoutesBuilder routes(String stage, StageContext context) {
        Settings settings = context.settings();
        ObjectStore store = context.store();
        return switch (stage) {
            case PUBLISH -> new PublishRoutes(new PublishStage(store, CatalogWrites.to(store),
                    settings.get(SharedSettings.CATALOG_BUCKET), publishSettings(settings),
                    context.service(CatalogSigner.class), settings.get(FEED_ITEMS), retention(settings)),
                    context.metrics());
            case QUARANTINE -> new StageRoutes(PublishStageDefinitions.quarantine(new QuarantineStage(store,
                    settings.get(SharedSettings.QUARANTINE_BUCKET))), context.metrics());
            default -> throw new IllegalArgumentException("the publish module has no stage " + stage);
        };
    }

    /** {@code ovaflow.publish.*}. */
    public static PublishSettings publishSettings(Settings settings) {
        return new PublishSettings(settings.get(ON_CONFLICT), settings.get(KEEP_OVA), settings.get(INDEX_EXPIRY));
    }

    /** {@code ovaflow.publish.retention.*}. */
    public static RetentionPolicy retention(Settings settings) {
        return new RetentionPolicy(settings.get(RETENTION_KEEP_VERSIONS), settings.get(RETENTION_MAX_AGE),
                settings.get(RETENTION_GRACE));
    }

    private static Duration positive(String value) {
        Duration duration = RetentionPolicy.duration(value);
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("must be positive: " + value);
        }
        return duration;
    }

    private static Duration indexExpiry(String value) {
        Duration expiry = PublishSettings.expiry(value);
        if (expiry.compareTo(PublishSettings.MIN_INDEX_EXPIRY) < 0) {
            throw new IllegalArgumentException("must be at least 2 minutes: " + value);
        }
        return expiry;
    }
}
