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
import org.ovaflow.publish.catalog.PublishSettings;
import org.ovaflow.publish.catalog.PublishSettings.OnConflict;
import org.ovaflow.publish.catalog.PublishStage;
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
    public static final Setting<Boolean> KEEP_OVA = Setting.ofBoolean("ovaflow.publish.keep-ova",
            PublishSettings.DEFAULTS.keepOva(), "copy the original OVA into the entry (`<version>/<file name>.ova`, "
                    + "role `ova`)");
    public static final Setting<Duration> INDEX_EXPIRY = Setting.of("ovaflow.publish.index-expiry", "7d",
            PublishModule::indexExpiry, "how long the signed root index is valid after it was written (`7d`, `12h`, "
                    + "`30m` or ISO-8601 `P7D`; at least 2 minutes): consumers (`catalog verify`) refuse it once "
                    + "expired; the publish stage writes it again, a new version, once half of that passed, checking "
                    + "every eighth of it (at most hourly)");

    @Override
    public List<String> stages() {
        return List.of(PUBLISH, QUARANTINE);
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(ON_CONFLICT, KEEP_OVA, INDEX_EXPIRY);
    }

    /** The publish stage signs the index with the process's {@link CatalogSigner}, when it has one. */
    @Override
    public RoutesBuilder routes(String stage, StageContext context) {
        Settings settings = context.settings();
        ObjectStore store = context.store();
        return switch (stage) {
            case PUBLISH -> new PublishRoutes(new PublishStage(store, CatalogWrites.to(store),
                    settings.get(SharedSettings.CATALOG_BUCKET), publishSettings(settings),
                    context.service(CatalogSigner.class)), context.metrics());
            case QUARANTINE -> new StageRoutes(PublishStageDefinitions.quarantine(new QuarantineStage(store,
                    settings.get(SharedSettings.QUARANTINE_BUCKET))), context.metrics());
            default -> throw new IllegalArgumentException("the publish module has no stage " + stage);
        };
    }

    /** {@code ovaflow.publish.*}. */
    public static PublishSettings publishSettings(Settings settings) {
        return new PublishSettings(settings.get(ON_CONFLICT), settings.get(KEEP_OVA), settings.get(INDEX_EXPIRY));
    }

    private static Duration indexExpiry(String value) {
        Duration expiry = PublishSettings.expiry(value);
        if (expiry.compareTo(Duration.ofMinutes(2)) < 0) {
            throw new IllegalArgumentException("must be at least 2 minutes: " + value);
        }
        return expiry;
    }
}
