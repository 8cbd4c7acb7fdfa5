package org.ovaflow.app.cli;

import org.ovaflow.app.Ovaflow;
import org.ovaflow.disk.Conversion;
import org.ovaflow.disk.DiskImageReader;
import org.ovaflow.disk.DiskImageWriter;
import org.ovaflow.disk.DiskImages;
import org.ovaflow.disk.FileImageSink;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.InvalidDiskImageException;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.TargetFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code ovaflow convert IN OUT --to FORMAT}: the transcode stage's codecs on local files, offline. The same
 * readers and writers, the same checks: a corrupt or hostile image is refused with the check that failed.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Converts a disk image (VMDK, qcow2, VHD, raw; gzip-compressed too) to another format, "
                + "offline, with the codecs of the transcode stage.")
public final class ConvertCommand extends CommandOutput implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "the image to read; its format is read from its bytes")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "the image to write (written whole or not at all)")
    Path out;

    @Option(names = "--to", required = true, paramLabel = "FORMAT",
            description = "qcow2, vhd (dynamic), vhd-fixed, raw or vmdk (streamOptimized)")
    String to;

    @Option(names = "--round-to-mib", description = "VHD: round the disk size up to a whole MiB (Azure needs it)")
    boolean roundToMiB;

    @Option(names = "--max-virtual-size", paramLabel = "BYTES",
            description = "refuse disks declaring more than this (default: ${DEFAULT-VALUE})")
    long maxVirtualSize = ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE;

    @Override
    public Integer call() throws IOException {
        TargetFormat target = TargetFormat.of(to);
        if (!Files.isRegularFile(in)) {
            throw new IllegalArgumentException(in + " is not a file");
        }
        long started = System.nanoTime();
        ReadOptions options = new ReadOptions(maxVirtualSize, this::sibling);
        try (ImageSource source = new FileImageSource(in);
             DiskImageReader reader = DiskImages.open(source, options);
             DiskImageWriter writer = DiskImages.writer(target, reader.virtualSize(), new FileImageSink(out),
                     roundToMiB, out.getFileName().toString())) {
            long data = Conversion.copy(reader, List.of(writer));
            double seconds = (System.nanoTime() - started) / 1e9;
            out().printf("%s → %s (%s): %d bytes virtual, %d bytes of data, %d bytes written in %.2f s%n",
                    in.getFileName(), out.getFileName(), target.id(), reader.virtualSize(), data, Files.size(out),
                    seconds);
            return Ovaflow.OK;
        } catch (InvalidDiskImageException e) {
            err().println("ovaflow: " + in + " rejected: " + e.check() + ": " + e.getMessage());
            return Ovaflow.REJECTED;
        }
    }

    /**
     * A file a descriptor names (a VMDK's flat extent): only a plain name, looked up beside the input, as
     * qemu-img does; never a path elsewhere.
     */
    private Optional<ImageSource> sibling(String name) throws IOException {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals("..") || name.equals(".")) {
            return Optional.empty();
        }
        Path file = in.toAbsolutePath().resolveSibling(name);
        return Files.isRegularFile(file) ? Optional.of(new FileImageSource(file)) : Optional.empty();
    }
}
