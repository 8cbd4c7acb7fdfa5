package org.ovaflow.app;

import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.DiskImages;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.ReadOptions;

import java.nio.file.Path;

/** What a guest sees of a (small) disk image, read by ovaflow's own codecs, whatever its format. */
final class GuestContent {

    private GuestContent() {
    }

    static byte[] of(Path image) throws Exception {
        try (FileImageSource source = new FileImageSource(image);
             DiskImageReader reader = DiskImages.open(source, ReadOptions.defaults())) {
            byte[] content = new byte[Math.toIntExact(reader.virtualSize())];
            for (DiskImageReader.Chunk chunk = reader.next(); chunk != null; chunk = reader.next()) {
                System.arraycopy(chunk.data(), chunk.from(), content, Math.toIntExact(chunk.offset()), chunk.length());
            }
            return content;
        }
    }
}
