package org.ovaflow.validate.disk;

import org.ovaflow.core.ova.FailureDescription;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Reads what a file of the package is from its own header, while the checksum stage streams it past: every
 * buffer is offered, only the first {@value #HEAD_BYTES} bytes and the last {@value #TAIL_BYTES} are kept, so
 * memory is bounded whatever the file's size. In the spirit of OpenStack Glance's format inspector: formats are
 * told by their magic, never by name, and the headers are read for what they reach outside the file (VMDK
 * extents and parents, qcow2 backing and data files, VHD parents).
 *
 * <p>A gzip-compressed file has its head inflated (at most {@value #HEAD_BYTES} bytes out of at most
 * {@value #HEAD_BYTES} in) and probed; its end is not, so a fixed VHD inside reads as raw data of unknown size.
 * Of a chunked file ({@code name.000000000}, …) the first chunk's head is probed, the other chunks are not.
 */
public final class DiskImageProbe {

    public static final int HEAD_BYTES = 64 * 1024;
    public static final int TAIL_BYTES = VhdFooter.SIZE;

    private static final Pattern CHUNK = Pattern.compile(".*\\.(\\d{9})");
    private static final byte[] DESCRIPTOR = VmdkDescriptor.SIGNATURE.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VHDX = "vhdxfile".getBytes(StandardCharsets.US_ASCII);
    private static final int VDI_MAGIC_AT = 64;
    private static final int VDI_MAGIC = 0xbeda107f;
    private static final int ISO_MAGIC_AT = 0x8001;
    private static final byte[] ISO = "CD001".getBytes(StandardCharsets.US_ASCII);

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
            if (headLength >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                return probeGzip();
            }
            // of a chunk, neither the size nor the end is the image's
            return probe(head, headLength, chunk ? -1 : size, chunk || tailLength < TAIL_BYTES ? null : tail);
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
        return probe(inflated, length, -1, null).gzipped();
    }

    /**
     * @param size the file's size, -1 when it is not the image's (gzip, a chunk)
     * @param tail its last 512 bytes, null when they are not the image's end
     */
    private static DiskHeader probe(byte[] head, int length, long size, byte[] tail) {
        int magicLe = length >= 4 ? ByteBuffer.wrap(head, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() : 0;
        int magicBe = length >= 4 ? ByteBuffer.wrap(head, 0, 4).getInt() : 0;
        if (magicLe == VmdkSparseHeader.MAGIC) {
            return VmdkSparseHeader.probe(head, length);
        } else if (magicLe == VmdkSparseHeader.MAGIC_COWD || magicLe == VmdkSparseHeader.MAGIC_SESPARSE) {
            return VmdkSparseHeader.probeOther(head, length);
        } else if (startsWith(head, length, 0, DESCRIPTOR)) {
            return descriptorFile(head, length, size);
        } else if (magicBe == Qcow2Header.MAGIC) {
            return Qcow2Header.probe(head, length);
        } else if (startsWith(head, length, 0, VhdFooter.COOKIE)) {
            return VhdFooter.probeHead(head, length);
        } else if (startsWith(head, length, 0, VHDX)) {
            return DiskHeader.of(DiskFormat.VHDX, null);
        } else if (length >= VDI_MAGIC_AT + 4 && ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN)
                .getInt(VDI_MAGIC_AT) == VDI_MAGIC) {
            return DiskHeader.of(DiskFormat.VDI, null);
        } else if (startsWith(head, length, ISO_MAGIC_AT, ISO)) {
            return DiskHeader.of(DiskFormat.ISO, null);
        } else if (tail != null && VhdFooter.startsWithCookie(tail, 0, tail.length)) {
            return VhdFooter.probeTail(tail);
        }
        return DiskHeader.of(DiskFormat.RAW, size < 0 ? null : size);
    }

    private static DiskHeader descriptorFile(byte[] head, int length, long size) {
        // the whole file must be in the head: a descriptor is a few hundred bytes, VMware's limit is far below this
        if (size > HEAD_BYTES || (size < 0 && length >= HEAD_BYTES)) {
            return DiskHeader.defective(DiskFormat.VMDK_DESCRIPTOR, "a VMDK descriptor file of "
                    + (size < 0 ? "more than " + HEAD_BYTES : size) + " bytes; at most " + HEAD_BYTES + " are valid");
        }
        VmdkDescriptor descriptor = VmdkDescriptor.parse(head, 0, length, false);
        if (descriptor.defect() != null) {
            return DiskHeader.defective(DiskFormat.VMDK_DESCRIPTOR, "an unreadable VMDK descriptor file: "
                    + descriptor.defect());
        }
        if (descriptor.extents() == 0) {
            return DiskHeader.defective(DiskFormat.VMDK_DESCRIPTOR, "a VMDK descriptor file without extents");
        }
        return new DiskHeader(DiskFormat.VMDK_DESCRIPTOR, descriptor.virtualSize(), false, descriptor.references(),
                null);
    }

    private static boolean startsWith(byte[] bytes, int length, int at, byte[] magic) {
        return length >= at + magic.length && Arrays.equals(bytes, at, at + magic.length, magic, 0, magic.length);
    }
}
