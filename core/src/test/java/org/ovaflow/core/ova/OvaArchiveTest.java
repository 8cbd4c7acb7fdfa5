package org.ovaflow.core.ova;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.ovaflow.core.sample.SampleAppliance;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OvaArchiveTest {

    @Test
    void recordsTheDataOffsetOfEveryEntrySoARangedReadFindsItsBytes() throws Exception {
        byte[] disk = SampleAppliance.disk(70_000, 7);
        String longName = "disks/" + "a-very-long-directory-name-".repeat(5) + "disk.img"; // > 100 chars: pax header
        byte[] ova = new OvaBuilder("app.ovf", "<Envelope/>").file("disk1.img", disk).file(longName, disk).toBytes();
        Map<String, byte[]> contents = new HashMap<>();

        List<OvaEntry> entries = OvaArchive.walk(new ByteArrayInputStream(ova),
                (entry, data) -> contents.put(entry.name(), data.readAllBytes()));

        assertThat(entries).extracting(OvaEntry::name).containsExactly("app.ovf", "app.mf", "disk1.img", longName);
        for (OvaEntry entry : entries) {
            byte[] atOffset = Arrays.copyOfRange(ova, (int) entry.dataOffset(), (int) (entry.dataOffset() + entry.size()));
            assertThat(atOffset).as(entry.name()).isEqualTo(contents.get(entry.name()));
        }
        assertThat(contents.get(longName)).isEqualTo(disk);
    }

    @Test
    void aReaderThatReadsNothingStillLeavesTheOffsetsRight() throws Exception {
        byte[] ova = new OvaBuilder("app.ovf", "<Envelope/>").file("a.img", new byte[1000]).file("b.img", new byte[3]).toBytes();
        List<OvaEntry> entries = OvaArchive.walk(new ByteArrayInputStream(ova), (entry, data) -> { });
        OvaEntry b = entries.get(3);
        assertThat(b.name()).isEqualTo("b.img");
        assertThat(b.dataOffset() % 512).isZero();
        assertThat(b.dataOffset()).isLessThan(ova.length);
    }

    @Test
    void emptyInputIsNamedAsSuch() {
        assertThatThrownBy(() -> OvaArchive.walk(InputStream0.empty(), (e, d) -> { }))
                .isInstanceOf(InvalidOvaException.class)
                .hasMessageContaining("empty")
                .extracting(e -> ((InvalidOvaException) e).checkId()).isEqualTo("tar.readable");
    }

    @Test
    void textIsNotATar() {
        byte[] text = "this is not a tar archive at all\n".repeat(40).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> OvaArchive.walk(new ByteArrayInputStream(text), (e, d) -> { }))
                .isInstanceOf(InvalidOvaException.class)
                .extracting(e -> ((InvalidOvaException) e).checkId()).isEqualTo("tar.readable");
    }

    @Test
    void anArchiveCutInsideAnEntryIsTruncated() throws Exception {
        byte[] ova = new OvaBuilder("app.ovf", "<Envelope/>").file("disk1.img", new byte[50_000]).toBytes();
        byte[] cut = Arrays.copyOf(ova, ova.length - 20_000); // inside the disk data
        assertThatThrownBy(() -> OvaArchive.walk(new ByteArrayInputStream(cut), (e, d) -> d.readAllBytes()))
                .isInstanceOf(InvalidOvaException.class)
                .hasMessageContaining("disk1.img")
                .extracting(e -> ((InvalidOvaException) e).checkId()).isEqualTo("tar.truncated");
    }

    @Test
    void linksAndDirectoriesAreRecordedWithTheirKind() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry link = new TarArchiveEntry("passwd", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("/etc/passwd");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            tar.putArchiveEntry(new TarArchiveEntry("dir/"));
            tar.closeArchiveEntry();
        }
        List<OvaEntry> entries = OvaArchive.walk(new ByteArrayInputStream(bytes.toByteArray()), (e, d) -> { });
        assertThat(entries).extracting(OvaEntry::kind).containsExactly(OvaEntry.Kind.SYMLINK, OvaEntry.Kind.DIRECTORY);
        assertThat(entries.get(0).linkTarget()).isEqualTo("/etc/passwd");
    }

    /** Named so the intent reads at the call site. */
    private static final class InputStream0 {
        static ByteArrayInputStream empty() throws IOException {
            return new ByteArrayInputStream(new byte[0]);
        }
    }
}
