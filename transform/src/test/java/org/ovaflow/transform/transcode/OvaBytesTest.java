package org.ovaflow.transform.transcode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading an OVA's ranges whole or by ranged GETs, against a real S3 server. */
class OvaBytesTest {

    private static final String INCOMING = "ova-incoming";

    @RegisterExtension
    static final S3Server S3 = new S3Server(INCOMING);

    private final ObjectStore store = S3.store();

    @Test
    void aSmallOvaAndALargeOneGiveTheSameRanges() throws IOException {
        for (int size : new int[]{100_000, OvaBytes.WHOLE_READ_LIMIT + 1}) {
            byte[] data = random(size, size);
            ObjectRef ova = drop("same-" + size + ".ova", data);
            OvaBytes bytes = OvaBytes.of(store, ova);

            assertThat(read(bytes, 0, 512)).isEqualTo(Arrays.copyOfRange(data, 0, 512));
            assertThat(read(bytes, 1000, 3000)).isEqualTo(Arrays.copyOfRange(data, 1000, 4000));
            assertThat(read(bytes, size - 10, 10)).isEqualTo(Arrays.copyOfRange(data, size - 10, size));
        }
    }

    @Test
    void aRangePastTheEndIsShort() throws IOException {
        byte[] data = random(4096, 7);
        OvaBytes bytes = OvaBytes.of(store, drop("short.ova", data));

        assertThat(read(bytes, 4000, 1000)).isEqualTo(Arrays.copyOfRange(data, 4000, 4096));
        assertThat(read(bytes, 5000, 10)).isEmpty();
    }

    @Test
    void anOvaOfAnotherSizeThanTheEventSaysIsReadByRanges() throws IOException {
        // larger than the limit of a whole read, said small: read whole, its end would be missing
        int size = OvaBytes.WHOLE_READ_LIMIT + 4096;
        byte[] data = random(size, 10);
        ObjectInfo stored = store.write(INCOMING, "other-size.ova", data, "application/x-tar");
        for (long said : new long[]{4096, size - 1}) {
            OvaBytes bytes = OvaBytes.of(store, new ObjectRef(INCOMING, "other-size.ova", stored.etag(), said, null));

            assertThat(read(bytes, size - 192, 192)).isEqualTo(Arrays.copyOfRange(data, size - 192, size));
        }
    }

    @Test
    void aSmallOvaReplacedSinceItsImportIsGone() {
        ObjectRef ova = drop("replaced.ova", random(4096, 8));
        store.write(INCOMING, "replaced.ova", random(4096, 9), "application/x-tar");

        assertThatThrownBy(() -> OvaBytes.of(store, ova).range(0, 512)).isInstanceOf(ObjectGoneException.class);
    }

    private ObjectRef drop(String key, byte[] data) {
        ObjectInfo stored = store.write(INCOMING, key, data, "application/x-tar");
        return new ObjectRef(INCOMING, key, stored.etag(), data.length, null);
    }

    private static byte[] read(OvaBytes bytes, long offset, long length) throws IOException {
        try (InputStream in = bytes.range(offset, length)) {
            return in.readAllBytes();
        }
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
