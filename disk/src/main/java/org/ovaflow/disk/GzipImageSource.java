package org.ovaflow.disk;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A file the package stores gzip-compressed ({@code ovf:compression="gzip"}), decompressed on the fly. It can
 * only be read forward, from one stream: formats that read in file order (streamOptimized VMDK, what ovftool
 * compresses) convert from it; the others are refused with {@code disk.random-access}.
 */
public final class GzipImageSource implements ImageSource {

    /** Going back costs decompressing again from the start: allowed only this near it (format detection). */
    static final long REWIND_LIMIT = 1024 * 1024;

    private final ImageSource compressed;
    private InputStream inflated;
    private long position;

    public GzipImageSource(ImageSource compressed) {
        this.compressed = compressed;
    }

    @Override
    public long size() {
        return -1;
    }

    @Override
    public boolean randomAccess() {
        return false;
    }

    @Override
    public String name() {
        return compressed.name() + " (gunzipped)";
    }

    @Override
    public InputStream open(long offset, long length) throws IOException {
        if (inflated != null && offset < position && position <= REWIND_LIMIT) {
            inflated.close();
            inflated = null;
        }
        if (inflated == null) {
            position = 0;
            try {
                inflated = new GZIPInputStream(compressed.open(0, compressed.size() < 0 ? Long.MAX_VALUE
                        : compressed.size()), 64 * 1024);
            } catch (ZipException | EOFException e) {
                throw corrupt(e);
            }
        }
        if (offset < position) {
            throw new InvalidDiskImageException("disk.random-access", name() + " can only be read forward; offset "
                    + offset + " was asked after " + position);
        }
        try {
            inflated.skipNBytes(offset - position);
        } catch (ZipException | EOFException e) {
            throw corrupt(e);
        }
        position = offset;
        // a view that advances the one decompressor and is closed without closing it
        return new FilterInputStream(inflated) {
            @Override
            public int read() throws IOException {
                int b;
                try {
                    b = super.read();
                } catch (ZipException | EOFException e) {
                    throw corrupt(e);
                }
                if (b >= 0) {
                    position++;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int read;
                try {
                    read = super.read(b, off, len);
                } catch (ZipException | EOFException e) {
                    throw corrupt(e);
                }
                if (read > 0) {
                    position += read;
                }
                return read;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped;
                try {
                    skipped = super.skip(n);
                } catch (ZipException | EOFException e) {
                    throw corrupt(e);
                }
                position += skipped;
                return skipped;
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * A gzip header or deflate data that does not decode, a CRC that does not match, or a stream that ends within
     * either: the file is corrupt or cut, a rejection of the import, not an I/O failure to retry (those stay plain
     * IOExceptions).
     */
    private InvalidDiskImageException corrupt(IOException e) {
        return new InvalidDiskImageException("disk.gzip.corrupt", name() + " does not decompress at byte " + position
                + " of its data: " + (e instanceof EOFException ? "it ends early" : e.getMessage()),
                e);
    }

    @Override
    public void close() throws IOException {
        if (inflated != null) {
            inflated.close();
        }
        compressed.close();
    }
}
