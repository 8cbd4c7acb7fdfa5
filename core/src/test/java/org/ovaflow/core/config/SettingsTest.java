package org.ovaflow.core.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

class SettingsTest {

    @Test
    void checkReadsEveryValueGivenForADeclaredKeyTemplatesIncluded() {
        List<Setting<?>> declared = SharedSettings.all();
        assertThatNoException().isThrownBy(() -> new Settings(Map.of("ovaflow.retry.attempts", "3",
                "ovaflow.stage.publish.batch-size", "50")).check(declared));
        assertThatThrownBy(() -> new Settings(Map.of("ovaflow.stage.publish.batch-size", "0")).check(declared))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ovaflow.stage.publish.batch-size is '0': expected 1 to 2147483647");
        assertThatThrownBy(() -> new Settings(Map.of("ovaflow.retry.initial-delay-ms", "1s")).check(declared))
                .hasMessage("ovaflow.retry.initial-delay-ms is '1s': not a whole number");
    }

    @Test
    void undeclaredKeysAreTheOvaflowOnesNoDeclarationCovers() {
        Settings settings = new Settings(Map.of("ovaflow.retry.attempt", "3", "ovaflow.stage.schema.consumers", "2",
                "ovaflow.bucket.catalog", "c", "java.home", "/x"));
        assertThat(settings.undeclared(SharedSettings.all())).containsExactly("ovaflow.retry.attempt");
    }

    @Test
    void theSharedDefaultsAreTodaysAndEveryKeyIsDeclaredOnce() {
        Settings none = new Settings(Map.of());
        assertThat(none.get(SharedSettings.INCOMING_BUCKET)).isEqualTo("ova-incoming");
        assertThat(none.get(SharedSettings.QUARANTINE_BUCKET)).isEqualTo("ova-quarantine");
        assertThat(none.get(SharedSettings.RETRY_ATTEMPTS)).isEqualTo(8);
        assertThat(none.get(SharedSettings.RETRY_INITIAL_DELAY_MS)).isEqualTo(500);
        assertThat(none.get(SharedSettings.RETRY_MAX_DELAY_MS)).isEqualTo(15000);
        assertThat(none.get(SharedSettings.STAGE_BATCH_SIZE.at("publish"))).isEqualTo(200);
        assertThat(none.get(SharedSettings.STAGE_CONSUMERS.at("transcode"))).isEqualTo(1);
        assertThat(none.get(SharedSettings.STAGE_MAX_POLL_INTERVAL_MS.at("transcode"))).isEqualTo(3600000L);
        assertThat(SharedSettings.all().stream().map(Setting::key)).doesNotHaveDuplicates();
        assertThat(new Settings(Map.of("ovaflow.bucket.staging", "x")).get(SharedSettings.STAGING_BUCKET)).isEqualTo("x");
    }

    @Test
    void theTableEscapesPipes() {
        assertThat(SettingsTable.markdown(List.of(Setting.ofText("ovaflow.test.a", "x|y", "one | two"))))
                .isEqualTo("| property | default | meaning |\n|---|---|---|\n| `ovaflow.test.a` | `x\\|y` | one \\| two |\n");
    }
}
