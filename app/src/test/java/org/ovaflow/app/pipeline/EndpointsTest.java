package org.ovaflow.app.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.store.ObjectStore;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code run} writes of its endpoints and what the other commands make of it. */
class EndpointsTest {

    @TempDir
    Path dir;

    @Test
    void theEmbeddedStoresLargestSingleRequestTravelsToTheCommandsUnlessTheySetTheirOwn() {
        new Endpoints("127.0.0.1:9092", "http://127.0.0.1:9000", "key", "secret", "http://127.0.0.1:8642", 5120)
                .writeTo(dir);

        Endpoints read = Endpoints.readFrom(dir).orElseThrow();

        assertThat(read.s3MaxSingleRequestGib()).isEqualTo(5120);
        assertThat(ObjectStore.UploadSettings.from(read.storeSettings(Map.of())).maxSingleRequest())
                .isEqualTo(5120L * ObjectStore.UploadSettings.GIB);
        assertThat(ObjectStore.UploadSettings.from(read.storeSettings(
                Map.of("ovaflow.store.max-single-request-gib", "5"))).maxSingleRequest())
                .isEqualTo(5L * ObjectStore.UploadSettings.GIB);
    }

    @Test
    void aStoreOfUnknownLimitsGetsS3s() {
        new Endpoints("127.0.0.1:9092", "http://127.0.0.1:9000", "key", "secret", null).writeTo(dir);

        Endpoints read = Endpoints.readFrom(dir).orElseThrow();

        assertThat(read.s3MaxSingleRequestGib()).isNull();
        assertThat(ObjectStore.UploadSettings.from(read.storeSettings(Map.of())).maxSingleRequest())
                .isEqualTo(5L * ObjectStore.UploadSettings.GIB);
    }
}
