package org.ovaflow.core.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.testing.S3Server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Uploads in one request, from an array or from a stream of known size, into a real S3 server. */
class ObjectWriteTest {

    private static final String BUCKET = "ova-staging";

    @RegisterExtension
    static final S3Server S3 = new S3Server(BUCKET);

    private final ObjectStore store = S3.store();

    @Test
    void theFirstLengthBytesOfAnArrayAreWrittenAndTheEtagIsTheStores() throws Exception {
        byte[] data = bytes(300_000);

        ObjectInfo written = store.write(BUCKET, "part-of-array.bin", data, 200_000, "application/octet-stream");

        assertThat(read("part-of-array.bin")).isEqualTo(Arrays.copyOf(data, 200_000));
        assertThat(written.size()).isEqualTo(200_000);
        assertThat(written.etag()).isNotBlank()
                .isEqualTo(store.stat(BUCKET, "part-of-array.bin").orElseThrow().etag());
    }

    @Test
    void aStreamOfKnownSizeIsWrittenWithItsMetadata() throws Exception {
        byte[] data = bytes(1 << 20);

        store.write(BUCKET, "stream.bin", new ByteArrayInputStream(data), data.length, "application/x-tar",
                Map.of("origin", "test"));

        assertThat(read("stream.bin")).isEqualTo(data);
        StoredObject described = store.describe(BUCKET, "stream.bin").orElseThrow();
        assertThat(described.userMetadata()).containsEntry("origin", "test");
        assertThat(described.info().size()).isEqualTo(data.length);
    }

    @Test
    void aStreamShorterThanItsSizeWritesNothing() {
        byte[] data = bytes(1000);

        assertThatThrownBy(() -> store.write(BUCKET, "short.bin", new ByteArrayInputStream(data), 1001,
                "application/octet-stream"))
                .isInstanceOf(ObjectStoreException.class)
                .hasMessageContaining("s3://" + BUCKET + "/short.bin")
                .hasMessageContaining("1000 of 1001 bytes");
        assertThat(store.exists(BUCKET, "short.bin")).isFalse();
    }

    @Test
    void aStreamThatFailsWritesNothing() {
        InputStream failing = new InputStream() {
            private int left = 5000;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    throw new IOException("connection reset");
                }
                int n = Math.min(len, left);
                Arrays.fill(b, off, off + n, (byte) 7);
                left -= n;
                return n;
            }
        };

        assertThatThrownBy(() -> store.write(BUCKET, "failed.bin", failing, 10_000, "application/octet-stream"))
                .isInstanceOf(ObjectStoreException.class).hasMessageContaining("connection reset");
        assertThat(store.exists(BUCKET, "failed.bin")).isFalse();
    }

    @Test
    void aLargeStreamGoesUpInPartsSeveralAtOnceSignedOrNot() throws Exception {
        byte[] data = bytes((5 << 20) * 7 + 12_345);
        for (ObjectStore.PayloadSigning signing : ObjectStore.PayloadSigning.values()) {
            ObjectStore small = S3.store(new ObjectStore.UploadSettings(5 << 20, 3, signing));
            String key = "parts-" + signing + ".bin";

            ObjectInfo written = small.write(BUCKET, key, new ByteArrayInputStream(data), -1, "application/x-tar",
                    Map.of("origin", "parts"));

            assertThat(read(key)).isEqualTo(data);
            StoredObject described = store.describe(BUCKET, key).orElseThrow();
            assertThat(described.userMetadata()).containsEntry("origin", "parts");
            assertThat(written.size()).isEqualTo(data.length);
            // a multipart etag (the completion's answer quotes it): the store made the object of 8 parts
            assertThat(written.etag().replace("\"", "")).isEqualTo(described.info().etag()).endsWith("-8");
        }
    }

    @Test
    void aStreamOfKnownSizeIsReadNoFurtherThanItsSize() throws Exception {
        byte[] data = bytes((5 << 20) * 2 + 10);
        ObjectStore small = S3.store(new ObjectStore.UploadSettings(5 << 20, 2, ObjectStore.PayloadSigning.AUTO));
        ByteArrayInputStream in = new ByteArrayInputStream(data);

        small.write(BUCKET, "prefix.bin", in, data.length - 100, "application/octet-stream");

        assertThat(read("prefix.bin")).isEqualTo(Arrays.copyOf(data, data.length - 100));
        assertThat(in.available()).isEqualTo(100);
    }

    @Test
    void aMultipartStreamShorterThanItsSizeOrFailingWritesNothing() {
        ObjectStore small = S3.store(new ObjectStore.UploadSettings(5 << 20, 2, ObjectStore.PayloadSigning.AUTO));
        byte[] data = bytes((5 << 20) * 3);

        assertThatThrownBy(() -> small.write(BUCKET, "short-parts.bin", new ByteArrayInputStream(data),
                data.length + 1L, "application/octet-stream"))
                .isInstanceOf(ObjectStoreException.class)
                .hasMessageContaining(data.length + " of " + (data.length + 1L) + " bytes");
        assertThat(store.exists(BUCKET, "short-parts.bin")).isFalse();

        InputStream failing = new java.io.SequenceInputStream(new ByteArrayInputStream(data), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        });
        assertThatThrownBy(() -> small.write(BUCKET, "failed-parts.bin", failing, -1, "application/octet-stream"))
                .isInstanceOf(ObjectStoreException.class).hasMessageContaining("connection reset");
        assertThat(store.exists(BUCKET, "failed-parts.bin")).isFalse();
    }

    @Test
    void payloadsGoUnsignedOverHttpsAndToLoopbackOnlyUnlessConfigured() {
        ObjectStore.PayloadSigning auto = ObjectStore.PayloadSigning.AUTO;
        assertThat(auto.unsigned("http://127.0.0.1:9000")).isTrue();
        assertThat(auto.unsigned("http://localhost:9000")).isTrue();
        assertThat(auto.unsigned("http://[::1]:9000")).isTrue();
        assertThat(auto.unsigned("https://s3.example.com")).isTrue();
        assertThat(auto.unsigned("http://minio.example.com:9000")).isFalse();
        assertThat(auto.unsigned("http://10.0.0.5:9000")).isFalse();
        assertThat(auto.unsigned("http://127.example.com:9000")).isFalse();
        assertThat(ObjectStore.PayloadSigning.SIGNED.unsigned("https://s3.example.com")).isFalse();
        assertThat(ObjectStore.PayloadSigning.UNSIGNED.unsigned("http://minio.example.com:9000")).isTrue();
        assertThat(S3.store().unsignedPayload()).isTrue();
    }

    @Test
    void uploadSettingsComeFromPropertiesWithDefaultsAndClearErrors() {
        assertThat(ObjectStore.UploadSettings.from(name -> null)).isEqualTo(ObjectStore.UploadSettings.DEFAULTS);
        Map<String, String> set = Map.of("ovaflow.store.part-size-mib", "64", "ovaflow.store.parallel-parts", "2",
                "ovaflow.store.payload-signing", "Signed");
        assertThat(ObjectStore.UploadSettings.from(set::get)).isEqualTo(
                new ObjectStore.UploadSettings(64 << 20, 2, ObjectStore.PayloadSigning.SIGNED));
        assertThatThrownBy(() -> ObjectStore.UploadSettings.from(Map.of("ovaflow.store.part-size-mib", "4")::get))
                .hasMessage("ovaflow.store.part-size-mib is '4': expected 5 to 512");
        assertThatThrownBy(() -> ObjectStore.UploadSettings.from(Map.of("ovaflow.store.parallel-parts", "x")::get))
                .hasMessageContaining("ovaflow.store.parallel-parts is 'x'");
        assertThatThrownBy(() -> ObjectStore.UploadSettings.from(Map.of("ovaflow.store.payload-signing", "no")::get))
                .hasMessageContaining("ovaflow.store.payload-signing is 'no'").hasMessageContaining("auto, signed, unsigned");
    }

    @Test
    void anEmptyArrayIsAnEmptyObject() {
        store.write(BUCKET, "empty.json", new byte[0], "application/json");

        assertThat(store.stat(BUCKET, "empty.json")).get().extracting(ObjectInfo::size).isEqualTo(0L);
    }

    private byte[] read(String key) throws IOException {
        try (InputStream in = store.read(BUCKET, key)) {
            return in.readAllBytes();
        }
    }

    private static byte[] bytes(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }
}
