package org.ovaflow.validate.schema;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.TarIndex;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a File of References lives: inside the package under its href, as numbered chunks
 * ({@code href.000000000}, {@code href.000000001}, … when it has an ovf:chunkSize), or outside it.
 */
final class PackagePaths {

    /** RFC 3986 scheme, e.g. http:, https:, file:, ftp:, smb:; also catches Windows drive letters (C:). */
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    /** DSP0243: a chunk's name is the href, a dot and its index as nine decimal digits. */
    private static final Pattern CHUNK_SUFFIX = Pattern.compile("\\.\\d{9}");

    private PackagePaths() {
    }

    /**
     * Why {@code href} names something outside the package, or empty when it names a file inside it. Such a
     * file is never fetched: OVF allows URLs in References, but an import that reads them reaches wherever the
     * descriptor's author points it.
     */
    static Optional<String> outsidePackage(String href) {
        if (href == null) {
            return Optional.empty();
        }
        var scheme = SCHEME.matcher(href);
        if (scheme.find()) {
            return Optional.of("it has the URI scheme '" + scheme.group() + "'");
        }
        if (href.startsWith("/") || href.startsWith("\\")) {
            return Optional.of("it is an absolute path");
        }
        for (String segment : href.split("[/\\\\]")) {
            if (segment.equals("..")) {
                return Optional.of("it climbs out of the package with '..'");
            }
        }
        return Optional.empty();
    }

    /** The chunk's name: {@code href.000000003} for index 3. */
    static String chunkName(String href, long index) {
        return href + "." + String.format("%09d", index);
    }

    /** The archive entries named as chunks of {@code href}, by their index. */
    static List<TarEntry> chunks(String href, TarIndex tar) {
        List<TarEntry> chunks = new ArrayList<>();
        for (TarEntry entry : tar.entries()) {
            String name = entry.name();
            if (name.length() == href.length() + 10 && name.startsWith(href)
                    && CHUNK_SUFFIX.matcher(name.substring(href.length())).matches()) {
                chunks.add(entry);
            }
        }
        chunks.sort(Comparator.comparing(TarEntry::name));
        return chunks;
    }

    /** The index of a chunk named by {@link #chunkName}. */
    static long chunkIndex(TarEntry chunk) {
        return Long.parseLong(chunk.name().substring(chunk.name().length() - 9));
    }

    /** The names under which the archive holds this file: its href, or the names of its chunks. */
    static List<String> entryNames(ApplianceMetadata.File file, TarIndex tar) {
        if (file.chunkSize() == null) {
            return tar.find(file.href()).map(entry -> List.of(entry.name())).orElse(List.of());
        }
        return chunks(file.href(), tar).stream().map(TarEntry::name).toList();
    }
}
