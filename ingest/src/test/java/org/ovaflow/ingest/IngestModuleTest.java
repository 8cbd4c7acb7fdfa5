package org.ovaflow.ingest;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.ovaflow.core.config.Setting;
import org.ovaflow.core.config.Settings;
import org.ovaflow.core.stage.StageContext;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageModule;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.ingest.route.IngestRoutes;

import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IngestModuleTest {

    private final IngestModule module = new IngestModule();

    @Test
    void theProcessFindsItByServiceLoader() {
        assertThat(ServiceLoader.load(StageModule.class).stream().map(ServiceLoader.Provider::type))
                .containsExactly(IngestModule.class);
        assertThat(module.stages()).containsExactly("ingest");
    }

    @Test
    void itsKeysAndDefaultsAreTodays() {
        assertThat(module.settings().stream().map(Setting::key)).doesNotHaveDuplicates()
                .allMatch(key -> key.startsWith("ovaflow.ingest."));
        Settings none = new Settings(Map.of());
        assertThat(none.get(IngestModule.SUFFIXES)).containsExactly(".ova", ".ova.gz", ".ova.xz", ".ovf");
        assertThat(none.get(IngestModule.SCAN_INTERVAL_MS)).isEqualTo(5000);
        assertThat(none.get(IngestModule.SCAN_DELAY_MS)).isEqualTo(1000);
        assertThat(none.get(IngestModule.SEEN_CACHE)).isEqualTo(1000000);
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> new Settings(Map.of("ovaflow.ingest.suffixes", " , ")).get(IngestModule.SUFFIXES))
                .hasMessage("ovaflow.ingest.suffixes is ' , ': no suffix: nothing would be imported");
        assertThatThrownBy(() -> new Settings(Map.of("ovaflow.ingest.seen-cache", "0")).get(IngestModule.SEEN_CACHE))
                .hasMessageStartingWith("ovaflow.ingest.seen-cache is '0': expected 1 to");
    }

    @Test
    void itBuildsTheIngestRoutes() {
        StageContext context = new StageContext(new Settings(Map.of("ovaflow.ingest.suffixes", ".ova")),
                new ObjectStore("http://127.0.0.1:9", "key", "secret"), new StageMetrics(new SimpleMeterRegistry()),
                "127.0.0.1:9", Map.of());
        assertThat(module.routes("ingest", context)).isInstanceOf(IngestRoutes.class);
        assertThatThrownBy(() -> module.routes("publish", context)).isInstanceOf(IllegalArgumentException.class);
    }
}
