package org.ovaflow.disk;

import java.io.Closeable;
import java.io.IOException;

/**
 * Writes one disk image format to an {@link ImageSink}, from guest data given in ascending virtual order.
 * Whatever is not written reads as zeros in the result; writers leave zero clusters unallocated where the
 * format allows it, so callers may hand over zeros or skip them alike.
 */
public interface DiskImageWriter extends Closeable {

    /**
     * {@code length} bytes of guest data at virtual {@code offset}: at or past the end of the previous write,
     * within the virtual size. The writer copies what it keeps; {@code data} is the caller's again on return.
     */
    void write(long offset, byte[] data, int from, int length) throws IOException;

    /** Writes the format's tables and footers and finishes the sink. Nothing may be written after. */
    void finish() throws IOException;

    /** Abandons an unfinished image: the sink is aborted, no partial output is left. */
    @Override
    void close() throws IOException;
}
