package org.ovaflow.core.ova;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.io.input.CloseShieldInputStream;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks an OVA once, as a stream: each entry's header is recorded with the offset of its data in the archive,
 * and each regular file's data is handed to a {@link EntryReader} while it flows past. Nothing of the archive
 * is buffered beyond one tar record and the reader's own buffer, whatever its size.
 *
 * <p>Commons Compress parses the headers (ustar, pax, GNU long names); this class adds what an OVA needs on
 * top: offsets for later ranged reads, and hard limits so a hostile archive cannot make the walk unbounded.
 */
public final class OvaArchive {

    /** An OVA holds a descriptor, a manifest, a certificate and some disks; thousands of entries is an attack. */
    public static final int MAX_ENTRIES = 10_000;

    private static final int READ_BUFFER = 1 << 20;

    private OvaArchive() {
    }

    /** Receives the data of one regular-file entry; must read it to its end or not at all. */
    @FunctionalInterface
    public interface EntryReader {
        void read(OvaEntry entry, InputStream data) throws IOException;

        /**
         * Receives what follows the archive's end-of-archive record (nothing, usually), before the walk closes
         * its stream; left unread by default.
         */
        default void afterArchive(InputStream rest) throws IOException {
        }
    }

    /**
     * Walks {@code ova}, calling {@code reader} for every regular file, and returns every entry in order.
     *
     * @throws InvalidOvaException when the stream is empty, not a tar, truncated, or has too many entries
     */
    public static List<OvaEntry> walk(InputStream ova, EntryReader reader) throws InvalidOvaException, IOException {
        return walk(ova, reader, false);
    }

    /**
     * {@link #walk(InputStream, EntryReader)} of a stream that reads ahead in large blocks itself (the checksum
     * stage's, which hashes them): read as it is, since a buffer of ours would copy every byte once more.
     */
    public static List<OvaEntry> walkBuffered(InputStream ova, EntryReader reader)
            throws InvalidOvaException, IOException {
        return walk(ova, reader, true);
    }

    private static List<OvaEntry> walk(InputStream ova, EntryReader reader, boolean buffered)
            throws InvalidOvaException, IOException {
        CountingInputStream position = new CountingInputStream(buffered ? ova
                : new BufferedInputStream(ova, READ_BUFFER));
        List<OvaEntry> entries = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(position)) {
            TarArchiveEntry header;
            while ((header = nextHeader(tar)) != null) {
                if (entries.size() == MAX_ENTRIES) {
                    throw new InvalidOvaException("tar.entry-count",
                            "more than " + MAX_ENTRIES + " entries: not an OVA");
                }
                OvaEntry entry = new OvaEntry(withoutDotSlash(header.getName()), kindOf(header), position.count(), header.getSize(),
                        header.isSymbolicLink() || header.isLink() ? header.getLinkName() : null);
                entries.add(entry);
                if (entry.kind() == OvaEntry.Kind.FILE) {
                    readFully(entry, tar, reader);
                }
            }
            if (!entries.isEmpty()) {
                reader.afterArchive(position);
            }
        }
        if (entries.isEmpty()) {
            throw new InvalidOvaException("tar.readable", position.count() == 0
                    ? "the file is empty" : "no tar entry found: not a tar archive");
        }
        return entries;
    }

    /**
     * The name without leading {@code ./}: {@code tar -cf x.ova ./x.ovf ./disk.vmdk} names the package's files so,
     * and they are the files the descriptor and manifest name {@code x.ovf} and {@code disk.vmdk}.
     */
    static String withoutDotSlash(String name) {
        String stripped = name;
        while (stripped.startsWith("./") && stripped.length() > 2) {
            stripped = stripped.substring(2);
        }
        return stripped;
    }

    private static TarArchiveEntry nextHeader(TarArchiveInputStream tar) throws InvalidOvaException {
        try {
            return tar.getNextEntry();
        } catch (IOException e) {
            if (isTruncation(e)) {
                throw new InvalidOvaException("tar.truncated", "the archive ends inside a tar header", e);
            }
            throw new InvalidOvaException("tar.readable", "not a tar archive: " + FailureDescription.of(e), e);
        } catch (IllegalArgumentException e) {
            // Commons Compress says "Error detected parsing the header" and the like for non-tar input
            throw new InvalidOvaException("tar.readable", "not a tar archive: " + FailureDescription.of(e), e);
        }
    }

    private static void readFully(OvaEntry entry, TarArchiveInputStream tar, EntryReader reader)
            throws InvalidOvaException, IOException {
        // counted, to notice a short (truncated) entry; shielded, as the tar stream is the walk's to close
        CountingInputStream data = new CountingInputStream(CloseShieldInputStream.wrap(tar));
        try {
            reader.read(entry, data);
            data.transferTo(OutputStream.nullOutputStream()); // what the reader left, so offsets stay right
        } catch (IOException e) {
            if (isTruncation(e)) {
                throw truncated(entry, e);
            }
            throw e;
        }
        if (data.count() != entry.size()) {
            throw truncated(entry, null);
        }
    }

    /** Commons Compress reports a short archive as an EOFException or as "Truncated TAR archive". */
    private static boolean isTruncation(IOException e) {
        return e instanceof EOFException || (e.getMessage() != null && e.getMessage().contains("Truncated"));
    }

    private static InvalidOvaException truncated(OvaEntry entry, Throwable cause) {
        return new InvalidOvaException("tar.truncated", entry.name() + ": the archive ends inside this entry ("
                + entry.size() + " bytes declared)", cause);
    }

    private static OvaEntry.Kind kindOf(TarArchiveEntry header) {
        if (header.isSymbolicLink()) {
            return OvaEntry.Kind.SYMLINK;
        } else if (header.isLink()) {
            return OvaEntry.Kind.HARDLINK;
        } else if (header.isDirectory()) {
            return OvaEntry.Kind.DIRECTORY;
        } else if (header.isCharacterDevice() || header.isBlockDevice()) {
            return OvaEntry.Kind.DEVICE;
        } else if (header.isFIFO()) {
            return OvaEntry.Kind.FIFO;
        } else if (header.isFile()) {
            return OvaEntry.Kind.FILE;
        }
        return OvaEntry.Kind.OTHER;
    }
}
