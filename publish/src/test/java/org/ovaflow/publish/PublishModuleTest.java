package org.ovaflow.publish;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.ovaflow.core.config.Setting;
import org.ovaflow.core.config.Settings;
import org.ovaflow.core.stage.StageContext;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageModule;
import org.ovaflow.core.stage.StageRoutes;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.catalog.PublishSettings;
import org.ovaflow.publish.catalog.RetentionPolicy;
import org.ovaflow.publish.route.PublishRoutes;

import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PublishModuleTest {

    private final PublishModule module = new PublishModule();

    @Test
    void theProcessFindsItByServiceLoader() {
        assertThat(ServiceLoader.load(StageModule.class).stream().map(ServiceLoader.Provider::type))
                .containsExactly(PublishModule.class);
        assertThat(module.stages()).containsExactly("publish", "quarantine");
    }

    @Test
    void itsDefaultsAreTodaysAndGivenValuesAreRead() {
        assertThat(module.settings().stream().map(Setting::key)).doesNotHaveDuplicates()
                .allMatch(key -> key.startsWith("ovaflow.publish."));
        assertThat(PublishModule.publishSettings(new Settings(Map.of()))).isEqualTo(PublishSettings.DEFAULTS);
        assertThat(PublishModule.ON_CONFLICT.defaultValue()).isEqualTo("reject");
        assertThat(PublishModule.KEEP_OVA.defaultValue()).isEqualTo("true");
        assertThat(PublishModule.publishSettings(new Settings(Map.of("ovaflow.publish.on-conflict", "Replace",
                "ovaflow.publish.keep-ova", "false"))))
                .isEqualTo(new PublishSettings(PublishSettings.OnConflict.REPLACE, false));
    }

    @Test
    void badValuesNameTheKeyAndTheValue() {
        assertThatThrownBy(() -> PublishModule.publishSettings(new Settings(Map.of("ovaflow.publish.on-conflict",
                "overwrite")))).hasMessage("ovaflow.publish.on-conflict is 'overwrite': expected one of reject, replace");
        assertThatThrownBy(() -> PublishModule.publishSettings(new Settings(Map.of("ovaflow.publish.keep-ova", "yes"))))
                .hasMessage("ovaflow.publish.keep-ova is 'yes': expected true or false");
    }

    @Test
    void feedPagesAndRetentionDefaultToFiftyItemsAndKeepingEveryVersion() {
        assertThat(new Settings(Map.of()).get(PublishModule.FEED_ITEMS)).isEqualTo(50);
        assertThat(PublishModule.retention(new Settings(Map.of()))).isEqualTo(RetentionPolicy.KEEP_ALL);
        assertThat(PublishModule.retention(new Settings(Map.of()))).extracting(RetentionPolicy::prunes).isEqualTo(false);
        assertThat(PublishModule.retention(new Settings(Map.of("ovaflow.publish.retention.keep-versions", "3",
                "ovaflow.publish.retention.max-age", "90d", "ovaflow.publish.retention.grace", "0"))))
                .isEqualTo(new RetentionPolicy(3, java.time.Duration.ofDays(90), java.time.Duration.ZERO));
        assertThatThrownBy(() -> PublishModule.retention(new Settings(Map.of("ovaflow.publish.retention.max-age",
                "0")))).hasMessageStartingWith("ovaflow.publish.retention.max-age is '0'");
        assertThatThrownBy(() -> PublishModule.retention(new Settings(Map.of("ovaflow.publish.retention.grace",
                "soon")))).hasMessageStartingWith("ovaflow.publish.retention.grace is 'soon'");
        assertThatThrownBy(() -> new Settings(Map.of("ovaflow.publish.feed-items", "0")).get(PublishModule.FEED_ITEMS))
                .hasMessageStartingWith("ovaflow.publish.feed-items is '0'");
    }

    @Test
    void itBuildsThePublishAndQuarantineRoutes() {
        StageContext context = new StageContext(new Settings(Map.of()),
                new ObjectStore("http://127.0.0.1:9", "key", "secret"), new StageMetrics(new SimpleMeterRegistry()),
                "127.0.0.1:9", Map.of());
        assertThat(module.routes("publish", context)).isInstanceOf(PublishRoutes.class);
        assertThat(module.routes("quarantine", context)).isInstanceOf(StageRoutes.class).hasToString("StageRoutes[quarantine]");
        assertThatThrownBy(() -> module.routes("transcode", context)).isInstanceOf(IllegalArgumentException.class);
    }
}
