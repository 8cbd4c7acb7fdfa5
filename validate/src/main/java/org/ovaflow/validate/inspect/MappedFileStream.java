package org.ovaflow.validate.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A whole local file read forward through mapped windows, each unmapped as soon as the stream has moved past it:
 * the bytes are copied once, from the page cache into the reader's array (a stream of the file copies them twice,
 * through a direct buffer of the JDK's), and the process maps one window at a time. Left to the garbage collector,
 * the windows of a pass that allocates little would stay mapped, so that the process's resident size would grow
 * to the size of the file.
 */
final class MappedFileStream extends InputStream {

    private static final long WINDOW = 16L * 1024 * 1024;

    private final FileChannel channel;
    private final long size;
    private long position;
    private MappedByteBuffer window;
    private long windowAt;

    private MappedFileStream(FileChannel channel) throws IOException {
        this.channel = channel;
        this.size = channel.size();
    }

    static InputStream open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new MappedFileStream(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
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
        if (position >= size) {
            return -1;
        }
        if (window == null || position >= windowAt + window.limit()) {
            unmap();
            windowAt = position;
            window = channel.map(FileChannel.MapMode.READ_ONLY, position, Math.min(WINDOW, size - position));
        }
        int within = (int) (position - windowAt);
        int n = Math.min(len, window.limit() - within);
        window.get(within, b, off, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long skipped = Math.max(0, Math.min(n, size - position));
        position += skipped;
        return skipped;
    }

    @Override
    public void close() throws IOException {
        unmap();
        channel.close();
    }

    /** Unmaps the window now: no slice of it ever left this stream, so nothing can touch it afterwards. */
    private void unmap() {
        if (window != null) {
            MappedByteBuffer done = window;
            window = null;
            Unmapper.unmap(done);
        }
    }

    /** sun.misc.Unsafe#invokeCleaner (jdk.unsupported): the JDK's own way to release a mapping before GC does. */
    private static final class Unmapper {
        private static final sun.misc.Unsafe UNSAFE = unsafe();

        private static sun.misc.Unsafe unsafe() {
            try {
                Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                return (sun.misc.Unsafe) field.get(null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null; // then the garbage collector unmaps, later
            }
        }

        static void unmap(MappedByteBuffer buffer) {
            if (UNSAFE != null) {
                UNSAFE.invokeCleaner(buffer);
            }
        }
    }
}
