package org.ovaflow.disk;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A file of a package as the one image its disk is, found and opened the one way the transcode stage and
 * {@code ovaflow inspect} both read it: the entry of its name, or its chunks ({@code ovf:chunkSize}: entries
 * {@code href.000000000}, {@code href.000000001}, …) joined, inflated when the descriptor says it is gzip-compressed.
 */
public final class PackageFile {

    private PackageFile() {
    }

    /** The names of the entries holding {@code href}: itself, or its chunks in order; empty when the package has none. */
    public static List<String> partNames(String href, Predicate<String> present) {
        if (present.test(href)) {
            return List.of(href);
        }
        List<String> chunks = new ArrayList<>();
        for (int i = 0; present.test(chunk(href, i)); i++) {
            chunks.add(chunk(href, i));
        }
        return chunks;
    }

    /**
     * The image of {@code href}, made of {@code parts} (the sources of {@link #partNames}, in order): one whole
     * entry, or its chunks joined; inflated on the way when {@code gzip} (the descriptor's {@code ovf:compression}).
     */
    public static ImageSource source(String href, List<? extends ImageSource> parts, boolean gzip) {
        ImageSource source = parts.size() == 1 && parts.get(0).name().equals(href) ? parts.get(0)
                : new ChunkedFileSource(href, List.copyOf(parts));
        return gzip ? new GzipImageSource(source) : source;
    }

    /** Byte ranges of a package's data: the OVA's in the store, a local file's. */
    @FunctionalInterface
    public interface Ranges {
        /** At most {@code length} bytes from {@code offset}. */
        InputStream open(long offset, long length) throws IOException;
    }

    /**
     * One entry of a package as an image source: {@code size} bytes at {@code offset} of {@code ranges}, read in
     * place (nothing is extracted or copied first); a read past the entry's end gets what is left of it.
     */
    public static ImageSource entry(String name, long offset, long size, Ranges ranges) {
        return new ImageSource() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public InputStream open(long from, long length) throws IOException {
                return ranges.open(offset + from, Math.max(0, Math.min(length, size - from)));
            }
        };
    }

    private static String chunk(String href, int index) {
        return String.format(Locale.ROOT, "%s.%09d", href, index);
    }
}
