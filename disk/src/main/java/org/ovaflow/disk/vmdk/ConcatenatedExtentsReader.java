package org.ovaflow.disk.vmdk;

import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.ImageSource;

import java.io.IOException;
import java.util.List;

/**
 * The disk a descriptor file describes: its extents one after the other. Each extent's reader is opened
 * when the disk reaches it and closed when it is done, so one extent file is read at a time; the extent
 * files (the package's, opened by the descriptor reader) are closed with this reader.
 */
final class ConcatenatedExtentsReader implements DiskImageReader {

    /** An extent's place on the disk and how to read it once reached; a ZERO extent has no opener. */
    record Part(long start, long length, ExtentOpener opener) {
    }

    @FunctionalInterface
    interface ExtentOpener {
        DiskImageReader open() throws IOException;
    }

    private final List<Part> parts;
    private final List<ImageSource> files;
    private final long virtualSize;
    private int current = -1;
    private DiskImageReader reader;

    ConcatenatedExtentsReader(List<Part> parts, List<ImageSource> files, long virtualSize) {
        this.parts = parts;
        this.files = files;
        this.virtualSize = virtualSize;
    }

    @Override
    public long virtualSize() {
        return virtualSize;
    }

    @Override
    public Chunk next() throws IOException {
        while (true) {
            if (reader != null) {
                Part part = parts.get(current);
                Chunk chunk = reader.next();
                if (chunk != null && chunk.offset() < part.length()) {
                    // a sparse extent whose capacity exceeds the descriptor's count of sectors: cut there
                    int length = (int) Math.min(chunk.length(), part.length() - chunk.offset());
                    return new Chunk(part.start() + chunk.offset(), chunk.data(), chunk.from(), length);
                }
                reader.close();
                reader = null;
            }
            if (++current >= parts.size()) {
                return null;
            }
            ExtentOpener opener = parts.get(current).opener();
            reader = opener == null ? null : opener.open();
        }
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        for (ImageSource file : files) {
            try {
                file.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
