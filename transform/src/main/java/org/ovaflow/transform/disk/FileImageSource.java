package org.ovaflow.transform.disk;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** An image in a local file (what {@code ovaflow convert} reads). */
public final class FileImageSource implements ImageSource {

    private final Path path;
    private final FileChannel channel;

    public FileImageSource(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
    }

    @Override
    public long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return path.getFileName().toString();
    }

    @Override
    public InputStream open(long offset, long length) throws IOException {
        // a bounded view on a positional channel: several streams may be open on the one file
        return new InputStream() {
            private long position = offset;
            private final long end = offset + Math.min(length, Math.max(0, size() - offset));

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (position >= end) {
                    return -1;
                }
                int read = channel.read(java.nio.ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
                if (read > 0) {
                    position += read;
                }
                return read;
            }

            @Override
            public long skip(long n) {
                long skipped = Math.max(0, Math.min(n, end - position));
                position += skipped;
                return skipped;
            }
        };
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
