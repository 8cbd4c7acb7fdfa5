package org.ovaflow.validate.schema;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.TarIndex;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the Files of References live in the archive: whole under their href, as numbered chunks
 * ({@code href.000000000}, {@code href.000000001}, … when they have an ovf:chunkSize), or outside the package.
 * Indexes the archive's names once, so a descriptor of many Files costs no more than one pass per File.
 */
final class PackagePaths {

    /** RFC 3986 scheme, e.g. http:, https:, file:, ftp:, smb:; also catches Windows drive letters (C:). */
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    /** DSP0243: a chunk's name is the href, a dot and its index as nine decimal digits. */
    private static final Pattern CHUNK = Pattern.compile("(.+)\\.\\d{9}");

    private final Map<String, TarEntry> byName = new HashMap<>();
    private final Map<String, List<TarEntry>> chunksByHref = new HashMap<>();

    PackagePaths(TarIndex tar) {
        for (TarEntry entry : tar.entries()) {
            byName.putIfAbsent(entry.name(), entry);
            var chunk = CHUNK.matcher(entry.name());
            if (chunk.matches()) {
                chunksByHref.computeIfAbsent(chunk.group(1), href -> new ArrayList<>()).add(entry);
            }
        }
        chunksByHref.values().forEach(chunks -> chunks.sort(Comparator.comparing(TarEntry::name)));
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

    /** The index of a chunk named by {@link #chunkName}. */
    static long chunkIndex(TarEntry chunk) {
        return Long.parseLong(chunk.name().substring(chunk.name().length() - 9));
    }

    Optional<TarEntry> entry(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The archive entries named as chunks of {@code href}, in the order of their index. */
    List<TarEntry> chunks(String href) {
        return chunksByHref.getOrDefault(href, List.of());
    }

    /** The names under which the archive holds this file: its href, or the names of its chunks. */
    List<String> entryNames(ApplianceMetadata.File file) {
        if (file.chunkSize() == null) {
            return entry(file.href()).map(entry -> List.of(entry.name())).orElse(List.of());
        }
        return chunks(file.href()).stream().map(TarEntry::name).toList();
    }
}
