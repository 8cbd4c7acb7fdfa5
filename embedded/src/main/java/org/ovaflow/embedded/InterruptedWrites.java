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
 * {@code <key>-<random UUID>} beside it and then renames it to {@code <key>}; a store process killed in between
 * leaves the first file, which it would list as an object of its own from then on (seen in the chaos suite: a kill
 * of the broker+store process during a copy into a catalog entry left one there). Once the client's retry has
 * written the object itself, such a file is only a leftover: before the store starts, it is moved out of the
 * buckets into {@code <data>/interrupted-writes/} (nothing is deleted), with a warning that names it. A file of
 * that shape whose object is not there is left where it is: it is the only copy of something.
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
        // the walk's own attributes and the name first: only a file of the leftover shape costs a look at its sibling
        try (Stream<Path> files = Files.find(buckets, Integer.MAX_VALUE,
                (file, attributes) -> attributes.isRegularFile() && isLeftover(file))) {
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
            LOG.warn("{} is what a store process killed while writing {} left; the object was written again since: "
                    + "moved to {}", leftover, siblingOf(leftover), target);
        }
    }

    private static boolean isLeftover(Path file) {
        Path sibling = siblingOf(file);
        return sibling != null && Files.isRegularFile(sibling);
    }

    /** The object a file of the leftover shape was being written as, or null when the name is not of that shape. */
    private static Path siblingOf(Path file) {
        Matcher name = LEFTOVER.matcher(file.getFileName().toString());
        return name.matches() ? file.resolveSibling(name.group(1)) : null;
    }
}
