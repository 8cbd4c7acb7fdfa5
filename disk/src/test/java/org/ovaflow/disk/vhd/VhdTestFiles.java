package org.ovaflow.disk.vhd;

import org.ovaflow.disk.Conversion;
import org.ovaflow.disk.FileImageSink;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.raw.RawReader;
import org.ovaflow.disk.raw.RawWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Conversions through the VHD codec and byte patches of VHD files, for the tests of this package. */
final class VhdTestFiles {

    static final int FOOTER = 512;

    private VhdTestFiles() {
    }

    /** raw → {@link VhdWriter} (dynamic or fixed) → {@code vhd}; the size the VHD declares. */
    static long writeVhd(Path raw, Path vhd, boolean dynamic, boolean roundToMiB) throws IOException {
        try (FileImageSource source = new FileImageSource(raw);
             RawReader reader = RawReader.open(source, ReadOptions.defaults());
             VhdWriter writer = dynamic ? VhdWriter.dynamic(reader.virtualSize(), new FileImageSink(vhd), roundToMiB)
                     : VhdWriter.fixed(reader.virtualSize(), new FileImageSink(vhd), roundToMiB)) {
            Conversion.copy(reader, List.of(writer));
            return writer.virtualSize();
        }
    }

    /** {@code vhd} → {@link VhdReader} → raw; the virtual size the reader found. */
    static long readVhd(Path vhd, Path raw) throws IOException {
        try (FileImageSource source = new FileImageSource(vhd)) {
            return readVhd(source, raw);
        }
    }

    static long readVhd(ImageSource source, Path raw) throws IOException {
        try (VhdReader reader = VhdReader.open(source, ReadOptions.defaults());
             RawWriter writer = new RawWriter(reader.virtualSize(), new FileImageSink(raw))) {
            Conversion.copy(reader, List.of(writer));
            return reader.virtualSize();
        }
    }

    /** Opens {@code vhd} with the VHD reader and reads it to its end, for images that should be refused. */
    static void open(Path vhd, ReadOptions options) throws IOException {
        try (FileImageSource source = new FileImageSource(vhd);
             VhdReader reader = VhdReader.open(source, options)) {
            while (reader.next() != null) {
                // drain
            }
        }
    }

    static int getInt(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(4);
            channel.read(buffer, offset);
            return buffer.getInt(0);
        }
    }

    static void putInt(Path file, long offset, int value) throws IOException {
        put(file, offset, ByteBuffer.allocate(4).putInt(0, value).array());
    }

    static void putLong(Path file, long offset, long value) throws IOException {
        put(file, offset, ByteBuffer.allocate(8).putLong(0, value).array());
    }

    static void put(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long at = offset;
            while (buffer.hasRemaining()) {
                at += channel.write(buffer, at);
            }
        }
    }

    /** The offset of the footer at the end of the file. */
    static long tail(Path file) throws IOException {
        return Files.size(file) - FOOTER;
    }

    /** Patches a footer field in the copy at 0 (dynamic disks) and at the end, and fixes both checksums. */
    static void patchFooters(Path file, int field, byte[] value) throws IOException {
        boolean copyAtZero = getInt(file, 0) == 0x636f6e65; // "cone"
        if (copyAtZero) {
            put(file, field, value);
        }
        put(file, tail(file) + field, value);
        fixFooterChecksums(file);
    }

    static void fixFooterChecksums(Path file) throws IOException {
        if (getInt(file, 0) == 0x636f6e65) {
            fixChecksum(file, 0, FOOTER, VhdFooter.CHECKSUM_FIELD);
        }
        fixChecksum(file, tail(file), FOOTER, VhdFooter.CHECKSUM_FIELD);
    }

    static void fixChecksum(Path file, long offset, int length, int field) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(length);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (bytes.hasRemaining() && channel.read(bytes, offset + bytes.position()) > 0) {
                // until the structure is read
            }
        }
        putInt(file, offset + field, VhdFormat.checksum(bytes.array(), field));
    }

    static byte[] intBytes(int value) {
        return ByteBuffer.allocate(4).putInt(0, value).array();
    }

    static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8).putLong(0, value).array();
    }
}
