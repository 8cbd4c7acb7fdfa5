package org.ovaflow.core.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.testing.S3Server;

import java.io.InputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Streamed uploads of unknown length into a real S3 server. */
class StreamingUploadTest {

    private static final String BUCKET = "ova-staging";

    @RegisterExtension
    static final S3Server S3 = new S3Server(BUCKET);

    private final ObjectStore store = S3.store();

    @Test
    void partsDoubleEveryThousandSoTenThousandPartsHoldMoreThanFourTebibytes() {
        assertThat(StreamingUpload.partSize(ObjectStore.PART_SIZE, 1)).isEqualTo(16 << 20);
        assertThat(StreamingUpload.partSize(ObjectStore.PART_SIZE, 1000)).isEqualTo(16 << 20);
        assertThat(StreamingUpload.partSize(ObjectStore.PART_SIZE, 1001)).isEqualTo(32 << 20);
        assertThat(StreamingUpload.partSize(ObjectStore.PART_SIZE, 10_000)).isEqualTo(1 << 30);
        long capacity = 0;
        for (int part = 1; part <= 10_000; part++) {
            capacity += StreamingUpload.partSize(ObjectStore.PART_SIZE, part);
        }
        // beyond the 4 TiB a compressed OVA may inflate to by default (ovaflow.validate.max-package-size)
        assertThat(capacity).isGreaterThan(4L << 40);
    }

    @Test
    void anObjectLargerThanAPartIsWrittenWhole() throws Exception {
        byte[] data = new byte[(16 << 20) + 123_457];
        new Random(1).nextBytes(data);
        ObjectInfo written;
        try (StreamingUpload upload = new StreamingUpload(store, BUCKET, "two-parts.bin", "application/octet-stream")) {
            for (int offset = 0; offset < data.length; offset += 100_000) {
                upload.write(data, offset, Math.min(100_000, data.length - offset));
            }
            assertThat(upload.written()).isEqualTo(data.length);
            written = upload.complete();
        }

        assertThat(written.size()).isEqualTo(data.length);
        try (InputStream in = store.read(BUCKET, "two-parts.bin")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void anEmptyUploadIsAnEmptyObjectAndAnUnfinishedOneIsNone() throws Exception {
        try (StreamingUpload upload = new StreamingUpload(store, BUCKET, "empty.bin", "application/octet-stream")) {
            upload.complete();
        }
        assertThat(store.stat(BUCKET, "empty.bin")).get().extracting(ObjectInfo::size).isEqualTo(0L);

        try (StreamingUpload upload = new StreamingUpload(store, BUCKET, "abandoned.bin", "application/octet-stream")) {
            upload.write(new byte[1000], 0, 1000);
        }
        assertThat(store.exists(BUCKET, "abandoned.bin")).isFalse();
    }
}
