package org.ovaflow.validate.disk;

import org.junit.jupiter.api.Test;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.disk.DiskReference;
import org.ovaflow.disk.DiskHeader;
import org.ovaflow.disk.DiskFormat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ovaflow.validate.disk.DiskImageProbeQemuIT.fails;

/** The probe on headers built byte by byte: every way a header can reach outside the package or lie. */
public class HostileHeadersTest {

    // qcow2

    @Test
    void qcow2BackingFileOnTheHost() {
        byte[] image = qcow2(3, 1L << 30, 0);
        putName(image, 112, "/etc/passwd");
        DiskHeader header = Probing.probe("disk1.qcow2", image);
        assertThat(header.format()).isEqualTo(DiskFormat.QCOW2);
        assertThat(header.virtualSize()).isEqualTo(1L << 30);
        assertThat(fails(header, "disk1.qcow2")).singleElement().asString().startsWith("qcow2 backing file /etc/passwd:");
    }

    @Test
    void qcow2BackingFileNamedPastTheHeadIsStillRefused() {
        byte[] image = qcow2(2, 1L << 30, 0);
        ByteBuffer.wrap(image).putLong(8, 1L << 40).putInt(16, 11);
        assertThat(fails(Probing.probe("d.qcow2", image), "d.qcow2")).singleElement().asString()
                .startsWith("qcow2 backing file (its name, at byte 1099511627776, is past the first 64 KiB");
        ByteBuffer.wrap(image).putLong(8, 200).putInt(16, -1);
        assertThat(fails(Probing.probe("d.qcow2", image), "d.qcow2")).singleElement().asString()
                .startsWith("qcow2 backing file (a name of 4294967295 bytes");
    }

    @Test
    void qcow2ExternalDataFile() {
        byte[] image = qcow2(3, 1L << 30, 1L << 2);
        // header extensions follow the 112-byte header: the data file name, then the end marker
        ByteBuffer b = ByteBuffer.wrap(image);
        b.putInt(112, 0xe2792aca).putInt(116, 3); // backing format "raw", padded to 8
        b.put(120, "raw".getBytes(StandardCharsets.US_ASCII));
        b.putInt(128, 0x44415441).putInt(132, 13);
        b.put(136, "/dev/nvme0n1p".getBytes(StandardCharsets.US_ASCII));
        DiskHeader header = Probing.probe("d.qcow2", image);
        assertThat(header.references()).containsExactly(
                new DiskReference(DiskReference.Kind.QCOW2_DATA_FILE, "/dev/nvme0n1p", false));
        assertThat(fails(header, "d.qcow2")).singleElement().asString()
                .startsWith("qcow2 external data file /dev/nvme0n1p: the image keeps its data in a file outside");

        // the feature bit alone, the name not in the header
        DiskHeader bitOnly = Probing.probe("e.qcow2", qcow2(3, 1L << 30, 1L << 2));
        assertThat(bitOnly.references()).extracting(DiskReference::kind)
                .containsExactly(DiskReference.Kind.QCOW2_DATA_FILE);
    }

    @Test
    void qcow2AbsurdAndTruncated() {
        assertDefect(Arrays.copyOf(qcow2(3, 1L << 30, 0), 50), "d.qcow2", "a qcow2 header cut short: 50 bytes of at least 72");
        assertDefect(Arrays.copyOf(qcow2(3, 1L << 30, 0), 90), "d.qcow2", "a qcow2 header cut short: 90 bytes of at least 104");
        byte[] version = qcow2(3, 1L << 30, 0);
        ByteBuffer.wrap(version).putInt(4, 99);
        assertDefect(version, "d.qcow2", "version 99");
        assertDefect(qcow2(3, -1, 0), "d.qcow2", "a virtual size of 18446744073709551615 bytes");
        byte[] headerLength = qcow2(3, 1L << 30, 0);
        ByteBuffer.wrap(headerLength).putInt(100, 0x7fff_fff8);
        assertDefect(headerLength, "d.qcow2", "header length of 2147483640 bytes");
        byte[] clusters = qcow2(3, 1L << 30, 0);
        ByteBuffer.wrap(clusters).putInt(20, 63);
        assertDefect(clusters, "d.qcow2", "cluster_bits 63");
    }

    @Test
    void qcow2ExtensionsThatRunOffTheHeadEndTheWalk() {
        byte[] image = qcow2(3, 1L << 30, 0);
        ByteBuffer.wrap(image).putInt(112, 0x1234).putInt(116, 0x7fff_ffff);
        assertThat(Probing.probe("d.qcow2", image)).isEqualTo(DiskHeader.of(DiskFormat.QCOW2, 1L << 30));
    }

    // VMDK

    @Test
    void vmdkDescriptorFileNamingHostFilesAndTraversals() {
        String descriptor = """
                # Disk DescriptorFile
                version=1
                CID=fffffffe
                parentCID=ffffffff
                createType="monolithicFlat"

                # Extent description
                RW 2048 FLAT "/dev/sda" 0
                RW 2048 FLAT "../x.img" 0
                RW 2048 FLAT "..\\..\\host.img" 0
                RW 2048 VMFS "C:host.img"
                RW 2048 FLAT "ok-flat.vmdk" 0
                RW 2048 FLAT "missing-flat.vmdk" 0
                RW 2048 ZERO

                ddb.adapterType = "lsilogic"
                """;
        DiskHeader header = Probing.probe("disk1.vmdk", descriptor.getBytes(StandardCharsets.UTF_8));
        assertThat(header.format()).isEqualTo(DiskFormat.VMDK_DESCRIPTOR);
        assertThat(header.virtualSize()).isEqualTo(7 * 2048 * 512L);
        List<String> failures = DiskHeaderChecks.check(Map.of("disk1.vmdk", header),
                Set.of("disk1.vmdk", "ok-flat.vmdk")).stream().filter(CheckResult::failed).map(CheckResult::message).toList();
        assertThat(failures).containsExactly(
                "VMDK extent /dev/sda: an extent must be another file of this package, named without a path",
                "VMDK extent ../x.img: an extent must be another file of this package, named without a path",
                "VMDK extent ..\\..\\host.img: an extent must be another file of this package, named without a path",
                "VMDK extent C:host.img: an extent must be another file of this package, named without a path",
                "VMDK extent missing-flat.vmdk: the package holds no file of that name");
    }

    @Test
    void aLongExtentNameIsComparedWhole() {
        String name = "a-very-long-name-".repeat(12) + "flat.vmdk";
        DiskHeader header = Probing.probe("d.vmdk", ("# Disk DescriptorFile\nRW 8 FLAT \"" + name + "\" 0\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(DiskHeaderChecks.check(Map.of("d.vmdk", header), Set.of("d.vmdk", name)))
                .extracting(CheckResult::status).containsExactly(CheckResult.Status.PASS);
    }

    @Test
    void aLargeFileKeepsOnlyItsHeadAndTail() {
        DiskImageProbe probe = DiskImageProbe.forEntry("big.img");
        byte[] buffer = new byte[1 << 20];
        for (int i = 0; i < 200; i++) {
            probe.update(buffer, 0, buffer.length);
        }
        assertThat(probe.finish()).isEqualTo(DiskHeader.of(DiskFormat.RAW, 200L << 20));
    }

    @Test
    void vmdkDescriptorFileOfADeltaDisk() {
        String descriptor = "# Disk DescriptorFile\nversion=1\nparentCID=0badcafe\n"
                + "parentFileNameHint=\"/vmfs/volumes/ds1/base.vmdk\"\nRW 8 SPARSE \"delta.vmdk\"\n";
        DiskHeader header = Probing.probe("delta-desc.vmdk", descriptor.getBytes(StandardCharsets.UTF_8));
        assertThat(DiskHeaderChecks.check(Map.of("delta-desc.vmdk", header), Set.of("delta-desc.vmdk", "delta.vmdk"))
                .stream().filter(CheckResult::failed).map(CheckResult::message))
                .containsExactly("VMDK parent disk (parentFileNameHint=/vmfs/volumes/ds1/base.vmdk): a differencing "
                        + "disk is incomplete without its parent, which is not part of an OVA; flatten it first");
    }

    @Test
    void vmdkDescriptorGarbage() {
        byte[] garbage = new byte[2000];
        new Random(7).nextBytes(garbage);
        byte[] file = concat("# Disk DescriptorFile\nversion=1\n".getBytes(StandardCharsets.US_ASCII), garbage);
        assertDefectStartsWith(file, "disk1.vmdk", "looks like a VMDK descriptor file but has an unreadable VMDK "
                + "descriptor file: line ");
        assertDefect(("# Disk DescriptorFile\nRW 99999999999999999999 FLAT \"x\" 0\n").getBytes(StandardCharsets.US_ASCII),
                "disk1.vmdk", "out of range");
        assertDefect("# Disk DescriptorFile\nversion=1\n".getBytes(StandardCharsets.US_ASCII), "disk1.vmdk",
                "a VMDK descriptor file without extents");
        byte[] huge = new byte[DiskImageProbe.HEAD_BYTES + 1];
        Arrays.fill(huge, (byte) '#');
        System.arraycopy("# Disk DescriptorFile".getBytes(StandardCharsets.US_ASCII), 0, huge, 0, 21);
        assertDefect(huge, "disk1.vmdk", "a VMDK descriptor file of 65537 bytes");
    }

    @Test
    void monolithicSparseWithAnEmbeddedDescriptorNamingAParent() {
        String embedded = "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=87654321\n"
                + "createType=\"monolithicSparse\"\nparentFileNameHint=\"C:\\VMs\\base.vmdk\"\n"
                + "RW 2097152 SPARSE \"delta.vmdk\"\n";
        byte[] image = vmdkSparse(0, 2097152, 1, 20, embedded);
        DiskHeader header = Probing.probe("disk1.vmdk", image);
        assertThat(header.format()).isEqualTo(DiskFormat.VMDK_MONOLITHIC_SPARSE);
        assertThat(header.virtualSize()).isEqualTo(1L << 30);
        assertThat(fails(header, "disk1.vmdk")).singleElement().asString()
                .startsWith("VMDK parent disk (parentFileNameHint=C:\\VMs\\base.vmdk): a differencing disk");
    }

    @Test
    void streamOptimizedWhoseEmbeddedExtentNamesAHostPath() {
        String embedded = "# Disk DescriptorFile\nversion=1\nparentCID=ffffffff\ncreateType=\"streamOptimized\"\n"
                + "RW 8192 SPARSE \"/dev/sdb\"\n";
        DiskHeader header = Probing.probe("disk1.vmdk", vmdkSparse((1 << 16) | (1 << 17), 8192, 1, 1, embedded));
        assertThat(header.format()).isEqualTo(DiskFormat.VMDK_STREAM_OPTIMIZED);
        assertThat(fails(header, "disk1.vmdk")).singleElement().asString().startsWith("VMDK extent /dev/sdb:");
    }

    @Test
    void sparseVmdkAbsurdAndTruncated() {
        assertDefect(Arrays.copyOf(vmdkSparse(0, 2048, 0, 0, null), 100), "d.vmdk",
                "a sparse VMDK header (KDMV) cut short: 100 bytes of 512");
        assertDefect(vmdkSparse(0, -1, 0, 0, null), "d.vmdk", "a capacity of 18446744073709551615 sectors");
        assertDefect(vmdkSparse(0, Long.MAX_VALUE / 100, 0, 0, null), "d.vmdk", "a capacity of");
        assertDefect(vmdkSparse(0, 2048, 1, 1L << 40, null), "d.vmdk",
                "an embedded descriptor of 1099511627776 sectors; at most 128");
        assertDefect(vmdkSparse(0, 2048, 1L << 20, 20, null), "d.vmdk",
                "its embedded descriptor at sector 1048576, past the first 64 KiB");
        assertDefect(vmdkSparse(0, 2048, Long.MAX_VALUE, 20, null), "d.vmdk", "past the first 64 KiB");
        assertDefect(Arrays.copyOf(vmdkSparse(0, 2048, 1, 20, "# Disk DescriptorFile\n"), 1024), "d.vmdk",
                "ends (at byte 1024) before its embedded descriptor does (byte 10752)");
        byte[] version = vmdkSparse(0, 2048, 0, 0, null);
        ByteBuffer.wrap(version).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 77);
        assertDefect(version, "d.vmdk", "version 77");
    }

    @Test
    void olderVmdkVariantsAreRefusedByName() {
        byte[] cowd = new byte[2048];
        ByteBuffer.wrap(cowd).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x44574f43);
        assertThat(fails(Probing.probe("d.vmdk", cowd), "d.vmdk")).singleElement().asString().contains("COWD");
    }

    // VHD, VHDX, VDI

    @Test
    void vhdDifferencingNamesItsParent() {
        byte[] image = new byte[4096];
        System.arraycopy(vhdFooter(4, 1L << 30, 512), 0, image, 0, 512);
        ByteBuffer b = ByteBuffer.wrap(image);
        b.put(512, "cxsparse".getBytes(StandardCharsets.US_ASCII));
        b.put(512 + 64, "base.vhd".getBytes(StandardCharsets.UTF_16BE));
        byte[] locator = "C:\\VMs\\base.vhd".getBytes(StandardCharsets.UTF_16LE);
        b.put(512 + 576, "W2ku".getBytes(StandardCharsets.US_ASCII)).putInt(512 + 576 + 8, locator.length)
                .putLong(512 + 576 + 16, 2048);
        b.put(2048, locator);
        System.arraycopy(vhdFooter(4, 1L << 30, 512), 0, image, image.length - 512, 512);
        DiskHeader header = Probing.probe("disk1.vhd", image);
        assertThat(header.format()).isEqualTo(DiskFormat.VHD_DIFFERENCING);
        assertThat(header.virtualSize()).isEqualTo(1L << 30);
        assertThat(fails(header, "disk1.vhd")).singleElement().asString()
                .startsWith("VHD parent disk base.vhd (locators: C:\\VMs\\base.vhd): a differencing disk");
    }

    @Test
    void vhdCorruptFooters() {
        byte[] footer = vhdFooter(3, 1L << 30, 512);
        footer[100] ^= 1;
        assertDefect(concat(footer, new byte[1536]), "d.vhd", "checksum");
        assertDefect(concat(vhdFooter(9, 1L << 30, 512), new byte[1536]), "d.vhd", "disk type 9");
        assertDefect(Arrays.copyOf(vhdFooter(3, 1L << 30, 512), 300), "d.vhd", "cut short: 300 bytes of 512");
        // a footer at the end only: a fixed disk, or a dynamic one that lost its first sector
        assertThat(Probing.probe("f.vhd", concat(new byte[4096], vhdFooter(2, 4096, -1))))
                .isEqualTo(DiskHeader.of(DiskFormat.VHD_FIXED, 4096L));
        assertDefect(concat(new byte[4096], vhdFooter(3, 4096, 512)), "f.vhd",
                "disk type 3 at the end, without its copy at the start");
    }

    @Test
    void vhdxAndVdiHeaders() {
        byte[] vhdx = new byte[1024];
        System.arraycopy("vhdxfile".getBytes(StandardCharsets.US_ASCII), 0, vhdx, 0, 8);
        assertThat(Probing.probe("d.vhdx", vhdx).format()).isEqualTo(DiskFormat.VHDX);
        byte[] vdi = new byte[1024];
        System.arraycopy("<<< Oracle VM VirtualBox Disk Image >>>\n".getBytes(StandardCharsets.US_ASCII), 0, vdi, 0, 40);
        ByteBuffer.wrap(vdi).order(ByteOrder.LITTLE_ENDIAN).putInt(64, 0xbeda107f);
        assertThat(fails(Probing.probe("d.vdi", vdi), "d.vdi")).singleElement().asString()
                .isEqualTo("is a VirtualBox VDI image, a format ovaflow cannot import (it imports VMDK, qcow2, VHD and "
                        + "raw disks); convert it first");
    }

    // gzip, other files, bounds

    @Test
    void gzipWrappedHeadersAreProbedAndCorruptGzipIsNamed() {
        byte[] image = qcow2(3, 1L << 30, 0);
        putName(image, 112, "/etc/passwd");
        DiskHeader header = Probing.probe("d.qcow2.gz", Probing.gzip(concat(image, new byte[1 << 20])), 1000);
        assertThat(header.gzip()).isTrue();
        assertThat(fails(header, "d.qcow2.gz")).singleElement().asString().startsWith("qcow2 backing file /etc/passwd");
        assertDefect(new byte[]{0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7}, "d.img.gz",
                "gzip-compressed data whose start does not inflate");
        // a gzip bomb: the head inflates to 64 KiB and no further
        DiskHeader bomb = Probing.probe("zeros.gz", Probing.gzip(new byte[50 << 20]));
        assertThat(bomb).isEqualTo(new DiskHeader(DiskFormat.RAW, null, true, List.of(), null));
    }

    @Test
    void filesThatAreNoDisksGiveNoFinding() {
        byte[] iso = new byte[40_000];
        System.arraycopy("CD001".getBytes(StandardCharsets.US_ASCII), 0, iso, 0x8001, 5);
        assertThat(Probing.probe("tools.iso", iso)).isEqualTo(DiskHeader.of(DiskFormat.ISO, null));
        assertThat(Probing.probe("app.nvram", "NVRAM".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(DiskHeader.of(DiskFormat.RAW, 5L));
        assertThat(Probing.probe("empty.img", new byte[0])).isEqualTo(DiskHeader.of(DiskFormat.RAW, 0L));
        assertThat(Probing.probe("app.ovf", qcow2(3, 1, 0))).isNull();
        assertThat(Probing.probe("app.mf", qcow2(3, 1, 0))).isNull();
        assertThat(Probing.probe("app.cert", qcow2(3, 1, 0))).isNull();
        assertThat(DiskHeaderChecks.check(Map.of("tools.iso", Probing.probe("tools.iso", iso)), Set.of("tools.iso")))
                .extracting(CheckResult::status).containsExactly(CheckResult.Status.PASS);
    }

    @Test
    void theTailIsTheLast512BytesWhateverTheBuffers() {
        byte[] image = concat(new byte[10_000], vhdFooter(2, 10_000, -1));
        for (int buffer : new int[]{1, 7, 511, 512, 513, 4096, 1 << 20}) {
            assertThat(Probing.probe("f.vhd", image, buffer)).as("buffers of " + buffer)
                    .isEqualTo(DiskHeader.of(DiskFormat.VHD_FIXED, 10_000L));
        }
    }

    @Test
    void randomHeadersNeverThrow() {
        Random random = new Random(42);
        byte[][] magics = {{'K', 'D', 'M', 'V'}, {'Q', 'F', 'I', (byte) 0xfb}, "conectix".getBytes(StandardCharsets.US_ASCII),
                "# Disk DescriptorFile\n".getBytes(StandardCharsets.US_ASCII), {0x1f, (byte) 0x8b}};
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = new byte[random.nextInt(3000)];
            random.nextBytes(bytes);
            byte[] magic = magics[i % magics.length];
            System.arraycopy(magic, 0, bytes, 0, Math.min(magic.length, bytes.length));
            if (i % 3 == 0 && bytes.length > 40) {
                // small offsets and sizes, so the parsers go further than the first check
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 1).putLong(28, 1).putLong(36, 2);
            }
            DiskHeader header = Probing.probe("fuzz.img", bytes, 1 + random.nextInt(700));
            assertThat(header).isNotNull();
            DiskHeaderChecks.check(Map.of("fuzz.img", header), Set.of("fuzz.img"));
        }
    }

    @Test
    void mutatedValidHeadersNeverThrowNorFailTheProbe() {
        Random random = new Random(4242);
        byte[] differencing = new byte[4096];
        System.arraycopy(vhdFooter(4, 1L << 30, 512), 0, differencing, 0, 512);
        System.arraycopy("cxsparse".getBytes(StandardCharsets.US_ASCII), 0, differencing, 512, 8);
        byte[] qcow2 = qcow2(3, 1L << 30, 4);
        putName(qcow2, 200, "base.qcow2");
        byte[][] valid = {qcow2, vmdkSparse(0, 2048, 1, 20, "# Disk DescriptorFile\nparentCID=ffffffff\nRW 2048 "
                + "SPARSE \"x.vmdk\"\n"), differencing, concat(new byte[1024], vhdFooter(2, 1024, -1))};
        for (int i = 0; i < 4000; i++) {
            byte[] bytes = valid[i % valid.length].clone();
            for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
                int at = random.nextInt(Math.min(bytes.length, 1200));
                bytes[at] = (byte) random.nextInt(256);
            }
            if (i % 5 == 0) {
                bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            }
            byte[] fed = i % 7 == 0 ? Probing.gzip(bytes) : bytes;
            DiskHeader header = Probing.probe("fuzz.img", fed, 1 + random.nextInt(3000));
            assertThat(String.valueOf(header.defect())).as("mutation %d", i).doesNotStartWith("a header the probe could not read");
        }
    }

    // builders

    private static void assertDefect(byte[] bytes, String name, String expected) {
        assertThat(fails(Probing.probe(name, bytes), name)).singleElement().asString().contains(expected);
    }

    private static void assertDefectStartsWith(byte[] bytes, String name, String expected) {
        assertThat(fails(Probing.probe(name, bytes), name)).singleElement().asString().startsWith(expected);
    }

    /** A qcow2 header of 112 bytes in a 64 KiB file, 64 KiB clusters. */
    public static byte[] qcow2(int version, long size, long incompatible) {
        byte[] image = new byte[65536];
        ByteBuffer b = ByteBuffer.wrap(image);
        b.putInt(0, 0x514649fb).putInt(4, version).putInt(20, 16).putLong(24, size).putInt(36, 1)
                .putLong(40, 3 * 65536).putLong(48, 65536).putInt(56, 1);
        if (version == 3) {
            b.putLong(72, incompatible).putInt(96, 4).putInt(100, 112);
        }
        return image;
    }

    /** Writes a backing file name at {@code offset} and points the header at it. */
    private static void putName(byte[] image, int offset, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer.wrap(image).putLong(8, offset).putInt(16, bytes.length).put(offset, bytes);
    }

    /** A hosted sparse extent header, with {@code descriptor} at sector {@code descriptorOffset} when given. */
    static byte[] vmdkSparse(int flags, long capacity, long descriptorOffset, long descriptorSize, String descriptor) {
        byte[] image = new byte[descriptor == null ? 4096 : (int) Math.max(4096, (descriptorOffset + descriptorSize) * 512)];
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x564d444b).putInt(4, (flags & (1 << 16)) != 0 ? 3 : 1).putInt(8, flags | 3).putLong(12, capacity)
                .putLong(20, 128).putLong(28, descriptorOffset).putLong(36, descriptorSize).putInt(44, 512);
        image[73] = '\n';
        image[74] = ' ';
        image[75] = '\r';
        image[76] = '\n';
        if ((flags & (1 << 16)) != 0) {
            b.putShort(77, (short) 1);
        }
        if (descriptor != null) {
            byte[] text = descriptor.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(text, 0, image, (int) descriptorOffset * 512, text.length);
        }
        return image;
    }

    /** A VHD footer with its checksum. */
    static byte[] vhdFooter(int type, long size, long dataOffset) {
        byte[] footer = new byte[512];
        ByteBuffer b = ByteBuffer.wrap(footer);
        b.put(0, "conectix".getBytes(StandardCharsets.US_ASCII)).putInt(8, 2).putInt(12, 0x10000).putLong(16, dataOffset)
                .put(28, "win ".getBytes(StandardCharsets.US_ASCII)).putLong(40, size).putLong(48, size).putInt(60, type);
        int sum = 0;
        for (byte x : footer) {
            sum += x & 0xff;
        }
        b.putInt(64, ~sum);
        return footer;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
