package org.ovaflow.disk.vmdk;

import org.ovaflow.disk.Conversion;
import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.FileImageSink;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.testing.HostileDisks;
import org.ovaflow.disk.raw.RawWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Small VMDKs built byte by byte, and byte patches, for the tests of hostile and unusual images. */
final class VmdkTestImages {

    static final int SECTOR = 512;
    static final int GRAIN = 64 * 1024;
    static final long GRAIN_SECTORS = GRAIN / SECTOR;
    /** Layout of {@link #monolithicSparse}: header, descriptor, directory, one table, grains from 128. */
    static final long SPARSE_DESCRIPTOR_SECTOR = 1;
    static final long SPARSE_GD_SECTOR = 2;
    static final long SPARSE_GT_SECTOR = 3;
    static final long SPARSE_FIRST_GRAIN_SECTOR = 128;

    private VmdkTestImages() {
    }

    static byte[] descriptorText(String createType, String parentCid, String extentLine) {
        return ("# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=" + parentCid + "\ncreateType=\"" + createType
                + "\"\n\n# Extent description\n" + extentLine + "\n\n#DDB\nddb.adapterType = \"lsilogic\"\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A monolithicSparse file of {@code capacitySectors} (at most 512 grains: one grain table) holding the
     * given grains (by grain number), stored in ascending order from sector 128.
     */
    static Path monolithicSparse(Path file, long capacitySectors, SortedMap<Long, byte[]> grains, String parentCid)
            throws IOException {
        SparseExtentHeader header = new SparseExtentHeader(1, SparseExtentHeader.FLAG_VALID_NEWLINE_TEST,
                capacitySectors, GRAIN_SECTORS, SPARSE_DESCRIPTOR_SECTOR, 1, 512, 0, SPARSE_GD_SECTOR,
                SPARSE_FIRST_GRAIN_SECTOR, 0);
        ByteBuffer out = ByteBuffer.allocate((int) (SPARSE_FIRST_GRAIN_SECTOR * SECTOR + grains.size() * GRAIN))
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(header.toBytes());
        out.put(descriptorText("monolithicSparse", parentCid, "RW " + capacitySectors + " SPARSE \"x.vmdk\""));
        out.putInt((int) (SPARSE_GD_SECTOR * SECTOR), (int) SPARSE_GT_SECTOR);
        long sector = SPARSE_FIRST_GRAIN_SECTOR;
        for (Map.Entry<Long, byte[]> grain : grains.entrySet()) {
            out.putInt((int) (SPARSE_GT_SECTOR * SECTOR + grain.getKey() * 4), (int) sector);
            out.put((int) (sector * SECTOR), grain.getValue());
            sector += GRAIN_SECTORS;
        }
        Files.write(file, out.array());
        return file;
    }

    /** One grain of a hand-made streamOptimized file: its lba and its compressed bytes as stored. */
    record StreamGrain(long lba, byte[] compressed) {
    }

    /**
     * A streamOptimized file: header (grain directory at the end), descriptor, the grains in the order
     * given, then an end-of-stream marker if asked. No tables: the forward reader does not need them.
     */
    static Path streamOptimized(Path file, long capacitySectors, boolean endOfStream, StreamGrain... grains)
            throws IOException {
        SparseExtentHeader header = new SparseExtentHeader(3, SparseExtentHeader.FLAG_VALID_NEWLINE_TEST
                | SparseExtentHeader.FLAG_COMPRESSED_GRAINS | SparseExtentHeader.FLAG_MARKERS, capacitySectors,
                GRAIN_SECTORS, 1, 20, 512, 0, SparseExtentHeader.GD_AT_END, 128, 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header.toBytes());
        byte[] descriptor = descriptorText("streamOptimized", "ffffffff", "RW " + capacitySectors + " SPARSE \"x.vmdk\"");
        out.write(descriptor);
        out.write(new byte[128 * SECTOR - SECTOR - descriptor.length]);
        for (StreamGrain grain : grains) {
            ByteBuffer marker = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            marker.putLong(grain.lba()).putInt(grain.compressed().length);
            out.write(marker.array());
            out.write(grain.compressed());
            int used = 12 + grain.compressed().length;
            out.write(new byte[(SECTOR - used % SECTOR) % SECTOR]);
        }
        if (endOfStream) {
            out.write(new byte[SECTOR]);
        }
        Files.write(file, out.toByteArray());
        return file;
    }

    static byte[] zlib(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflater = new DeflaterOutputStream(out, new Deflater(9))) {
            deflater.write(data);
        }
        return out.toByteArray();
    }

    static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    static void patchInt(Path file, long offset, int value) throws IOException {
        patch(file, offset, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    static void patchLong(Path file, long offset, long value) throws IOException {
        patch(file, offset, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
    }

    static void patch(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    static Path gzip(Path file, Path gz) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz), 64 * 1024)) {
            Files.copy(file, out);
        }
        return gz;
    }

    /** Siblings of a package kept in {@code dir}: only the names given, opened as local files. */
    static ReadOptions siblingsIn(Path dir, String... names) {
        return ReadOptions.defaults().withSiblings(name -> {
            for (String known : names) {
                if (known.equals(name)) {
                    return Optional.of(new org.ovaflow.disk.FileImageSource(dir.resolve(name)));
                }
            }
            return Optional.empty();
        });
    }

    /** Reads {@code source} as a VMDK into a raw file: what the reader hands out, as a disk. */
    static Path toRaw(ImageSource source, ReadOptions options, Path raw) throws IOException {
        try (DiskImageReader reader = VmdkReader.open(source, options);
             RawWriter writer = new RawWriter(reader.virtualSize(), new FileImageSink(raw))) {
            Conversion.copy(reader, java.util.List.of(writer));
        }
        return raw;
    }

    /** Asserts that reading {@code vmdk} to its end is refused with {@code check}. */
    static void assertRefused(Path vmdk, ReadOptions options, String check) throws IOException {
        HostileDisks.refused(vmdk, options, check);
        Path raw = vmdk.resolveSibling(vmdk.getFileName() + ".refused.raw");
        try (ImageSource source = new org.ovaflow.disk.FileImageSource(vmdk)) {
            assertThatThrownBy(() -> toRaw(source, options, raw))
                    .isInstanceOfSatisfying(InvalidDiskImageException.class, e -> assertThat(e.check())
                            .as("check of: %s", e.getMessage()).isEqualTo(check));
        }
        assertThat(raw).doesNotExist();
    }
}
