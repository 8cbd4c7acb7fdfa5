package org.ovaflow.disk.vhd;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.disk.FileImageSink;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.GzipImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.testing.CountingSource;
import org.ovaflow.disk.testing.HostileDisks;
import org.ovaflow.disk.testing.TestDisks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ovaflow.disk.vhd.VhdTestFiles.fixChecksum;
import static org.ovaflow.disk.vhd.VhdTestFiles.getInt;
import static org.ovaflow.disk.vhd.VhdTestFiles.intBytes;
import static org.ovaflow.disk.vhd.VhdTestFiles.longBytes;
import static org.ovaflow.disk.vhd.VhdTestFiles.patchFooters;
import static org.ovaflow.disk.vhd.VhdTestFiles.putInt;
import static org.ovaflow.disk.vhd.VhdTestFiles.putLong;
import static org.ovaflow.disk.vhd.VhdTestFiles.tail;

/**
 * Corrupt and hostile VHDs, each made by patching a good one the writer made: every one is refused with its
 * named check before any data is handed on. No qemu-img needed.
 */
class VhdRefusalTest {

    private static final long MIB = 1024 * 1024;
    // the layout VhdWriter gives an 8 MiB dynamic disk: footer copy, header at 512, BAT (4 entries) at 1536
    private static final long HEADER = 512;
    private static final long BAT = 1536;
    private static final int FOOTER_CURRENT_SIZE = 48;
    private static final int FOOTER_DATA_OFFSET = 16;
    private static final int FOOTER_DISK_TYPE = 60;
    private static final int HEADER_TABLE_OFFSET = 16;
    private static final int HEADER_MAX_ENTRIES = 28;
    private static final int HEADER_BLOCK_SIZE = 32;

    @TempDir
    Path dir;
    Path dynamic;
    Path fixed;

    @BeforeEach
    void writeGoodImages() throws IOException {
        Path raw = TestDisks.empty(dir.resolve("in.raw"), 8 * MIB);
        byte[] data = new byte[4096];
        new Random(21).nextBytes(data);
        VhdTestFiles.put(raw, 0, data);
        VhdTestFiles.put(raw, 5 * MIB, data);
        dynamic = dir.resolve("dynamic.vhd");
        fixed = dir.resolve("fixed.vhd");
        VhdTestFiles.writeVhd(raw, dynamic, true, false);
        VhdTestFiles.writeVhd(raw, fixed, false, false);
        // blocks 0 and 2 allocated, right after the BAT's sector
        assertThat(getInt(dynamic, BAT)).isEqualTo(4);
        assertThat(getInt(dynamic, BAT + 4)).isEqualTo(-1);
        assertThat(getInt(dynamic, BAT + 8)).isEqualTo(4 + 4097);
    }

    @Test
    void theGoodImagesAreRead() throws IOException {
        VhdTestFiles.open(dynamic, ReadOptions.defaults());
        VhdTestFiles.open(fixed, ReadOptions.defaults());
    }

    @Test
    void aDifferencingDiskIsRefused() throws IOException {
        patchFooters(dynamic, FOOTER_DISK_TYPE, intBytes(4));
        assertRefused(dynamic, "disk.vhd.differencing");
    }

    @Test
    void anUnknownDiskTypeIsRefused() throws IOException {
        patchFooters(fixed, FOOTER_DISK_TYPE, intBytes(7));
        assertRefused(fixed, "disk.vhd.disk-type");
    }

    @Test
    void aFooterWithAWrongChecksumIsRefused() throws IOException {
        putInt(fixed, tail(fixed) + 24, 12345); // the time stamp, checksum left as it was
        assertRefused(fixed, "disk.vhd.checksum");
    }

    @Test
    void aFooterCopyWithAWrongChecksumIsRefused() throws IOException {
        putInt(dynamic, 24, 12345);
        assertRefused(dynamic, "disk.vhd.checksum");
    }

    @Test
    void aDynamicHeaderWithAWrongChecksumIsRefused() throws IOException {
        putInt(dynamic, HEADER + 24, 0x0001_0001);
        assertRefused(dynamic, "disk.vhd.checksum");
    }

    @Test
    void footerCopiesThatDisagreeAreRefused() throws IOException {
        putLong(dynamic, FOOTER_CURRENT_SIZE, 4 * MIB);
        VhdTestFiles.fixFooterChecksums(dynamic);
        assertRefused(dynamic, "disk.vhd.footer");
    }

    @Test
    void aDynamicHeaderWithoutItsCookieIsRefused() throws IOException {
        VhdTestFiles.put(dynamic, HEADER, "cxsporse".getBytes(StandardCharsets.US_ASCII));
        fixHeaderChecksum();
        assertRefused(dynamic, "disk.vhd.header");
    }

    @Test
    void aDynamicHeaderOffsetPastTheFileIsRefused() throws IOException {
        patchFooters(dynamic, FOOTER_DATA_OFFSET, longBytes(Files.size(dynamic)));
        assertRefused(dynamic, "disk.vhd.header");
    }

    @Test
    void aBatEntryPastTheEndOfTheFileIsRefused() throws IOException {
        putInt(dynamic, BAT + 4, 0x00ff_ffff);
        assertRefused(dynamic, "disk.vhd.bat");
    }

    @Test
    void aBatEntryOverlappingTheFooterAtTheEndIsRefused() throws IOException {
        putInt(dynamic, BAT + 12, (int) ((Files.size(dynamic) - 512) / 512));
        assertRefused(dynamic, "disk.vhd.bat");
    }

    @Test
    void aBatEntryIntoTheBatIsRefused() throws IOException {
        putInt(dynamic, BAT + 4, (int) (BAT / 512));
        assertRefused(dynamic, "disk.vhd.bat");
    }

    @Test
    void aBatEntryIntoTheDynamicHeaderIsRefused() throws IOException {
        putInt(dynamic, BAT + 4, (int) (HEADER / 512));
        assertRefused(dynamic, "disk.vhd.bat");
    }

    @Test
    void twoBatEntriesAtOneBlockAreRefused() throws IOException {
        putInt(dynamic, BAT + 4, getInt(dynamic, BAT));
        assertRefused(dynamic, "disk.vhd.bat");
    }

    @Test
    void overlappingBlocksAreRefused() throws IOException {
        putInt(dynamic, BAT + 8, getInt(dynamic, BAT) + 8);
        assertRefused(dynamic, "disk.vhd.bat");
    }

    @Test
    void aBatPastTheEndOfTheFileIsRefused() throws IOException {
        putLong(dynamic, HEADER + HEADER_TABLE_OFFSET, Files.size(dynamic) - 8);
        fixHeaderChecksum();
        assertRefused(dynamic, "disk.vhd.bat");
    }

    @Test
    void aBlockSizeOfThreeMiBIsRefused() throws IOException {
        putInt(dynamic, HEADER + HEADER_BLOCK_SIZE, 3 * 1024 * 1024);
        fixHeaderChecksum();
        assertRefused(dynamic, "disk.vhd.block-size");
    }

    @Test
    void aBlockSizeOfZeroIsRefused() throws IOException {
        putInt(dynamic, HEADER + HEADER_BLOCK_SIZE, 0);
        fixHeaderChecksum();
        assertRefused(dynamic, "disk.vhd.block-size");
    }

    @Test
    void twoToThe31TableEntriesAreRefused() throws IOException {
        putInt(dynamic, HEADER + HEADER_MAX_ENTRIES, 1 << 31);
        fixHeaderChecksum();
        assertRefused(dynamic, "disk.vhd.table-size");
    }

    @Test
    void aTableTooSmallForTheVirtualSizeIsRefused() throws IOException {
        putInt(dynamic, HEADER + HEADER_MAX_ENTRIES, 3);
        fixHeaderChecksum();
        assertRefused(dynamic, "disk.vhd.table-size");
    }

    @Test
    void aVirtualSizeOverTheLimitIsRefusedBeforeAnyDataIsRead() throws IOException {
        HostileDisks.refused(dynamic, new ReadOptions(MIB, name -> Optional.empty()), "disk.vhd.virtual-size");
        HostileDisks.refused(fixed, new ReadOptions(MIB, name -> Optional.empty()), "disk.vhd.virtual-size");
        try (CountingSource source = new CountingSource(new FileImageSource(dynamic))) {
            assertThatThrownBy(() -> VhdReader.open(source, new ReadOptions(MIB, name -> Optional.empty())))
                    .isInstanceOfSatisfying(InvalidDiskImageException.class,
                            e -> assertThat(e.check()).isEqualTo("disk.vhd.virtual-size"));
            assertThat(source.bytesRead).isEqualTo(1024); // the footer and its copy
        }
        try (CountingSource source = new CountingSource(new FileImageSource(fixed))) {
            assertThatThrownBy(() -> VhdReader.open(source, new ReadOptions(MIB, name -> Optional.empty())))
                    .isInstanceOfSatisfying(InvalidDiskImageException.class,
                            e -> assertThat(e.check()).isEqualTo("disk.vhd.virtual-size"));
            assertThat(source.bytesRead).isEqualTo(512); // the footer
        }
    }

    @Test
    void aVirtualSizeOverVhdsLimitIsRefused() throws IOException {
        patchFooters(dynamic, FOOTER_CURRENT_SIZE, longBytes(3L << 40));
        assertRefused(dynamic, "disk.vhd.virtual-size");
    }

    @Test
    void aFixedDiskLargerThanItsDataIsRefused() throws IOException {
        patchFooters(fixed, FOOTER_CURRENT_SIZE, longBytes(16 * MIB));
        assertRefused(fixed, "disk.vhd.footer");
    }

    @Test
    void aDynamicDiskWithoutItsFooterIsRefusedAsTruncated() throws IOException {
        truncate(dynamic, 512);
        assertRefused(dynamic, "disk.vhd.truncated");
        truncate(dynamic, MIB);
        assertRefused(dynamic, "disk.vhd.truncated");
    }

    @Test
    void aFixedDiskWithoutItsFooterIsRefused() throws IOException {
        truncate(fixed, 512);
        assertRefused(fixed, "disk.vhd.footer");
    }

    @Test
    void aFileThatIsNoVhdIsRefused() throws IOException {
        Path random = dir.resolve("random.vhd");
        byte[] bytes = new byte[64 * 1024];
        new Random(22).nextBytes(bytes);
        Files.write(random, bytes);
        assertRefused(random, "disk.vhd.footer");
    }

    @Test
    void aFileShorterThanAFooterIsRefused() throws IOException {
        Path tiny = dir.resolve("tiny.vhd");
        Files.write(tiny, new byte[100]);
        assertRefused(tiny, "disk.vhd.footer");
    }

    @Test
    void aGzippedVhdIsRefused() throws IOException {
        Path gzipped = dir.resolve("fixed.vhd.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gzipped))) {
            Files.copy(fixed, out);
        }
        HostileDisks.refused(gzipped, ReadOptions.defaults(), "disk.random-access");
        try (GzipImageSource source = new GzipImageSource(new FileImageSource(fixed))) {
            assertThatThrownBy(() -> VhdReader.open(source, ReadOptions.defaults()))
                    .isInstanceOfSatisfying(InvalidDiskImageException.class,
                            e -> assertThat(e.check()).isEqualTo("disk.random-access"));
        }
    }

    @Test
    void theWriterRefusesDisksOverVhdsLimit() throws IOException {
        try (FileImageSink sink = new FileImageSink(dir.resolve("big.vhd"))) {
            assertThatThrownBy(() -> VhdWriter.dynamic(VhdWriter.MAX_VIRTUAL_SIZE + 1, sink, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2040 GiB");
            assertThatThrownBy(() -> VhdWriter.fixed(VhdWriter.MAX_VIRTUAL_SIZE + 1, sink, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2040 GiB");
            assertThat(VhdWriter.fixed(VhdWriter.MAX_VIRTUAL_SIZE - 1, sink, true).virtualSize())
                    .isEqualTo(VhdWriter.MAX_VIRTUAL_SIZE);
        }
    }

    @Test
    void randomDamageToTheMetadataIsReadOrRefusedByName() throws IOException {
        Random random = new Random(23);
        byte[] good = Files.readAllBytes(dynamic);
        Path damaged = dir.resolve("damaged.vhd");
        for (int round = 0; round < 120; round++) {
            byte[] bytes = good.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                // the footer copy, the header, the BAT or the footer at the end
                int at = random.nextBoolean() ? random.nextInt(2048) : bytes.length - 512 + random.nextInt(512);
                bytes[at] = (byte) random.nextInt(256);
            }
            Files.write(damaged, bytes);
            if (random.nextBoolean()) {
                VhdTestFiles.fixFooterChecksums(damaged);
                fixChecksum(damaged, HEADER, 1024, VhdDynamicHeader.CHECKSUM_FIELD);
            }
            try {
                VhdTestFiles.open(damaged, ReadOptions.defaults());
            } catch (InvalidDiskImageException e) {
                assertThat(e.check()).startsWith("disk.vhd.");
            }
        }
    }

    private void fixHeaderChecksum() throws IOException {
        fixChecksum(dynamic, HEADER, 1024, VhdDynamicHeader.CHECKSUM_FIELD);
    }

    private static void truncate(Path file, long by) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - by);
        }
    }

    private static void assertRefused(Path vhd, String check) {
        HostileDisks.refused(vhd, ReadOptions.defaults(), check);
        ThrowingCallable open = () -> VhdTestFiles.open(vhd, ReadOptions.defaults());
        assertThatThrownBy(open).isInstanceOfSatisfying(InvalidDiskImageException.class,
                e -> assertThat(e.check()).as(e.getMessage()).isEqualTo(check));
    }
}
