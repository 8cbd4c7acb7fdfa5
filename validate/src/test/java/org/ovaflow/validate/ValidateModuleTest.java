package org.ovaflow.validate;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.ovaflow.core.config.Setting;
import org.ovaflow.core.config.Settings;
import org.ovaflow.core.stage.StageContext;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageModule;
import org.ovaflow.core.stage.StageRoutes;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.validate.checksum.PackageSources;

import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValidateModuleTest {

    private final ValidateModule module = new ValidateModule();

    @Test
    void theProcessFindsItByServiceLoader() {
        assertThat(ServiceLoader.load(StageModule.class).stream().map(ServiceLoader.Provider::type))
                .containsExactly(ValidateModule.class);
        assertThat(module.stages()).containsExactly("checksum", "schema");
    }

    @Test
    void itsDefaultsAreTodays() {
        assertThat(module.settings().stream().map(Setting::key)).doesNotHaveDuplicates()
                .allMatch(key -> key.startsWith("ovaflow.validate."));
        Settings none = new Settings(Map.of(), name -> null);
        assertThat(ValidateModule.validationSettings(none)).usingRecursiveComparison()
                .isEqualTo(ValidationSettings.DEFAULTS);
        assertThat(ValidateModule.packageLimits(none)).isEqualTo(PackageSources.Limits.DEFAULTS);
        assertThat(ValidateModule.MAX_CAPACITY.defaultValue()).isEqualTo("4398046511104");
        assertThat(ValidateModule.SIGNATURE.defaultValue()).isEqualTo("verify-if-present");
        assertThat(ValidateModule.MANIFEST.defaultValue()).isEqualTo("optional");
        assertThat(ValidateModule.REMOTE_HREFS.defaultValue()).isEqualTo("refuse");
        assertThat(ValidateModule.MAX_PACKAGE_FILES.defaultValue()).isEqualTo("1000");
    }

    @Test
    void givenValuesAreRead() {
        Settings given = new Settings(Map.of("ovaflow.validate.signature", "require",
                "ovaflow.validate.trust-store", "/etc/trust", "ovaflow.validate.manifest", "require",
                "ovaflow.validate.max-capacity", "1024", "ovaflow.validate.remote-hrefs", "allow",
                "ovaflow.validate.max-package-size", "2048", "ovaflow.validate.max-package-files", "7"),
                Map.of("OVAFLOW_TRUST_STORE_PASSWORD", "changeit")::get);
        ValidationSettings settings = ValidateModule.validationSettings(given);
        assertThat(settings.signature()).isEqualTo(ValidationSettings.SignaturePolicy.REQUIRE);
        assertThat(settings.trustStore()).isEqualTo(Path.of("/etc/trust"));
        assertThat(settings.trustStorePassword()).containsExactly("changeit".toCharArray());
        assertThat(settings.manifest()).isEqualTo(ValidationSettings.ManifestPolicy.REQUIRE);
        assertThat(settings.maxCapacity()).isEqualTo(1024);
        assertThat(settings.remoteHrefs()).isEqualTo(ValidationSettings.RemoteHrefPolicy.ALLOW);
        assertThat(ValidateModule.packageLimits(given)).isEqualTo(new PackageSources.Limits(2048, 7));
    }

    @Test
    void badValuesNameTheKeyAndTheValue() {
        assertThatThrownBy(() -> ValidateModule.validationSettings(new Settings(Map.of("ovaflow.validate.signature",
                "always"))))
                .hasMessage("ovaflow.validate.signature is 'always': expected one of require, verify-if-present, ignore");
        assertThatThrownBy(() -> ValidateModule.packageLimits(new Settings(Map.of("ovaflow.validate.max-package-size",
                "4T")))).hasMessage("ovaflow.validate.max-package-size is '4T': not a whole number");
    }

    @Test
    void itBuildsTheChecksumAndSchemaRoutes() {
        StageContext context = new StageContext(new Settings(Map.of()),
                new ObjectStore("http://127.0.0.1:9", "key", "secret"), new StageMetrics(new SimpleMeterRegistry()),
                "127.0.0.1:9", Map.of());
        assertThat(module.routes("checksum", context)).isInstanceOf(StageRoutes.class).hasToString("StageRoutes[checksum]");
        assertThat(module.routes("schema", context)).isInstanceOf(StageRoutes.class).hasToString("StageRoutes[schema]");
        assertThatThrownBy(() -> module.routes("ingest", context)).isInstanceOf(IllegalArgumentException.class);
    }
}
