package org.ovaflow.disk;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The format of an image as its own bytes say, never as its name or the descriptor claims: magic numbers at
 * the start, and for a fixed VHD the footer at the end. Formats ovaflow does not read are recognised too, so
 * that a VHDX or VDI is refused by name instead of being taken for a raw disk.
 */
public enum SourceFormat {
    VMDK, QCOW2, VHD, RAW, GZIP;

    private static final int HEAD = 512;

    public static SourceFormat detect(ImageSource source) throws IOException {
        byte[] head = new byte[HEAD];
        int length;
        try (InputStream in = source.open(0, HEAD)) {
            length = in.readNBytes(head, 0, HEAD);
        }
        if (startsWith(head, length, 0, new byte[] {0x1f, (byte) 0x8b})) {
            return GZIP;
        } else if (startsWith(head, length, 0, ascii("KDMV")) || startsWith(head, length, 0, ascii("COWD"))
                || startsWith(head, length, 0, ascii("# Disk DescriptorFile"))) {
            return VMDK;
        } else if (startsWith(head, length, 0, new byte[] {'Q', 'F', 'I', (byte) 0xfb})) {
            return QCOW2;
        } else if (startsWith(head, length, 0, ascii("conectix"))) {
            return VHD;
        } else if (startsWith(head, length, 0, ascii("vhdxfile"))) {
            throw unsupported(source, "VHDX");
        } else if (startsWith(head, length, 64, new byte[] {0x7f, 0x10, (byte) 0xda, (byte) 0xbe})) {
            throw unsupported(source, "VDI");
        } else if (source.size() >= HEAD && source.randomAccess()
                && startsWith(source.readFully(source.size() - HEAD, HEAD), HEAD, 0, ascii("conectix"))) {
            return VHD; // fixed: the disk, then a footer
        }
        return RAW;
    }

    private static InvalidDiskImageException unsupported(ImageSource source, String format) {
        return new InvalidDiskImageException("disk.format.unsupported", source.name() + " is a " + format
                + " image, which ovaflow does not read (it reads VMDK, qcow2, VHD and raw)");
    }

    private static boolean startsWith(byte[] bytes, int length, int at, byte[] magic) {
        return length >= at + magic.length && Arrays.equals(bytes, at, at + magic.length, magic, 0, magic.length);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
