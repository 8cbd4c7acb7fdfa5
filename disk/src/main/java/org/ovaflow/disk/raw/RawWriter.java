package org.ovaflow.disk.raw;

import org.ovaflow.disk.DiskImageWriter;
import org.ovaflow.disk.ImageSink;

import java.io.IOException;

/** A raw image: the guest's bytes in order, zeros where nothing was written (holes in a local file). */
public final class RawWriter implements DiskImageWriter {

    private final ImageSink sink;
    private final long virtualSize;

    public RawWriter(long virtualSize, ImageSink sink) {
        this.virtualSize = virtualSize;
        this.sink = sink;
    }

    @Override
    public void write(long offset, byte[] data, int from, int length) throws IOException {
        if (offset < sink.position() || offset + length > virtualSize) {
            throw new IllegalArgumentException("write of [" + offset + ", " + (offset + length) + ") out of order or past "
                    + virtualSize);
        }
        sink.writeZeros(offset - sink.position());
        sink.write(data, from, length);
    }

    @Override
    public void finish() throws IOException {
        sink.writeZeros(virtualSize - sink.position());
        sink.finish();
    }

    @Override
    public void close() throws IOException {
        sink.close();
    }
}
