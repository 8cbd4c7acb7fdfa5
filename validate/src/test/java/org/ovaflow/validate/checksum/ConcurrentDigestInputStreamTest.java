package org.ovaflow.validate.checksum;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ConcurrentDigestInputStreamTest {

    private static final int BUFFER = ConcurrentDigestInputStream.BUFFER_SIZE;

    /** Sizes around the read-ahead buffer's edges, and more bytes than all buffers together hold. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, BUFFER - 1, BUFFER, BUFFER + 1, 3 * BUFFER, 9 * BUFFER + 12345})
    void passesEveryByteThroughAndDigestsThemAll(int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        // a source that gives short reads, as sockets do
        InputStream trickle = new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                return super.read(b, off, Math.min(len, 70_001));
            }
        };
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        byte[] digest;
        try (ConcurrentDigestInputStream in = new ConcurrentDigestInputStream(trickle,
                MessageDigest.getInstance("SHA-256"))) {
            byte[] odd = new byte[4099];
            int n;
            while ((n = in.read(odd, 0, odd.length)) > 0) {
                copy.write(odd, 0, n);
                int single = in.read();
                if (single < 0) {
                    break;
                }
                copy.write(single);
            }
            digest = in.digest();
        }
        assertThat(copy.toByteArray()).isEqualTo(data);
        assertThat(digest).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
