package org.ovaflow.disk;

import java.io.Closeable;
import java.io.IOException;

/**
 * Where a writer puts an image: written forward, once. The first {@link #patchableHead()} bytes stay open
 * to {@link #patch} until {@link #finish()}, for formats whose header or table at the start can only be
 * filled in once the data is written (qcow2's L1 table, VHD's block allocation table): a local file
 * writes them in place, an upload holds its first part back.
 */
public interface ImageSink extends Closeable {

    void write(byte[] bytes, int from, int length) throws IOException;

    /** {@code count} zero bytes; a local file leaves a hole. */
    void writeZeros(long count) throws IOException;

    /** Bytes written so far: the offset of the next write. */
    long position();

    /** How many leading bytes {@link #patch} may still change. */
    long patchableHead();

    /** Overwrites bytes already written within the patchable head. */
    void patch(long offset, byte[] bytes, int from, int length) throws IOException;

    /**
     * Says, before the first write, that the image will be exactly {@code length} bytes and that nothing will be
     * {@link #patch patched}: an upload can then go up in one request and hash the bytes on the way. Optional for
     * sinks (the default ignores it).
     */
    default void announceLength(long length) throws IOException {
    }

    /** Makes the image whole and visible (the file complete, the upload completed). */
    void finish() throws IOException;

    /** Abandons the image unless finished: no partial file or upload remains. */
    @Override
    void close() throws IOException;
}
