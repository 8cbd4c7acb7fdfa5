package org.ovaflow.validate;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/checks.md is the operator's list of check ids: every id the checksum and schema stages can report is in
 * it, it lists none that no code reports, and every id that can reject a package is asserted by some test.
 */
class ChecksCatalogueTest {

    /** A check id as the code spells it: {@code "tar.entry-name"}. */
    private static final Pattern ID_IN_CODE = Pattern.compile("\"((?:tar|manifest|signature|disk|ovf|package)\\.[a-z0-9-]+)\"");
    private static final Pattern ID_IN_DOC = Pattern.compile("^\\| `([a-z0-9.-]+)` \\| ([A-Z/]+) \\|", Pattern.MULTILINE);

    private static final Path MODULE = Path.of("");
    private static final Path CORE = Path.of("..", "core");

    @Test
    void everyCheckIdIsDocumentedAndEveryDocumentedIdExists() throws IOException {
        Set<String> inCode = ids(MODULE.resolve("src/main/java"), ID_IN_CODE);
        inCode.addAll(ids(CORE.resolve("src/main/java/org/ovaflow/core/ova"), ID_IN_CODE));
        Set<String> documented = ids(Path.of("..", "docs", "checks.md"), ID_IN_DOC);

        assertThat(documented).as("ids in docs/checks.md").containsExactlyInAnyOrderElementsOf(inCode);
    }

    @Test
    void everyIdThatCanRejectIsAssertedByATest() throws IOException {
        Matcher rows = ID_IN_DOC.matcher(Files.readString(Path.of("..", "docs", "checks.md")));
        Set<String> rejecting = new TreeSet<>();
        while (rows.find()) {
            if (rows.group(2).contains("FAIL")) {
                rejecting.add(rows.group(1));
            }
        }
        Set<String> tested = ids(MODULE.resolve("src/test/java"), ID_IN_CODE);
        tested.addAll(ids(CORE.resolve("src/test/java"), ID_IN_CODE));

        assertThat(tested).as("check ids named in tests").containsAll(rejecting);
    }

    private static Set<String> ids(Path root, Pattern pattern) throws IOException {
        Set<String> ids = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Matcher m = pattern.matcher(Files.readString(file));
                while (m.find()) {
                    ids.add(m.group(1));
                }
            }
        }
        return ids;
    }
}
