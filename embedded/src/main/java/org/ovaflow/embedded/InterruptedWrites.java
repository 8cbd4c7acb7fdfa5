package org.ovaflow.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a killed store leaves of the writes it was making. s3proxy's filesystem store writes an object into
 * {@code <key>-<random UUID>} beside it and only then renames it to {@code <key>}, which is what makes the write
 * done; a store process killed in between leaves the first file, a write the store never acknowledged, which it
 * would list as an object of its own from then on (seen in the chaos suite: kills of the broker+store process
 * during a copy into a catalog entry and during the completion of a qcow2's upload each left one, the second
 * before the client's retry had written the object). Before the store starts, such files are moved out of the
 * buckets into {@code <data>/interrupted-writes/} (nothing is deleted), with a warning that names each. An object
 * whose own key ends in {@code -<UUID>} would be moved too: ovaflow names none so, and the warning says where it
 * went.
 */
final class InterruptedWrites {

    private static final Logger LOG = LoggerFactory.getLogger(InterruptedWrites.class);

    private static final Pattern LEFTOVER = Pattern.compile(
            "(.+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private InterruptedWrites() {
    }

    /** Moves the leftovers under {@code buckets} to {@code aside}, keeping their paths. */
    static void moveAside(Path buckets, Path aside) {
        List<Path> leftovers;
        // judged by the walk's own attributes and the name: no file costs a request of its own
        try (Stream<Path> files = Files.find(buckets, Integer.MAX_VALUE,
                (file, attributes) -> attributes.isRegularFile() && siblingOf(file) != null)) {
            leftovers = files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look for interrupted writes under " + buckets, e);
        }
        for (Path leftover : leftovers) {
            Path target = aside.resolve(buckets.relativize(leftover));
            try {
                Files.createDirectories(target.getParent());
                Files.move(leftover, target);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot move the interrupted write " + leftover + " to " + target, e);
            }
            LOG.warn("{} is what a store process killed while writing {} left, a write it never completed: moved to {}",
                    leftover, siblingOf(leftover), target);
        }
    }

    /** The object a file of the leftover shape was being written as, or null when the name is not of that shape. */
    private static Path siblingOf(Path file) {
        Matcher name = LEFTOVER.matcher(file.getFileName().toString());
        return name.matches() ? file.resolveSibling(name.group(1)) : null;
    }
}
