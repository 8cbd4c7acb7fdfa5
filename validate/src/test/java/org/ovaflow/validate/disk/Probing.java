package org.ovaflow.validate.disk;

import org.ovaflow.disk.DiskHeader;
import org.ovaflow.disk.testing.HostileDisks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Feeds bytes to a probe the way the checksum stage does: buffer after buffer, of a size the test picks. */
final class Probing {

    private Probing() {
    }

    static DiskHeader probe(String name, byte[] bytes, int bufferSize) {
        DiskImageProbe probe = DiskImageProbe.forEntry(name);
        for (int at = 0; at < bytes.length; at += bufferSize) {
            probe.update(bytes, at, Math.min(bufferSize, bytes.length - at));
        }
        return probe.finish();
    }

    /** A whole file probed: also a hostile disk for the parity of inspect and the transcode stage (HostileDisks). */
    static DiskHeader probe(String name, byte[] bytes) {
        HostileDisks.probed(name, bytes);
        return probe(name, bytes, 1 << 20);
    }

    static DiskHeader probe(Path file) throws IOException {
        DiskImageProbe probe = DiskImageProbe.forEntry(file.getFileName().toString());
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            int n;
            while ((n = in.read(buffer)) > 0) {
                probe.update(buffer, 0, n);
            }
        }
        return probe.finish();
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
