package org.ovaflow.disk;

import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.io.UncheckedIOException;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;

/**
 * A file the package splits into chunks ({@code ovf:chunkSize}: entries {@code href.000000000},
 * {@code href.000000001}, …), read as the one file they make.
 */
public final class ChunkedFileSource implements ImageSource {

    private final String name;
    private final List<ImageSource> chunks;
    private final long[] starts;
    private final long size;

    public ChunkedFileSource(String name, List<ImageSource> chunks) {
        this.name = name;
        this.chunks = List.copyOf(chunks);
        this.starts = new long[chunks.size()];
        long at = 0;
        for (int i = 0; i < chunks.size(); i++) {
            starts[i] = at;
            at += chunks.get(i).size();
        }
        this.size = at;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InputStream open(long offset, long length) throws IOException {
        long end = Math.min(size, offset + length);
        List<int[]> wanted = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            if (starts[i] + chunks.get(i).size() > offset && starts[i] < end) {
                wanted.add(new int[] {i});
            }
        }
        Iterator<int[]> next = wanted.iterator();
        // each chunk's GET is opened when the one before is read to its end, not all at once
        Enumeration<InputStream> parts = new Enumeration<>() {
            @Override
            public boolean hasMoreElements() {
                return next.hasNext();
            }

            @Override
            public InputStream nextElement() {
                int i = next.next()[0];
                long from = Math.max(offset, starts[i]) - starts[i];
                long to = Math.min(end, starts[i] + chunks.get(i).size()) - starts[i];
                try {
                    return chunks.get(i).open(from, to - from);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        return new SequenceInputStream(parts);
    }
}
