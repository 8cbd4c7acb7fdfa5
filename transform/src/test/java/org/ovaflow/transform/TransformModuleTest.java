package org.ovaflow.transform;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.ovaflow.core.config.Setting;
import org.ovaflow.core.config.Settings;
import org.ovaflow.core.event.CatalogFolder;
import org.ovaflow.core.stage.StageContext;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageModule;
import org.ovaflow.core.stage.StageRoutes;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.disk.TargetFormat;
import org.ovaflow.transform.profile.ManifestAlgorithm;
import org.ovaflow.transform.profile.PlatformProfile;
import org.ovaflow.transform.profile.ProfileSettings;
import org.ovaflow.transform.transcode.TranscodeSettings;

import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransformModuleTest {

    private final TransformModule module = new TransformModule();

    @Test
    void theProcessFindsItByServiceLoader() {
        assertThat(ServiceLoader.load(StageModule.class).stream().map(ServiceLoader.Provider::type))
                .containsExactly(TransformModule.class);
        assertThat(module.stages()).containsExactly("transcode");
    }

    @Test
    void itsDefaultsAreTodays() {
        assertThat(module.settings().stream().map(Setting::key)).doesNotHaveDuplicates()
                .allMatch(key -> key.startsWith("ovaflow.transcode.") || key.startsWith("ovaflow.profile."));
        Settings none = new Settings(Map.of(), name -> null);
        assertThat(TransformModule.transcodeSettings(none))
                .isEqualTo(TranscodeSettings.parse("original,qcow2", true, 4L << 40, ProfileSettings.DEFAULTS));
        assertThat(TransformModule.profileSettings(none)).isEqualTo(ProfileSettings.DEFAULTS);
    }

    @Test
    void givenValuesAreRead() {
        Settings given = new Settings(Map.of("ovaflow.transcode.targets", "vhd, aws", "ovaflow.transcode.vhd-round-to-mib",
                "false", "ovaflow.transcode.max-virtual-size", "1048576", "ovaflow.profile.vmware.hardware-family",
                "vmx-19", "ovaflow.profile.vmware.manifest", "sha1", "ovaflow.profile.aws.format", "raw",
                "ovaflow.profile.aws.bucket", "ec2-imports"), name -> null);
        TranscodeSettings settings = TransformModule.transcodeSettings(given);
        assertThat(settings.keepOriginal()).isFalse();
        assertThat(settings.targets()).containsExactly(TargetFormat.VHD);
        assertThat(settings.profiles()).containsExactly(PlatformProfile.AWS);
        assertThat(settings.roundVhdToMiB()).isFalse();
        assertThat(settings.maxVirtualSize()).isEqualTo(1048576);
        assertThat(settings.profileSettings()).isEqualTo(new ProfileSettings("vmx-19", ManifestAlgorithm.SHA1, null,
                TargetFormat.RAW, "ec2-imports"));
    }

    @Test
    void badValuesNameTheKeyAndTheValue() {
        assertThatThrownBy(() -> new Settings(Map.of("ovaflow.transcode.targets", "qcow3")).get(TransformModule.TARGETS))
                .hasMessageStartingWith("ovaflow.transcode.targets is 'qcow3': unknown target 'qcow3', known: original");
        assertThatThrownBy(() -> new Settings(Map.of("ovaflow.transcode.vhd-round-to-mib", "yes"))
                .get(TransformModule.VHD_ROUND_TO_MIB))
                .hasMessage("ovaflow.transcode.vhd-round-to-mib is 'yes': expected true or false");
        assertThatThrownBy(() -> new Settings(Map.of("ovaflow.profile.aws.format", "vhd")).get(TransformModule.AWS_FORMAT))
                .hasMessage("ovaflow.profile.aws.format is 'vhd': expected vmdk or raw");
        assertThatThrownBy(() -> new Settings(Map.of("ovaflow.profile.vmware.hardware-family", "esx6"))
                .get(TransformModule.VMWARE_HARDWARE_FAMILY))
                .hasMessageStartingWith("ovaflow.profile.vmware.hardware-family is 'esx6': ");
        assertThatThrownBy(() -> new Settings(Map.of("ovaflow.profile.vmware.manifest", "md5"))
                .get(TransformModule.VMWARE_MANIFEST))
                .hasMessage("ovaflow.profile.vmware.manifest is 'md5': manifest algorithm 'md5' is not sha1 or sha256");
    }

    @Test
    void itBuildsTheTranscodeRouteWithTheProcesssCatalogFolders() {
        StageContext withoutFolders = new StageContext(new Settings(Map.of()),
                new ObjectStore("http://127.0.0.1:9", "key", "secret"), new StageMetrics(new SimpleMeterRegistry()),
                "127.0.0.1:9", Map.of());
        assertThatThrownBy(() -> module.routes("transcode", withoutFolders)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("CatalogFolder");
        StageContext context = new StageContext(withoutFolders.settings(), withoutFolders.store(),
                withoutFolders.metrics(), withoutFolders.kafka(), Map.of(CatalogFolder.class,
                (CatalogFolder) event -> "vendor/product/1.0/"));
        assertThat(module.routes("transcode", context)).isInstanceOf(StageRoutes.class).hasToString("StageRoutes[transcode]");
    }
}
