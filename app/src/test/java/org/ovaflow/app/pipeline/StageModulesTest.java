package org.ovaflow.app.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.config.Setting;
import org.ovaflow.core.config.Settings;
import org.ovaflow.ingest.IngestModule;
import org.ovaflow.publish.PublishModule;
import org.ovaflow.transform.TransformModule;
import org.ovaflow.validate.ValidateModule;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StageModulesTest {

    private final StageModules modules = StageModules.load();

    @Test
    void everyStageOfTheCommandLineHasItsModule() {
        assertThat(modules.modules()).extracting(module -> (Class) module.getClass())
                .containsExactly(IngestModule.class, ValidateModule.class, TransformModule.class, PublishModule.class);
        assertThat(modules.modules().stream().flatMap(module -> module.stages().stream()))
                .containsExactlyElementsOf(Arrays.stream(Stage.values()).map(Stage::id).toList());
        for (Stage stage : Stage.values()) {
            assertThat(modules.of(stage).stages()).contains(stage.id());
        }
    }

    @Test
    void everyKeyIsDeclaredOnce() {
        assertThat(modules.allSettings().stream().map(Setting::key)).doesNotHaveDuplicates();
    }

    @Test
    void aProcessReadsItsOwnSettingsTheSharedOnesAndThoseOfItsStagesModules() {
        assertThat(modules.settings(EnumSet.of(Stage.CHECKSUM))).containsAll(ProcessSettings.all())
                .contains(ValidateModule.SIGNATURE).doesNotContain(TransformModule.TARGETS, PublishModule.ON_CONFLICT);
        assertThat(modules.settings(EnumSet.noneOf(Stage.class))).hasSize(ProcessSettings.all().size()
                + org.ovaflow.core.config.SharedSettings.all().size());
    }

    @Test
    void theTodaysDefaultsOfTheProcess() {
        Settings none = new Settings(Map.of());
        assertThat(none.get(ProcessSettings.STARTUP_TIMEOUT_S)).isEqualTo(300);
        assertThat(none.get(ProcessSettings.SHUTDOWN_TIMEOUT_S)).isEqualTo(10);
        assertThat(none.get(ProcessSettings.KAFKA_PARTITIONS)).isEqualTo(3);
        assertThat(none.get(ProcessSettings.TOPIC_PARTITIONS.at("ova.validated"))).isNull();
        assertThat(none.get(ProcessSettings.REPLICATION_FACTOR)).isNull();
        assertThat(none.get(ProcessSettings.HTTP_PRESIGN_EXPIRY_S)).isEqualTo(3600);
        assertThat(none.get(ProcessSettings.EMBEDDED_KAFKA_PORT)).isZero();
        assertThat(Buckets.from(Map.of())).isEqualTo(new Buckets("ova-incoming", "ova-staging", "ova-catalog",
                "ova-quarantine"));
    }

    @Test
    void anEmptyValueIsTheDefaultForTheRoutesPlaceholdersToo() {
        PipelineSettings settings = new PipelineSettings(Path.of("unused"), null, null, null, null, Stage.parse("all"),
                "127.0.0.1", -1, Map.of("ovaflow.retry.attempts", " ", "ovaflow.publish.keep-ova", "false"));
        assertThat(settings.properties()).containsOnlyKeys("ovaflow.publish.keep-ova");
        assertThat(settings.get(org.ovaflow.core.config.SharedSettings.RETRY_ATTEMPTS)).isEqualTo(8);
    }

    @Test
    void aBadValueStopsThePipelineBeforeAnythingStartsNamingKeyAndValue(@TempDir Path dir) {
        PipelineSettings settings = new PipelineSettings(dir, null, null, null, null, Stage.parse("publish"),
                "127.0.0.1", -1, Map.of("ovaflow.stage.publish.batch-size", "lots"));
        assertThatThrownBy(() -> Pipeline.start(settings)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ovaflow.stage.publish.batch-size is 'lots': not a whole number");
        assertThatThrownBy(() -> Pipeline.start(settings.withStages(EnumSet.of(Stage.TRANSCODE))))
                .hasMessage("ovaflow.stage.publish.batch-size is 'lots': not a whole number");
        // nothing was started: no broker or store data, no signing key made up
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aStagesKeysAreCheckedOnlyWhereItRuns() {
        PipelineSettings settings = new PipelineSettings(Path.of("unused"), null, null, null, null,
                Stage.parse("checksum"), "127.0.0.1", -1, Map.of("ovaflow.transcode.targets", "qcow3",
                "ovaflow.validat.manifest", "require"));
        assertThatNoException().isThrownBy(() -> modules.check(settings));
        assertThatThrownBy(() -> modules.check(settings.withStages(EnumSet.of(Stage.TRANSCODE))))
                .hasMessageStartingWith("ovaflow.transcode.targets is 'qcow3': unknown target 'qcow3'");
        assertThat(new Settings(settings.properties()).undeclared(modules.allSettings()))
                .containsExactly("ovaflow.validat.manifest");
        assertThat(Files.exists(Path.of("unused"))).isFalse();
    }
}
