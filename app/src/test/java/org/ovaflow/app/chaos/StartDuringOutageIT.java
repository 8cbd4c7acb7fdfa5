package org.ovaflow.app.chaos;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.pipeline.Endpoints;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.app.pipeline.PipelineSettings;
import org.ovaflow.app.pipeline.Stage;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A stage process started while the store is unreachable (restarting, or not started yet) waits for it instead
 * of exiting, as long as ovaflow.startup.timeout-s allows; found by the chaos suite, where a stage restarted
 * during a store cut-off died at start.
 */
class StartDuringOutageIT {

    @TempDir
    Path dir;

    @Test
    void aStageStartedWhileTheStoreIsCutOffStartsOnceItIsBack() throws Exception {
        try (Pipeline servers = Pipeline.start(servers(dir.resolve("servers")));
             TcpProxy store = new TcpProxy(freePort(), URI.create(servers.endpoints().s3()).getPort())) {
            store.cut();
            Endpoints endpoints = servers.endpoints();
            PipelineSettings stage = stageBehind(store, dir.resolve("stage"), endpoints, Map.of());
            CompletableFuture<Pipeline> starting = CompletableFuture.supplyAsync(() -> {
                try {
                    return Pipeline.start(stage);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(3000);
            assertThat(starting).as("still waiting for the store").isNotDone();
            assertThat(store.refused()).isPositive();

            store.restore();

            try (Pipeline started = starting.get(60, TimeUnit.SECONDS)) {
                assertThat(started.camel().isStarted()).isTrue();
            }
        }
    }

    @Test
    void itGivesUpAfterTheStartupTimeout() throws Exception {
        try (Pipeline servers = Pipeline.start(servers(dir.resolve("servers")));
             TcpProxy store = new TcpProxy(freePort(), URI.create(servers.endpoints().s3()).getPort())) {
            store.cut();
            PipelineSettings stage = stageBehind(store, dir.resolve("stage"), servers.endpoints(),
                    Map.of("ovaflow.startup.timeout-s", "2"));

            assertThatThrownBy(() -> Pipeline.start(stage)).isInstanceOf(RuntimeException.class);
        }
    }

    /** Embedded servers only, no stage. */
    private static PipelineSettings servers(Path dataDir) {
        return new PipelineSettings(dataDir, null, null, null, null, Stage.parse("none"), "127.0.0.1", -1,
                Map.of("ovaflow.shutdown-timeout-s", "5"));
    }

    /** A checksum stage on the servers' broker, reaching their store through {@code store}. */
    private static PipelineSettings stageBehind(TcpProxy store, Path dataDir, Endpoints endpoints,
                                                Map<String, String> extra) {
        Map<String, String> properties = new java.util.HashMap<>(Map.of("ovaflow.shutdown-timeout-s", "5"));
        properties.putAll(extra);
        return new PipelineSettings(dataDir, endpoints.kafka(), "http://127.0.0.1:" + store.port(),
                endpoints.s3AccessKey(), endpoints.s3SecretKey(), Stage.parse("checksum"), "127.0.0.1", -1, properties);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
