package org.ovaflow.disk.testing;

import org.ovaflow.disk.ImageSink;

import java.io.IOException;

/** A sink that hands everything to another: tests override what they watch or refuse. */
public class ForwardingSink implements ImageSink {

    protected final ImageSink sink;

    public ForwardingSink(ImageSink sink) {
        this.sink = sink;
    }

    @Override
    public void write(byte[] bytes, int from, int length) throws IOException {
        sink.write(bytes, from, length);
    }

    @Override
    public void writeZeros(long count) throws IOException {
        sink.writeZeros(count);
    }

    @Override
    public long position() {
        return sink.position();
    }

    @Override
    public long patchableHead() {
        return sink.patchableHead();
    }

    @Override
    public void patch(long offset, byte[] bytes, int from, int length) throws IOException {
        sink.patch(offset, bytes, from, length);
    }

    @Override
    public void announceLength(long length) throws IOException {
        sink.announceLength(length);
    }

    @Override
    public void finish() throws IOException {
        sink.finish();
    }

    @Override
    public void close() throws IOException {
        sink.close();
    }
}
