package org.ovaflow.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The shared corpus of real-world descriptors: {@code -Drealworld.ovf.dir}, else {@code shared/realworld-ovf}
 * in the working directory or any folder above it (git worktrees sit deeper than the main checkout).
 */
public final class RealWorldCorpus {

    private static final String PROPERTY = "realworld.ovf.dir";
    private static final Path IN_SHARED = Path.of("shared", "realworld-ovf");

    private RealWorldCorpus() {
    }

    public static Optional<Path> directory() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && Files.isDirectory(Path.of(configured))) {
            return Optional.of(Path.of(configured));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(IN_SHARED);
            if (Files.isRegularFile(candidate.resolve("expected.json"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Every .ovf of the corpus, sorted; empty when it is absent. */
    public static List<Path> descriptors() {
        return directory().map(dir -> {
            try (Stream<Path> files = Files.list(dir)) {
                return files.filter(f -> f.getFileName().toString().endsWith(".ovf")).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).orElse(List.of());
    }

    /**
     * The descriptors as test parameters: when the corpus is absent, one null invocation that the test skips with
     * {@link #assumePresent}, since an empty source would drop the test from the report silently.
     */
    public static Stream<Path> parameters() {
        List<Path> descriptors = descriptors();
        return descriptors.isEmpty() ? Stream.of((Path) null) : descriptors.stream();
    }

    public static void assumePresent(Path descriptor) {
        org.junit.jupiter.api.Assumptions.assumeTrue(descriptor != null, () -> "real-world OVF corpus not found via -D"
                + PROPERTY + " nor as " + IN_SHARED + " above " + Path.of("").toAbsolutePath());
    }
}
