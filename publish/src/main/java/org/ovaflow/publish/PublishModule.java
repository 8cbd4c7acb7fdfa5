package org.ovaflow.publish;

import org.apache.camel.RoutesBuilder;
import org.ovaflow.core.config.Setting;
import org.ovaflow.core.config.Settings;
import org.ovaflow.core.config.SharedSettings;
import org.ovaflow.core.stage.StageContext;
import org.ovaflow.core.stage.StageModule;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.catalog.CatalogWrites;
import org.ovaflow.publish.catalog.PublishSettings;
import org.ovaflow.publish.catalog.PublishSettings.OnConflict;
import org.ovaflow.publish.catalog.PublishStage;
import org.ovaflow.publish.quarantine.QuarantineStage;
import org.ovaflow.publish.route.PublishRoute;
import org.ovaflow.publish.route.QuarantineRoute;
import org.ovaflow.publish.signing.CatalogSigner;

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

    @Override
    public List<String> stages() {
        return List.of(PUBLISH, QUARANTINE);
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(ON_CONFLICT, KEEP_OVA);
    }

    /** The publish stage signs the index with the process's {@link CatalogSigner}, when it has one. */
    @Override
    public RoutesBuilder routes(String stage, StageContext context) {
        Settings settings = context.settings();
        ObjectStore store = context.store();
        return switch (stage) {
            case PUBLISH -> new PublishRoute(new PublishStage(store, CatalogWrites.to(store),
                    settings.get(SharedSettings.CATALOG_BUCKET), publishSettings(settings),
                    context.service(CatalogSigner.class)), context.metrics());
            case QUARANTINE -> new QuarantineRoute(new QuarantineStage(store,
                    settings.get(SharedSettings.QUARANTINE_BUCKET)), context.metrics());
            default -> throw new IllegalArgumentException("the publish module has no stage " + stage);
        };
    }

    /** {@code ovaflow.publish.*}. */
    public static PublishSettings publishSettings(Settings settings) {
        return new PublishSettings(settings.get(ON_CONFLICT), settings.get(KEEP_OVA));
    }
}
