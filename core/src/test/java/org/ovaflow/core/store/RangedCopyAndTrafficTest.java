package org.ovaflow.core.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.testing.S3Server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ranged server-side copies (UploadPartCopy of a range) and the traffic a counted store reports, on a real S3 server. */
class RangedCopyAndTrafficTest {

    private static final String BUCKET = "ova-staging";

    @RegisterExtension
    static final S3Server S3 = new S3Server(BUCKET);

    private final Counted traffic = new Counted();
    private final ObjectStore store = S3.store().counted(traffic);

    @Test
    void copiesARangeOfTheObjectPinnedToItsEtag() throws IOException {
        byte[] data = random(3 * 1024 * 1024 + 17, 1);
        ObjectInfo source = store.write(BUCKET, "ranged/source", data, "application/octet-stream");
        ObjectRef ref = new ObjectRef(BUCKET, "ranged/source", source.etag(), data.length, null);

        ObjectInfo copy = store.copyRange(ref, 512 * 3 + 5, 2 * 1024 * 1024, BUCKET, "ranged/copy",
                "application/octet-stream");

        assertThat(copy.size()).isEqualTo(2 * 1024 * 1024);
        assertThat(read("ranged/copy")).isEqualTo(Arrays.copyOfRange(data, 512 * 3 + 5, 512 * 3 + 5 + 2 * 1024 * 1024));
        assertThat(traffic.bytes.get(StoreTraffic.Op.COPY)).isEqualTo(2L * 1024 * 1024);
        assertThat(traffic.bytes.get(StoreTraffic.Op.PUT)).isEqualTo(data.length);
        assertThat(traffic.bytes.get(StoreTraffic.Op.GET)).isEqualTo(2L * 1024 * 1024);
        // the PUT, start + part copy + complete, the GET
        assertThat(traffic.requests).containsEntry(StoreTraffic.Request.PUT, 1L)
                .containsEntry(StoreTraffic.Request.COPY, 1L).containsEntry(StoreTraffic.Request.UPLOAD, 2L)
                .containsEntry(StoreTraffic.Request.GET, 1L);
    }

    @Test
    void aRangeLargerThanAPartIsCopiedToALoopbackStoreThroughOneGetAndOnePut() throws IOException {
        byte[] data = random(7 * 1024 * 1024, 6);
        ObjectStore parts = fiveMiBParts(ObjectStore.PayloadSigning.AUTO);
        ObjectInfo source = parts.write(BUCKET, "ranged/big-source", data, "application/octet-stream");
        ObjectRef ref = new ObjectRef(BUCKET, "ranged/big-source", source.etag(), data.length, null);
        int length = 6 * 1024 * 1024 + 1;

        ObjectInfo copy = parts.copyRange(ref, 1000, length, BUCKET, "ranged/big-copy", "application/octet-stream");

        assertThat(traffic.bytes.get(StoreTraffic.Op.COPY)).isNull();
        assertThat(traffic.bytes.get(StoreTraffic.Op.GET)).isEqualTo(length);
        assertThat(traffic.bytes.get(StoreTraffic.Op.PUT)).isEqualTo(data.length + (long) length);
        assertThat(traffic.requests).containsEntry(StoreTraffic.Request.PUT, 2L)
                .containsEntry(StoreTraffic.Request.GET, 1L).doesNotContainKey(StoreTraffic.Request.UPLOAD);
        assertThat(read("ranged/big-copy")).isEqualTo(Arrays.copyOfRange(data, 1000, 1000 + length));
        assertThat(copy.etag()).isEqualTo(store.stat(BUCKET, "ranged/big-copy").orElseThrow().etag());

        // pinned to the source's etag as a part copy is: a source replaced since is gone, nothing is made
        parts.write(BUCKET, "ranged/big-source", random(7 * 1024 * 1024, 7), "application/octet-stream");
        assertThatThrownBy(() -> parts.copyRange(ref, 0, length, BUCKET, "ranged/big-stale",
                "application/octet-stream")).isInstanceOf(ObjectGoneException.class);
        assertThat(store.stat(BUCKET, "ranged/big-stale")).isEmpty();
    }

    @Test
    void aRangeOfASourceReplacedSinceIsGoneAndNothingIsCopied() {
        ObjectInfo before = store.write(BUCKET, "ranged/replaced", random(1000, 2), "application/octet-stream");
        store.write(BUCKET, "ranged/replaced", random(1000, 3), "application/octet-stream");
        ObjectRef ref = new ObjectRef(BUCKET, "ranged/replaced", before.etag(), 1000, null);

        assertThatThrownBy(() -> store.copyRange(ref, 0, 10, BUCKET, "ranged/stale", "application/octet-stream"))
                .isInstanceOf(ObjectGoneException.class);
        assertThat(store.stat(BUCKET, "ranged/stale")).isEmpty();
    }

    @Test
    void countsWhatAStreamOfUnknownSizeSent() {
        byte[] data = random(100_000, 4);
        store.write(BUCKET, "ranged/stream", new java.io.ByteArrayInputStream(data), -1, "application/octet-stream");

        assertThat(traffic.bytes.get(StoreTraffic.Op.PUT)).isEqualTo(data.length);
    }

    @Test
    void aFileLargerThanAPartGoesToALoopbackStoreInOnePut(@TempDir Path folder) throws IOException {
        byte[] data = random(6 * 1024 * 1024 + 3, 5);

        ObjectInfo written = fiveMiBParts(ObjectStore.PayloadSigning.AUTO).write(BUCKET, "files/drop.ova",
                Files.write(folder.resolve("drop.ova"), data), "application/x-tar");

        assertThat(read("files/drop.ova")).isEqualTo(data);
        assertThat(written.size()).isEqualTo(data.length);
        assertThat(written.etag()).isEqualTo(store.stat(BUCKET, "files/drop.ova").orElseThrow().etag());
        assertThat(traffic.requests).containsOnly(Map.entry(StoreTraffic.Request.PUT, 1L),
                Map.entry(StoreTraffic.Request.GET, 1L), Map.entry(StoreTraffic.Request.HEAD, 1L));
        assertThat(traffic.bytes.get(StoreTraffic.Op.PUT)).isEqualTo(data.length);
    }

    @Test
    void aFileToAStoreThatSignsPayloadsGoesInParts(@TempDir Path folder) throws IOException {
        byte[] data = random(6 * 1024 * 1024 + 3, 6);

        fiveMiBParts(ObjectStore.PayloadSigning.SIGNED).write(BUCKET, "files/signed.ova",
                Files.write(folder.resolve("drop.ova"), data), "application/x-tar");

        assertThat(read("files/signed.ova")).isEqualTo(data);
        // start, two parts, complete
        assertThat(traffic.requests).containsEntry(StoreTraffic.Request.PUT, 2L)
                .containsEntry(StoreTraffic.Request.UPLOAD, 2L);
    }

    /** The store, counted, in parts of 5 MiB (S3's least): a file of 6 MiB is larger than a part. */
    private ObjectStore fiveMiBParts(ObjectStore.PayloadSigning signing) {
        return S3.store(new ObjectStore.UploadSettings(5L * 1024 * 1024, 2, signing)).counted(traffic);
    }

    private byte[] read(String key) throws IOException {
        try (InputStream in = store.read(BUCKET, key)) {
            return in.readAllBytes();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static final class Counted implements StoreTraffic {
        final Map<Op, Long> bytes = new EnumMap<>(Op.class);
        final Map<Request, Long> requests = new EnumMap<>(Request.class);

        @Override
        public synchronized void bytes(Op op, long n) {
            bytes.merge(op, n, Long::sum);
        }

        @Override
        public synchronized void request(Request request) {
            requests.merge(request, 1L, Long::sum);
        }
    }
}
