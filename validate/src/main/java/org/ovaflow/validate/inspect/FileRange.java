package org.ovaflow.validate.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A range of a local file as a stream, through memory-mapped windows of a channel of its own (closed with the
 * stream): the bytes are copied once, from the page cache into the reader's array, as the transcode stage's
 * {@code FileImageSource} reads a local file.
 */
final class FileRange extends InputStream {

    /** Mapped 64 MiB at a time: few mappings, and address space is released as windows are dropped. */
    private static final long WINDOW = 64L * 1024 * 1024;

    private final FileChannel channel;
    private long position;
    private final long end;
    private MappedByteBuffer window;
    private long windowAt;

    private FileRange(FileChannel channel, long offset, long length) {
        this.channel = channel;
        this.position = offset;
        this.end = offset + Math.max(0, length);
    }

    /** At most {@code length} bytes of {@code file} from {@code offset}. */
    static InputStream open(Path file, long offset, long length) throws IOException {
        return new FileRange(FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS), offset,
                length);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position >= end) {
            return -1;
        }
        if (window == null || position < windowAt || position >= windowAt + window.limit()) {
            long size = channel.size();
            if (position >= size) {
                return -1;
            }
            windowAt = position;
            window = channel.map(FileChannel.MapMode.READ_ONLY, position, Math.min(WINDOW, Math.min(end, size)
                    - position));
        }
        int within = (int) (position - windowAt);
        int n = (int) Math.min(len, window.limit() - within);
        window.get(within, b, off, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long skipped = Math.max(0, Math.min(n, end - position));
        position += skipped;
        return skipped;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
