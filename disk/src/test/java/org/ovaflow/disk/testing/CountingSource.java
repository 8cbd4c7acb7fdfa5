package org.ovaflow.disk.testing;

import org.ovaflow.disk.ImageSource;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A source that counts its requests and the bytes read through them, as a store's ranged GETs would be. */
public final class CountingSource implements ImageSource {

    private final ImageSource source;
    /** Requests made (each open is one ranged GET in the store). */
    public int opens;
    /** Bytes that went through them, skipped ones included (a ranged GET transfers what is skipped). */
    public long bytesRead;

    public CountingSource(ImageSource source) {
        this.source = source;
    }

    @Override
    public long size() {
        return source.size();
    }

    @Override
    public String name() {
        return source.name();
    }

    @Override
    public InputStream open(long offset, long length) throws IOException {
        opens++;
        return new FilterInputStream(source.open(offset, length)) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytesRead++;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int read = super.read(b, off, len);
                if (read > 0) {
                    bytesRead += read;
                }
                return read;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(n);
                bytesRead += skipped;
                return skipped;
            }
        };
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
