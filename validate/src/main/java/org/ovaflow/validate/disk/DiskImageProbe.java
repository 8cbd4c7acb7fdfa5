package org.ovaflow.validate.disk;

import org.ovaflow.core.event.DiskImage;
import org.ovaflow.core.ova.FailureDescription;
import org.ovaflow.disk.DiskFormat;
import org.ovaflow.disk.DiskHeader;
import org.ovaflow.disk.DiskHeaders;
import org.ovaflow.disk.HeaderText;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The checksum stage's streaming adapter of the disk library's header probe ({@link DiskHeaders}): every buffer
 * the stage streams past is offered, only the first {@value #HEAD_BYTES} bytes and the last {@value #TAIL_BYTES}
 * are kept, so memory is bounded whatever the file's size, and the library's parsers read them at the end. In
 * the spirit of OpenStack Glance's format inspector: formats are told by their magic, never by name, and the
 * headers are read for what they reach outside the file (VMDK extents and parents, qcow2 backing and data
 * files, VHD parents).
 *
 * <p>A gzip-compressed file has its head inflated (at most {@value #HEAD_BYTES} bytes out of at most
 * {@value #HEAD_BYTES} in) and probed; its end is not, so a fixed VHD inside reads as raw data of unknown size.
 * Of a chunked file ({@code name.000000000}, …) the first chunk's head is probed, the other chunks are not.
 */
public final class DiskImageProbe {

    public static final int HEAD_BYTES = DiskHeaders.HEAD_BYTES;
    public static final int TAIL_BYTES = DiskHeaders.TAIL_BYTES;

    private static final Pattern CHUNK = Pattern.compile(".*\\.(\\d{9})");

    private final boolean probed;
    private final boolean chunk;
    private final byte[] head;
    private final byte[] tail;
    private int headLength;
    private int tailLength;
    private long size;

    private DiskImageProbe(boolean probed, boolean chunk) {
        this.probed = probed;
        this.chunk = chunk;
        this.head = probed ? new byte[HEAD_BYTES] : null;
        this.tail = probed ? new byte[TAIL_BYTES] : null;
    }

    /**
     * A probe for the tar entry {@code name}: one that keeps nothing and finds nothing for the descriptor, manifest
     * and certificate, and for the chunks after the first of a chunked file.
     */
    public static DiskImageProbe forEntry(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".ovf") || lower.endsWith(".mf") || lower.endsWith(".cert")) {
            return new DiskImageProbe(false, false);
        }
        var chunk = CHUNK.matcher(name);
        if (chunk.matches()) {
            boolean first = chunk.group(1).equals("000000000");
            return new DiskImageProbe(first, true);
        }
        return new DiskImageProbe(true, false);
    }

    /** Offers the next {@code length} bytes of the file. */
    public void update(byte[] buffer, int offset, int length) {
        if (!probed || length <= 0) {
            return;
        }
        size += length;
        if (headLength < HEAD_BYTES) {
            int taken = Math.min(length, HEAD_BYTES - headLength);
            System.arraycopy(buffer, offset, head, headLength, taken);
            headLength += taken;
        }
        if (length >= TAIL_BYTES) {
            System.arraycopy(buffer, offset + length - TAIL_BYTES, tail, 0, TAIL_BYTES);
            tailLength = TAIL_BYTES;
        } else {
            int kept = Math.min(tailLength, TAIL_BYTES - length);
            System.arraycopy(tail, tailLength - kept, tail, 0, kept);
            System.arraycopy(buffer, offset, tail, kept, length);
            tailLength = kept + length;
        }
    }

    /** What the file is, once all of it was offered; null when this entry is not probed. */
    public DiskHeader finish() {
        if (!probed) {
            return null;
        }
        try {
            if (DiskFormat.gzip(head, headLength)) {
                return probeGzip();
            }
            // of a chunk, neither the size nor the end is the image's
            return DiskHeaders.probe(head, headLength, chunk ? -1 : size,
                    chunk || tailLength < TAIL_BYTES ? null : tail);
        } catch (RuntimeException e) {
            // the parsers check every offset they read, so this is a bug: the file is refused, not the stage failed
            return DiskHeader.defective(DiskFormat.RAW, "a header the probe could not read (" + e + ")");
        }
    }

    private DiskHeader probeGzip() {
        byte[] inflated = new byte[HEAD_BYTES];
        int length = 0;
        String error = null;
        // input is what the head kept (at most HEAD_BYTES), output stops at HEAD_BYTES: bounded both ways
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(head, 0, headLength), 8192)) {
            int n;
            while (length < inflated.length && (n = in.read(inflated, length, inflated.length - length)) > 0) {
                length += n;
            }
        } catch (IOException e) {
            // a head cut from a longer stream ends early by design; only no output at all is a defect
            error = FailureDescription.of(e);
        }
        if (length == 0 && error != null) {
            return new DiskHeader(DiskFormat.RAW, null, true, List.of(),
                    "gzip-compressed data whose start does not inflate (" + HeaderText.printable(error) + ")");
        }
        return DiskHeaders.probe(inflated, length, -1, null).gzipped();
    }

    /** What goes into the tar index of the event for a file whose header the probe read. */
    public static DiskImage image(DiskHeader header) {
        return new DiskImage(header.format().id(), header.virtualSize());
    }
}
