package org.ovaflow.disk;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** An image in a local file (what {@code ovaflow convert} reads, and {@code ovaflow inspect} of a package's files). */
public final class FileImageSource implements ImageSource {

    /** Mapped 64 MiB at a time: few mappings, and address space is released as windows are dropped. */
    private static final long WINDOW = 64L * 1024 * 1024;

    private final Path path;
    private final FileChannel channel;

    public FileImageSource(Path path) throws IOException {
        this(path, StandardOpenOption.READ);
    }

    private FileImageSource(Path path, OpenOption... options) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, options);
    }

    /**
     * At most {@code length} bytes of {@code file} from {@code offset}, as a stream that owns the file's channel
     * (closed with it). A symbolic link is not followed: a package's file is read where it is, never elsewhere.
     */
    public static InputStream range(Path file, long offset, long length) throws IOException {
        FileImageSource source = new FileImageSource(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        try {
            return new FilterInputStream(source.open(offset, length)) {
                @Override
                public void close() throws IOException {
                    source.close();
                }
            };
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
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

    /**
     * A bounded stream on the file through memory-mapped windows: the bytes are copied once, from the page cache
     * into the reader's array (a channel read copies twice). Several streams may be open on the one file.
     */
    @Override
    public InputStream open(long offset, long length) throws IOException {
        long end = offset + Math.min(length, Math.max(0, size() - offset));
        return new InputStream() {
            private long position = offset;
            private MappedByteBuffer window;
            private long windowAt;

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
                if (window == null || position < windowAt || position >= windowAt + window.limit()) {
                    windowAt = position;
                    window = channel.map(FileChannel.MapMode.READ_ONLY, position, Math.min(WINDOW, end - position));
                }
                int within = (int) (position - windowAt);
                int run = (int) Math.min(len, window.limit() - within);
                window.get(within, b, off, run);
                position += run;
                return run;
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
