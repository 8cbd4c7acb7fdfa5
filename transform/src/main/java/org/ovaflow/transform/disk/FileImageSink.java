package org.ovaflow.transform.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An image written to a local file: to a temporary sibling first, renamed into place by {@link #finish()},
 * so a failed conversion leaves no half file under the target's name. Runs of zeros become holes. Like
 * {@code cp} and {@code qemu-img convert}, it leaves flushing to the page cache's own time (no fsync).
 */
public final class FileImageSink implements ImageSink {

    private final Path target;
    private final Path partial;
    private final FileChannel channel;
    /** Writes gathered into 1 MiB before they go to the file: 16 times fewer system calls than cluster by cluster. */
    private final ByteBuffer pending = ByteBuffer.allocateDirect(1024 * 1024);
    private long pendingAt;
    private long position;
    private boolean finished;

    public FileImageSink(Path target) throws IOException {
        this.target = target.toAbsolutePath();
        this.partial = this.target.resolveSibling(this.target.getFileName() + ".partial");
        this.channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.READ);
    }

    @Override
    public void write(byte[] bytes, int from, int length) throws IOException {
        int at = from;
        int left = length;
        while (left > 0) {
            if (pending.position() == 0) {
                pendingAt = position;
            }
            int run = Math.min(left, pending.remaining());
            pending.put(bytes, at, run);
            at += run;
            left -= run;
            position += run;
            if (!pending.hasRemaining()) {
                drain();
            }
        }
    }

    @Override
    public void writeZeros(long count) throws IOException {
        drain();
        position += count;
    }

    private void drain() throws IOException {
        pending.flip();
        long at = pendingAt;
        while (pending.hasRemaining()) {
            at += channel.write(pending, at);
        }
        pending.clear();
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public long patchableHead() {
        return Long.MAX_VALUE;
    }

    @Override
    public void patch(long offset, byte[] bytes, int from, int length) throws IOException {
        drain();
        if (offset + length > position) {
            throw new IllegalStateException("patch of [" + offset + ", " + (offset + length) + ") past what was written ("
                    + position + ")");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, from, length);
        long at = offset;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    @Override
    public void finish() throws IOException {
        drain();
        if (channel.size() < position) {
            // a trailing hole: the file must still have its full length
            channel.write(ByteBuffer.allocate(1), position - 1);
        }
        channel.close();
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        finished = true;
    }

    @Override
    public void close() throws IOException {
        if (!finished) {
            channel.close();
            Files.deleteIfExists(partial);
        }
    }
}
