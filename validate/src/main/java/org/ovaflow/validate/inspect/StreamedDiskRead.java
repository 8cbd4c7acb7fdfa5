package org.ovaflow.validate.inspect;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.DiskImages;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.validate.checksum.EntryTap;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One disk file read to its end by the disk library's reader (the transcode stage's) on a thread of its own, from the bytes a
 * streaming pass hands over as it goes ({@link #accept}): a forward-only copy of the file, with its first
 * {@value #KEPT_HEAD} bytes kept so that the reader may start over there (format detection and gzip's rewind do).
 * A reader that asks for anything else behind it, or for another file of the package, needs ranges of the file:
 * its verdict is left to a ranged read ({@link #verdict()} null).
 *
 * <p>The queue holds the pass's own buffers, lent: its length is bounded by the pass's buffer pool, so a reader
 * that falls behind holds the pass back. One that is done (passed, refused, or left off) releases every buffer
 * it is given at once, so the pass never waits on it.
 */
final class StreamedDiskRead implements EntryTap.Sink, Runnable {

    /** What readers may go back to: more than format detection and a gzip header and first block need. */
    static final int KEPT_HEAD = 1024 * 1024;

    private record Piece(byte[] bytes, int length, Runnable release) {
    }

    private static final Piece END = new Piece(null, 0, () -> { });
    private static final Piece ABORT = new Piece(null, 0, () -> { });

    /** A read the stream cannot serve: the file must be read by ranges. */
    private static final class NeedsRanges extends IOException {
        NeedsRanges(String message) {
            super(message);
        }
    }

    private final String name;
    private final long size;
    private final ReadOptions options;
    private final boolean gzipped;
    private final BlockingQueue<Piece> pieces = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean done;
    private volatile CheckResult verdict;
    private volatile Throwable failure;

    StreamedDiskRead(String name, long size, ReadOptions options, boolean gzipped) {
        this.name = name;
        this.size = size;
        this.options = options.withSiblings(sibling -> {
            throw new NeedsRanges(name + " names another file of the package, which is read by ranges");
        });
        this.gzipped = gzipped;
        this.thread = new Thread(this, "ovaflow-disk-read");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** The next bytes of the file; released at once when the reader is done. */
    @Override
    public void accept(byte[] bytes, int length, Runnable release) {
        pieces.add(new Piece(bytes, length, release));
        if (done) {
            drain(); // the reader finished while this was added: nobody else will release it
        }
    }

    /** The file ended. */
    @Override
    public void end() {
        pieces.add(END);
    }

    /** Stops the reader (the pass ended early): no verdict. */
    void abort() {
        pieces.add(ABORT);
        if (done) {
            drain();
        }
    }

    /** Whether the file starts as a gzip stream (read inflated, as the stage reads it). */
    boolean gzipped() {
        return gzipped;
    }

    /** Whether its reader was told the manifest verifies it (and left the grains' Adler-32 unchecked). */
    boolean digestVerified() {
        return options.digestVerified();
    }

    /**
     * Waits for the reader: {@code disk.read} PASS, the reader's own FAIL, or null when the file needs a ranged
     * read (its reader went back, or the pass ended before the file did).
     */
    CheckResult verdict() throws IOException {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + name + " was read");
        }
        if (failure instanceof IOException e) {
            throw new IOException(name + " could not be read: " + e.getMessage(), e);
        } else if (failure != null) {
            throw new IllegalStateException("the reader of " + name + " failed", failure);
        }
        return verdict;
    }

    @Override
    public void run() {
        try (Pipe pipe = new Pipe(); DiskImageReader reader = DiskImages.open(pipe, options)) {
            verdict = DiskImageReads.readToEnd(reader, name, "in the streaming pass");
        } catch (InvalidDiskImageException e) {
            verdict = CheckResult.fail(e.check(), name, e.getMessage());
        } catch (NeedsRanges | Aborted e) {
            verdict = null;
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
        } finally {
            done = true;
            drain();
        }
    }

    private void drain() {
        for (Piece piece = pieces.poll(); piece != null; piece = pieces.poll()) {
            piece.release().run();
        }
    }

    private static final class Aborted extends IOException {
        Aborted() {
            super("the streaming pass ended before the file");
        }
    }

    /** The file as the pass streams it: forward, and its head again. */
    private final class Pipe implements ImageSource {
        private final byte[] head = new byte[(int) Math.min(KEPT_HEAD, Math.max(0, size))];
        /** Bytes taken from the queue so far; the first of them (up to {@link #KEPT_HEAD}) are in {@link #head}. */
        private long taken;
        private Piece current;
        private int at;
        private boolean ended;

        @Override
        public long size() {
            return size;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public InputStream open(long offset, long length) {
            long end = Math.min(size, offset + Math.max(0, length));
            return new InputStream() {
                private long position = offset;

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
                    int want = (int) Math.min(len, end - position);
                    int n;
                    if (position < Math.min(taken, head.length)) {
                        n = (int) Math.min(want, Math.min(taken, head.length) - position);
                        System.arraycopy(head, (int) position, b, off, n);
                    } else if (position < taken) {
                        throw new NeedsRanges(name + " is read back from " + position + ", behind what the stream "
                                + "keeps");
                    } else {
                        skipTo(position);
                        n = take(b, off, want);
                        if (n < 0) {
                            return -1;
                        }
                    }
                    position += n;
                    return n;
                }

                @Override
                public long skip(long n) {
                    long skipped = Math.max(0, Math.min(n, end - position));
                    position += skipped;
                    return skipped;
                }
            };
        }

        /** Drops the stream's bytes up to {@code offset}. */
        private void skipTo(long offset) throws IOException {
            while (taken < offset) {
                if (!fill()) {
                    return;
                }
                int n = (int) Math.min(current.length() - at, offset - taken);
                keep(current.bytes(), at, n);
                at += n;
                taken += n;
            }
        }

        private int take(byte[] b, int off, int len) throws IOException {
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, current.length() - at);
            System.arraycopy(current.bytes(), at, b, off, n);
            keep(current.bytes(), at, n);
            at += n;
            taken += n;
            return n;
        }

        private void keep(byte[] bytes, int from, int length) {
            if (taken < head.length) {
                System.arraycopy(bytes, from, head, (int) taken, (int) Math.min(length, head.length - taken));
            }
        }

        /** A current piece with bytes left, false at the end of the file. */
        private boolean fill() throws IOException {
            while (current == null || at == current.length()) {
                if (ended) {
                    return false;
                }
                if (current != null) {
                    current.release().run();
                    current = null;
                }
                Piece next;
                try {
                    next = pieces.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading " + name);
                }
                if (next == ABORT) {
                    throw new Aborted();
                }
                if (next == END) {
                    ended = true;
                    return false;
                }
                current = next;
                at = 0;
            }
            return true;
        }

        @Override
        public void close() {
            if (current != null) {
                current.release().run();
                current = null;
            }
        }
    }
}
