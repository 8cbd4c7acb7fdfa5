package org.ovaflow.disk;

import java.io.IOException;
import java.util.List;

/** One read of a source image fanned out to every target's writer, in step. */
public final class Conversion {

    private Conversion() {
    }

    /**
     * Copies the guest data of {@code reader} into each writer and finishes them all; a failure abandons
     * every writer (their sinks are aborted by {@link DiskImageWriter#close()}).
     *
     * @return the bytes of guest data read (what the source holds, not its virtual size)
     */
    public static long copy(DiskImageReader reader, List<? extends DiskImageWriter> writers) throws IOException {
        long data = 0;
        for (DiskImageReader.Chunk chunk = reader.next(); chunk != null; chunk = reader.next()) {
            if (chunk.end() > reader.virtualSize()) {
                throw new InvalidDiskImageException("disk.extent", "data at [" + chunk.offset() + ", " + chunk.end()
                        + ") lies past the virtual size " + reader.virtualSize());
            }
            for (DiskImageWriter writer : writers) {
                writer.write(chunk.offset(), chunk.data(), chunk.from(), chunk.length());
            }
            data += chunk.length();
        }
        for (DiskImageWriter writer : writers) {
            writer.finish();
        }
        return data;
    }
}
