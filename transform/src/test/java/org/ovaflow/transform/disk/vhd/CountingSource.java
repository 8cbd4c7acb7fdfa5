package org.ovaflow.transform.disk.vhd;

import org.ovaflow.transform.disk.ImageSource;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A source that counts its requests and the bytes read through them, as a store's ranged GETs would be. */
final class CountingSource implements ImageSource {

    private final ImageSource source;
    int opens;
    long bytesRead;

    CountingSource(ImageSource source) {
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
        };
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
