package org.ovaflow.core.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.testing.S3Server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Server-side copies pinned to the source's etag, against a real S3 server. */
class PinnedCopyTest {

    private static final String BUCKET = "ova-staging";

    @RegisterExtension
    static final S3Server S3 = new S3Server(BUCKET);

    private final ObjectStore store = S3.store();

    @Test
    void copiesTheObjectThatHasTheEtagGivenQuotedOrNot() throws IOException {
        byte[] data = random(1000, 1);
        ObjectInfo source = store.write(BUCKET, "pinned/source", data, "application/octet-stream");

        ObjectInfo copy = store.copy(BUCKET, "pinned/source", data.length, source.etag(), BUCKET, "pinned/copy");
        store.copy(BUCKET, "pinned/source", data.length, "\"" + source.etag().replace("\"", "") + "\"", BUCKET,
                "pinned/quoted");

        assertThat(copy.etag()).isNotBlank();
        assertThat(read("pinned/copy")).isEqualTo(data);
        assertThat(read("pinned/quoted")).isEqualTo(data);
    }

    @Test
    void aSourceReplacedSinceItsEtagWasTakenIsGoneAndNothingIsCopied() {
        ObjectInfo before = store.write(BUCKET, "pinned/replaced", random(1000, 2), "application/octet-stream");
        store.write(BUCKET, "pinned/replaced", random(1000, 3), "application/octet-stream");

        assertThatThrownBy(() -> store.copy(BUCKET, "pinned/replaced", 1000, before.etag(), BUCKET, "pinned/stale"))
                .isInstanceOf(ObjectGoneException.class);
        assertThat(store.stat(BUCKET, "pinned/stale")).isEmpty();
    }

    @Test
    void aSourceRemovedIsGone() {
        ObjectInfo before = store.write(BUCKET, "pinned/removed", random(10, 4), "application/octet-stream");
        store.remove(BUCKET, "pinned/removed");

        assertThatThrownBy(() -> store.copy(BUCKET, "pinned/removed", 10, before.etag(), BUCKET, "pinned/none"))
                .isInstanceOf(ObjectGoneException.class);
    }

    @Test
    void copiesAMultipartUploadByTheEtagItsCompletionAnswered() throws IOException {
        byte[] first = random(5 * 1024 * 1024, 5);
        byte[] last = random(1000, 6);
        ObjectInfo source;
        try (ObjectStore.Upload upload = store.startUpload(BUCKET, "pinned/multipart", "application/octet-stream")) {
            upload.part(1, first, first.length);
            upload.part(2, last, last.length);
            source = upload.complete();
        }

        store.copy(BUCKET, "pinned/multipart", first.length + last.length, source.etag(), BUCKET, "pinned/whole");

        byte[] whole = Arrays.copyOf(first, first.length + last.length);
        System.arraycopy(last, 0, whole, first.length, last.length);
        assertThat(read("pinned/whole")).isEqualTo(whole);
    }

    private byte[] read(String key) throws IOException {
        try (InputStream in = store.read(BUCKET, key)) {
            return in.readAllBytes();
        }
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
