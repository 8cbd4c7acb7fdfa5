package org.ovaflow.disk.vmdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.disk.DiskImages;
import org.ovaflow.disk.FileImageSink;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.GzipImageSource;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;

import org.ovaflow.disk.testing.HostileDisks;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ovaflow.disk.vmdk.VmdkTestImages.GRAIN;
import static org.ovaflow.disk.vmdk.VmdkTestImages.GRAIN_SECTORS;
import static org.ovaflow.disk.vmdk.VmdkTestImages.SECTOR;
import static org.ovaflow.disk.vmdk.VmdkTestImages.SPARSE_GD_SECTOR;
import static org.ovaflow.disk.vmdk.VmdkTestImages.SPARSE_GT_SECTOR;
import static org.ovaflow.disk.vmdk.VmdkTestImages.StreamGrain;
import static org.ovaflow.disk.vmdk.VmdkTestImages.assertRefused;
import static org.ovaflow.disk.vmdk.VmdkTestImages.descriptorText;
import static org.ovaflow.disk.vmdk.VmdkTestImages.filled;
import static org.ovaflow.disk.vmdk.VmdkTestImages.monolithicSparse;
import static org.ovaflow.disk.vmdk.VmdkTestImages.patch;
import static org.ovaflow.disk.vmdk.VmdkTestImages.patchInt;
import static org.ovaflow.disk.vmdk.VmdkTestImages.patchLong;
import static org.ovaflow.disk.vmdk.VmdkTestImages.siblingsIn;
import static org.ovaflow.disk.vmdk.VmdkTestImages.streamOptimized;
import static org.ovaflow.disk.vmdk.VmdkTestImages.toRaw;
import static org.ovaflow.disk.vmdk.VmdkTestImages.zlib;

/**
 * Corrupt and hostile VMDKs, built by hand or patched from good ones (no qemu-img needed): each is refused
 * with its named check, never another exception, an endless loop or a huge allocation.
 */
class VmdkHostileImageTest {

    /** 32 grains: one grain table, part used. */
    private static final long CAPACITY = 32 * GRAIN_SECTORS;
    /** Offsets in a stream file of {@link VmdkTestImages#streamOptimized}: grains start at sector 128. */
    private static final long FIRST_MARKER = 128L * SECTOR;

    @TempDir
    Path dir;

    // --- the good images the hostile ones are patched from

    @Test
    void theHandMadeImagesAreGood() throws Exception {
        Path sparse = goodSparse();
        Path stream = goodStream();
        byte[] expected = new byte[(int) CAPACITY * SECTOR];
        System.arraycopy(filled(GRAIN, 1), 0, expected, 0, GRAIN);
        System.arraycopy(filled(GRAIN, 3), 0, expected, 3 * GRAIN, GRAIN);
        assertThat(Files.readAllBytes(read(sparse))).isEqualTo(expected);
        assertThat(Files.readAllBytes(read(stream))).isEqualTo(expected);
    }

    // --- streamOptimized

    @Test
    void grainLbaPastTheCapacity() throws Exception {
        Path vmdk = goodStream();
        patchLong(vmdk, FIRST_MARKER, CAPACITY);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-lba");
    }

    @Test
    void grainLbaNotAtTheStartOfAGrain() throws Exception {
        Path vmdk = goodStream();
        patchLong(vmdk, FIRST_MARKER, 7);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-lba");
    }

    @Test
    void grainsOutOfOrder() throws Exception {
        Path vmdk = streamOptimized(dir.resolve("s.vmdk"), CAPACITY, true,
                new StreamGrain(3 * GRAIN_SECTORS, zlib(filled(GRAIN, 3))),
                new StreamGrain(0, zlib(filled(GRAIN, 1))));
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-order");
    }

    @Test
    void theSameGrainTwice() throws Exception {
        Path vmdk = streamOptimized(dir.resolve("s.vmdk"), CAPACITY, true,
                new StreamGrain(0, zlib(filled(GRAIN, 1))), new StreamGrain(0, zlib(filled(GRAIN, 2))));
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-order");
    }

    @Test
    void aGrainThatInflatesPastItsSizeIsAZipBomb() throws Exception {
        Path vmdk = streamOptimized(dir.resolve("s.vmdk"), CAPACITY, true,
                new StreamGrain(0, zlib(new byte[64 * GRAIN])));
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-bomb");
    }

    @Test
    void aGrainThatIsNotZlib() throws Exception {
        Path vmdk = streamOptimized(dir.resolve("s.vmdk"), CAPACITY, true,
                new StreamGrain(0, "not deflated at all".getBytes(StandardCharsets.US_ASCII)));
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-data");
    }

    @Test
    void aGrainWhoseDeflateStreamIsCutShort() throws Exception {
        byte[] whole = zlib(VmdkTestImages.filled(GRAIN, 5));
        Path vmdk = streamOptimized(dir.resolve("s.vmdk"), CAPACITY, true,
                new StreamGrain(0, java.util.Arrays.copyOf(whole, whole.length - 6)));
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-data");
    }

    @Test
    void anAbsurdCompressedSize() throws Exception {
        Path vmdk = goodStream();
        patchInt(vmdk, FIRST_MARKER + 8, 0x7fffffff);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-data");
    }

    @Test
    void aFileEndingWithoutEndOfStreamIsTruncated() throws Exception {
        Path vmdk = streamOptimized(dir.resolve("s.vmdk"), CAPACITY, false,
                new StreamGrain(0, zlib(filled(GRAIN, 1))));
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.truncated");
    }

    /**
     * A gzip-compressed file has no size to stop at: one that decompresses into grain-table markers without
     * end is refused once it is longer than any file of its capacity, instead of being read for ever.
     */
    @Test
    void aGzipBombOfEndlessMarkersIsRefusedByLength() throws Exception {
        Path head = streamOptimized(dir.resolve("head.vmdk"), CAPACITY, false);
        Path bomb = dir.resolve("bomb.vmdk.gz");
        byte[] tableMarker = new byte[5 * 512]; // a marker announcing 4 sectors of grain table, and the table
        ByteBuffer.wrap(tableMarker).order(ByteOrder.LITTLE_ENDIAN).putLong(4).putInt(0)
                .putInt(StreamMarker.TYPE_GRAIN_TABLE);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bomb))) {
            out.write(Files.readAllBytes(head));
            for (int i = 0; i < 64 * 1024; i++) { // 160 MiB once inflated, from a few hundred KiB
                out.write(tableMarker);
            }
        }
        Path raw = dir.resolve("bomb.raw");
        HostileDisks.refused(bomb, ReadOptions.defaults(), "disk.vmdk.too-long");
        try (ImageSource source = new GzipImageSource(new FileImageSource(bomb))) {
            assertThatThrownBy(() -> toRaw(source, ReadOptions.defaults(), raw))
                    .isInstanceOfSatisfying(InvalidDiskImageException.class,
                            e -> assertThat(e.check()).isEqualTo("disk.vmdk.too-long"));
        }
    }

    /** qemu-img's layout: tables in the head (gdOffset set), the file ends after its last grain. */
    @Test
    void aFileWithItsDirectoryInTheHeadMayEndWithoutEndOfStream() throws Exception {
        Path vmdk = streamOptimized(dir.resolve("s.vmdk"), CAPACITY, false,
                new StreamGrain(0, zlib(filled(GRAIN, 1))));
        patchLong(vmdk, 56, 21);
        byte[] expected = new byte[(int) CAPACITY * SECTOR];
        System.arraycopy(filled(GRAIN, 1), 0, expected, 0, GRAIN);
        assertThat(Files.readAllBytes(read(vmdk))).isEqualTo(expected);
        // but not within a marker
        Files.write(vmdk, new byte[100], java.nio.file.StandardOpenOption.APPEND);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.truncated");
    }

    @Test
    void aGrainCutByTheEndOfTheFileIsTruncated() throws Exception {
        Path vmdk = streamOptimized(dir.resolve("s.vmdk"), CAPACITY, false,
                new StreamGrain(0, zlib(org.ovaflow.disk.testing.TestDisks.class.getName()
                        .repeat(2000).getBytes(StandardCharsets.US_ASCII))));
        patchInt(vmdk, FIRST_MARKER + 8, (int) (Files.size(vmdk) - FIRST_MARKER));
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.truncated");
    }

    @Test
    void ourOwnOutputWithItsLastSectorCutIsTruncated() throws Exception {
        Path vmdk = dir.resolve("w.vmdk");
        try (StreamOptimizedWriter writer = new StreamOptimizedWriter(4L * GRAIN, new FileImageSink(vmdk))) {
            writer.write(GRAIN, filled(GRAIN, 9), 0, GRAIN);
            writer.finish();
        }
        try (var channel = java.nio.channels.FileChannel.open(vmdk, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - SECTOR);
        }
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.truncated");
    }

    @Test
    void aMarkerOfUnknownType() throws Exception {
        Path vmdk = goodStream();
        patchLong(vmdk, FIRST_MARKER, 4);
        patchInt(vmdk, FIRST_MARKER + 8, 0);
        patchInt(vmdk, FIRST_MARKER + 12, 9);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.marker");
    }

    @Test
    void aTableMarkerAnnouncingAbsurdlyManySectors() throws Exception {
        Path vmdk = goodStream();
        patchLong(vmdk, FIRST_MARKER, Long.MAX_VALUE / 256);
        patchInt(vmdk, FIRST_MARKER + 8, 0);
        patchInt(vmdk, FIRST_MARKER + 12, StreamMarker.TYPE_GRAIN_TABLE);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.marker");
    }

    @Test
    void overHeadBeforeTheDescriptor() throws Exception {
        Path vmdk = goodStream();
        patchLong(vmdk, 64, 0);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.header");
    }

    // --- monolithicSparse

    @Test
    void grainTablePastTheEndOfTheFile() throws Exception {
        Path vmdk = goodSparse();
        patchInt(vmdk, SPARSE_GD_SECTOR * SECTOR, 0x7ffffff0);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-table");
    }

    @Test
    void grainTablePointingIntoTheGrainDirectory() throws Exception {
        Path vmdk = goodSparse();
        patchInt(vmdk, SPARSE_GD_SECTOR * SECTOR, (int) SPARSE_GD_SECTOR);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-table");
    }

    @Test
    void grainTablePointingIntoTheHeadersDescriptor() throws Exception {
        Path vmdk = goodSparse();
        patchInt(vmdk, SPARSE_GD_SECTOR * SECTOR, 1);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-table");
    }

    @Test
    void grainDirectoryPointingAtTheHeader() throws Exception {
        Path vmdk = goodSparse();
        patchLong(vmdk, 56, 0);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-directory");
    }

    @Test
    void grainDirectoryPastTheEndOfTheFile() throws Exception {
        Path vmdk = goodSparse();
        patchLong(vmdk, 56, 1L << 40);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-directory");
    }

    @Test
    void twoGrainTableEntriesNamingTheSameGrain() throws Exception {
        Path vmdk = goodSparse();
        patchInt(vmdk, SPARSE_GT_SECTOR * SECTOR + 5 * 4, 128);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-offset");
    }

    @Test
    void aGrainOverlappingAnother() throws Exception {
        Path vmdk = goodSparse();
        patchInt(vmdk, SPARSE_GT_SECTOR * SECTOR + 5 * 4, 128 + 64);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-offset");
    }

    @Test
    void aGrainInsideTheGrainTable() throws Exception {
        Path vmdk = goodSparse();
        patchInt(vmdk, SPARSE_GT_SECTOR * SECTOR + 5 * 4, (int) SPARSE_GT_SECTOR + 1);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-offset");
    }

    @Test
    void aGrainPastTheEndOfTheFile() throws Exception {
        Path vmdk = goodSparse();
        patchInt(vmdk, SPARSE_GT_SECTOR * SECTOR + 5 * 4, 0x7fff0000);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-offset");
    }

    @Test
    void aCapacityOverTheLimitIsRefusedBeforeAnyData() throws Exception {
        Path vmdk = goodSparse();
        patchLong(vmdk, 12, 1L << 40);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.virtual-size");
        Path stream = goodStream();
        assertRefused(stream, new ReadOptions(GRAIN, name -> Optional.empty()), "disk.vmdk.virtual-size");
    }

    @Test
    void aCapacityThatOverflows() throws Exception {
        Path vmdk = goodSparse();
        patchLong(vmdk, 12, -5);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.virtual-size");
    }

    @Test
    void absurdGrainSizes() throws Exception {
        for (long grainSize : new long[] {0, 3, 100, 1L << 20, Long.MIN_VALUE}) {
            Path vmdk = goodSparse();
            patchLong(vmdk, 20, grainSize);
            assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-size");
        }
    }

    @Test
    void grainTablesOfAnotherSize() throws Exception {
        Path vmdk = goodSparse();
        patchInt(vmdk, 44, 1 << 30);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.grain-table-entries");
    }

    @Test
    void anEmbeddedDescriptorOfAbsurdSize() throws Exception {
        Path vmdk = goodSparse();
        patchLong(vmdk, 36, 1L << 40);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.descriptor");
    }

    @Test
    void aSparseDeltaDiskNeedsItsParent() throws Exception {
        TreeMap<Long, byte[]> grains = new TreeMap<>();
        grains.put(0L, filled(GRAIN, 1));
        Path vmdk = monolithicSparse(dir.resolve("delta.vmdk"), CAPACITY, grains, "0badcafe");
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.parent");
    }

    @Test
    void anUnknownVersion() throws Exception {
        Path vmdk = goodSparse();
        patchInt(vmdk, 4, 4);
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.unsupported");
    }

    @Test
    void compressionWithoutMarkers() throws Exception {
        Path vmdk = goodSparse();
        patchInt(vmdk, 8, SparseExtentHeader.FLAG_COMPRESSED_GRAINS);
        patch(vmdk, 77, new byte[] {1, 0});
        assertRefused(vmdk, ReadOptions.defaults(), "disk.vmdk.unsupported");
    }

    @Test
    void otherMagics() throws Exception {
        Path cowd = Files.write(dir.resolve("cowd.vmdk"), "COWD and more".getBytes(StandardCharsets.US_ASCII));
        assertRefused(cowd, ReadOptions.defaults(), "disk.vmdk.unsupported");
        // a seSparse extent (ESXi snapshots): the one format detector sends it to the VMDK reader, not to raw
        byte[] seSparse = new byte[4096];
        ByteBuffer.wrap(seSparse).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0xcafebabe);
        Path snapshot = Files.write(dir.resolve("sesparse.vmdk"), seSparse);
        assertRefused(snapshot, ReadOptions.defaults(), "disk.vmdk.unsupported");
        try (ImageSource source = new FileImageSource(snapshot)) {
            assertThatThrownBy(() -> DiskImages.open(source, ReadOptions.defaults()))
                    .isInstanceOfSatisfying(InvalidDiskImageException.class,
                            e -> assertThat(e.check()).isEqualTo("disk.vmdk.unsupported"));
        }
        Path junk = Files.write(dir.resolve("junk.vmdk"), new byte[4096]);
        assertRefused(junk, ReadOptions.defaults(), "disk.vmdk.magic");
        Path empty = Files.write(dir.resolve("empty.vmdk"), new byte[0]);
        assertRefused(empty, ReadOptions.defaults(), "disk.vmdk.magic");
        Path cut = Files.write(dir.resolve("cut.vmdk"), java.util.Arrays.copyOf(Files.readAllBytes(goodSparse()), 100));
        assertRefused(cut, ReadOptions.defaults(), "disk.vmdk.truncated");
    }

    // --- descriptor files

    @Test
    void extentNamingAnAbsolutePath() throws Exception {
        assertDescriptorRefused("RW 2048 FLAT \"/etc/passwd\" 0", "disk.vmdk.extent-file", "passwd");
    }

    @Test
    void extentNamingTheParentDirectory() throws Exception {
        assertDescriptorRefused("RW 2048 FLAT \"../x\" 0", "disk.vmdk.extent-file", "x");
        assertDescriptorRefused("RW 2048 FLAT \"..\" 0", "disk.vmdk.extent-file", "x");
        assertDescriptorRefused("RW 2048 SPARSE \"sub\\\\x\"", "disk.vmdk.extent-file", "x");
        assertDescriptorRefused("RW 2048 FLAT \"C:x\" 0", "disk.vmdk.extent-file", "x");
    }

    @Test
    void extentThePackageDoesNotHave() throws Exception {
        assertDescriptorRefused("RW 2048 FLAT \"missing-flat.vmdk\" 0", "disk.vmdk.extent-file", "other.bin");
    }

    @Test
    void flatExtentShorterThanItsCount() throws Exception {
        Files.write(dir.resolve("small.bin"), new byte[SECTOR]);
        assertDescriptorRefused("RW 2048 FLAT \"small.bin\" 0", "disk.vmdk.extent", "small.bin");
    }

    @Test
    void sparseExtentThatIsNoSparseFile() throws Exception {
        Files.write(dir.resolve("text.bin"), descriptorText("monolithicFlat", "ffffffff", "RW 1 FLAT \"x\" 0"));
        assertDescriptorRefused("RW 1 SPARSE \"text.bin\"", "disk.vmdk.extent", "text.bin");
    }

    @Test
    void descriptorOfADeltaDisk() throws Exception {
        Files.write(dir.resolve("d.vmdk"), descriptorText("monolithicFlat", "12345678", "RW 1 FLAT \"x.bin\" 0"));
        assertRefused(dir.resolve("d.vmdk"), siblingsIn(dir, "x.bin"), "disk.vmdk.parent");
    }

    @Test
    void descriptorOfARawDevice() throws Exception {
        assertDescriptorRefused("RW 2048 VMFSRDM \"dev.bin\"", "disk.vmdk.unsupported", "dev.bin");
        Files.write(dir.resolve("d.vmdk"), descriptorText("fullDevice", "ffffffff", "RW 1 FLAT \"/dev/sda\" 0"));
        assertRefused(dir.resolve("d.vmdk"), ReadOptions.defaults(), "disk.vmdk.unsupported");
    }

    @Test
    void descriptorOverTheLimits() throws Exception {
        Files.write(dir.resolve("x.bin"), new byte[SECTOR]);
        assertDescriptorRefused("RW 99999999999999 FLAT \"x.bin\" 0", "disk.vmdk.virtual-size", "x.bin");
        assertDescriptorRefused("RW 9999999999999999999 FLAT \"x.bin\" 0", "disk.vmdk.descriptor", "x.bin");
        assertDescriptorRefused("RW 1 FLAT \"x.bin\" 0\nthis is not a descriptor line", "disk.vmdk.descriptor",
                "x.bin");
        byte[] huge = (new String(descriptorText("monolithicFlat", "ffffffff", "RW 1 FLAT \"x.bin\" 0"),
                StandardCharsets.US_ASCII) + "#".repeat(70 * 1024)).getBytes(StandardCharsets.US_ASCII);
        Files.write(dir.resolve("huge.vmdk"), huge);
        assertRefused(dir.resolve("huge.vmdk"), siblingsIn(dir, "x.bin"), "disk.vmdk.descriptor");
    }

    // --- helpers

    private void assertDescriptorRefused(String extentLine, String check, String... siblings) throws IOException {
        Path descriptor = Files.write(dir.resolve("d.vmdk"), descriptorText("monolithicFlat", "ffffffff", extentLine));
        assertRefused(descriptor, siblingsIn(dir, siblings), check);
    }

    /** Grains 0 and 3 of {@link #CAPACITY}. */
    private Path goodSparse() throws IOException {
        TreeMap<Long, byte[]> grains = new TreeMap<>();
        grains.put(0L, filled(GRAIN, 1));
        grains.put(3L, filled(GRAIN, 3));
        return monolithicSparse(dir.resolve("sparse-" + System.nanoTime() + ".vmdk"), CAPACITY, grains, "ffffffff");
    }

    private Path goodStream() throws IOException {
        return streamOptimized(dir.resolve("stream.vmdk"), CAPACITY, true,
                new StreamGrain(0, zlib(filled(GRAIN, 1))), new StreamGrain(3 * GRAIN_SECTORS, zlib(filled(GRAIN, 3))));
    }

    private Path read(Path vmdk) throws IOException {
        Path raw = dir.resolve(vmdk.getFileName() + ".raw");
        try (ImageSource source = new FileImageSource(vmdk)) {
            return toRaw(source, ReadOptions.defaults(), raw);
        }
    }
}
