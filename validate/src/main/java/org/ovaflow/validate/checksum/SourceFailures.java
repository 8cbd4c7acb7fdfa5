package org.ovaflow.validate.checksum;

import org.ovaflow.core.ova.FailureDescription;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Tells apart, while a package's plain tar is made, what is wrong with the package (a corrupt, truncated or
 * oversized compressed stream: a rejection) from the store failing underneath (retried), whatever the tar walk
 * makes of the exception it sees: it takes any short read for a truncated tar.
 */
public final class SourceFailures {

    private volatile PackageSourceException rejection;
    private volatile Exception storeFailure;
    /** Bytes read from the store so far: where in a compressed file its stream broke. */
    private volatile long rawBytes;

    /** The named rejection of the source, if reading it found one. */
    public PackageSourceException rejection() {
        return rejection;
    }

    /** The first failure of the store while the source was read, if any. */
    public Exception storeFailure() {
        return storeFailure;
    }

    /** {@code raw} (data from the store), recording its failures as the store's. */
    InputStream watch(InputStream raw) {
        return new FilterInputStream(raw) {
            @Override
            public int read() throws IOException {
                try {
                    int b = super.read();
                    if (b >= 0) {
                        rawBytes++;
                    }
                    return b;
                } catch (IOException | RuntimeException e) {
                    store(e);
                    throw e;
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        rawBytes += n;
                    }
                    return n;
                } catch (IOException | RuntimeException e) {
                    store(e);
                    throw e;
                }
            }

            @Override
            public long skip(long n) throws IOException {
                try {
                    long skipped = super.skip(n);
                    rawBytes += skipped;
                    return skipped;
                } catch (IOException | RuntimeException e) {
                    store(e);
                    throw e;
                }
            }
        };
    }

    /** Opens an object's data with {@code open}, recording a failure to open it as the store's. */
    InputStream watchOpen(UnpackedTarStream.Opener open) throws IOException {
        try {
            return watch(open.open());
        } catch (IOException | RuntimeException e) {
            store(e);
            throw e;
        }
    }

    private void store(Exception e) {
        if (storeFailure == null) {
            storeFailure = e;
        }
    }

    /**
     * The inflated bytes of a compressed file ({@code open} makes the decompressor over a {@link #watch watched}
     * stream, at the first read), at most {@code maxBytes} of them. A decompressor's failure that is not the
     * store's is a {@code package.compression} rejection; so are more bytes than allowed.
     */
    InputStream inflated(UnpackedTarStream.Opener open, String file, String format, long maxBytes) {
        return new InputStream() {
            private InputStream inflating;
            private long count;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (rejection != null) {
                    throw rejection;
                }
                int n;
                try {
                    if (inflating == null) {
                        inflating = open.open();
                    }
                    n = inflating.read(b, off, len);
                } catch (IOException | RuntimeException e) {
                    if (storeFailure != null || e instanceof PackageSourceException) {
                        throw e;
                    }
                    // the decompressor reads ahead: the compressed offset is how far it had read, not the bad byte
                    throw reject(new PackageSourceException("package.compression", file, "not a readable " + format
                            + " stream (corrupt or truncated): " + FailureDescription.of(e) + ", after " + rawBytes
                            + " compressed byte(s) read and " + count + " byte(s) inflated", e));
                }
                if (n > 0) {
                    count += n;
                    if (count > maxBytes) {
                        throw reject(new PackageSourceException("package.compression", file, "inflates to more than "
                                + maxBytes + " bytes (ovaflow.validate.max-package-size): a compression bomb, or a "
                                + "package larger than the limit", null));
                    }
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                if (inflating != null) {
                    inflating.close();
                }
            }
        };
    }

    private PackageSourceException reject(PackageSourceException e) {
        if (rejection == null) {
            rejection = e;
        }
        return rejection;
    }
}
