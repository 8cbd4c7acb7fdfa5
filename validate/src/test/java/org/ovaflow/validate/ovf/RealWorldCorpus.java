package org.ovaflow.validate.ovf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The shared corpus of real-world descriptors, for tests of other packages; empty when it is absent. */
public final class RealWorldCorpus {

    private RealWorldCorpus() {
    }

    public static List<Path> descriptors() {
        return RealWorldDescriptorsTest.corpusDirectory().map(dir -> {
            try (Stream<Path> files = Files.list(dir)) {
                return files.filter(f -> f.getFileName().toString().endsWith(".ovf")).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).orElse(List.of());
    }
}
