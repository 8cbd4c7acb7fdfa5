package org.ovaflow.core.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.testing.S3Server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One PUT whose bytes are written as they are made, into a real S3 server on loopback. */
class StreamedPutTest {

    private static final String BUCKET = "ova-staging";
    private static final int PART = 5 << 20;

    @RegisterExtension
    static final S3Server S3 = new S3Server(BUCKET);

    /** A client whose parts are 5 MiB, so that a few MiB already go up in one streamed PUT. */
    private final ObjectStore store = S3.store(new ObjectStore.UploadSettings(PART, 2,
            ObjectStore.PayloadSigning.AUTO));

    @Test
    void bytesWrittenInPiecesOfAnySizeBecomeOneObjectOfThatLength() throws Exception {
        byte[] data = new byte[3 * StreamedPut.CHUNK_SIZE * StreamedPut.CHUNKS + 12_345];
        new Random(7).nextBytes(data);
        assertThat(store.putsInOneRequest(data.length)).isTrue();

        ObjectInfo stored;
        try (StreamedPut put = store.startPut(BUCKET, "streamed.bin", data.length, "application/octet-stream")) {
            Random pieces = new Random(11);
            for (int at = 0; at < data.length; ) {
                int length = Math.min(data.length - at, 1 + pieces.nextInt(3 * StreamedPut.CHUNK_SIZE / 2));
                put.write(data, at, length);
                at += length;
            }
            stored = put.complete();
        }

        try (InputStream in = store.read(BUCKET, "streamed.bin")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(stored.size()).isEqualTo(data.length);
        // one PUT: a plain etag, not a multipart one ("-N")
        assertThat(stored.etag()).isEqualTo(store.stat(BUCKET, "streamed.bin").orElseThrow().etag())
                .doesNotContain("-");
    }

    @Test
    void aPutAbandonedOrShortMakesNoObject() throws Exception {
        byte[] data = new byte[PART + StreamedPut.CHUNK_SIZE * (StreamedPut.CHUNKS + 3)];
        try (StreamedPut put = store.startPut(BUCKET, "abandoned.bin", data.length, "application/octet-stream")) {
            put.write(data, 0, data.length - 1);
        }
        assertThat(store.exists(BUCKET, "abandoned.bin")).isFalse();

        try (StreamedPut put = store.startPut(BUCKET, "short.bin", data.length, "application/octet-stream")) {
            put.write(data, 0, 100);
            assertThatThrownBy(put::complete).isInstanceOf(IOException.class)
                    .hasMessageContaining("100 of the " + data.length + " bytes announced");
            assertThatThrownBy(() -> put.write(data, 0, data.length)).isInstanceOf(IOException.class)
                    .hasMessageContaining("were announced");
        }
        assertThat(store.exists(BUCKET, "short.bin")).isFalse();
    }

    @Test
    void onlyObjectsLargerThanAPartGoInOneStreamedPut() {
        assertThat(store.putsInOneRequest(PART)).isFalse();
        assertThat(store.putsInOneRequest(5L << 30)).isTrue();
        assertThat(store.putsInOneRequest((5L << 30) + 1)).isFalse();
        assertThatThrownBy(() -> store.startPut(BUCKET, "small.bin", PART, "application/octet-stream"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in parts");
        ObjectStore signed = S3.store(new ObjectStore.UploadSettings(PART, 2, ObjectStore.PayloadSigning.SIGNED));
        assertThat(signed.putsInOneRequest(PART + 1L)).isFalse();
    }
}
