package org.ovaflow.validate;

import org.junit.jupiter.api.Test;
import org.ovaflow.validate.checksum.ChecksumStage;
import org.ovaflow.validate.schema.SchemaStage;

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

    private static final Pattern DECLARATION = Pattern.compile("REJECTING_CHECKS = Set\\.of\\([^;]*\\);");

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

    @Test
    void eachStageDeclaresTheIdsItsSectionSaysCanFail() throws IOException {
        // the stage's metrics start a rejects series at 0 for each: a missing id would count from 1 and be lost
        assertThat(ChecksumStage.REJECTING_CHECKS).as("ChecksumStage.REJECTING_CHECKS")
                .containsExactlyInAnyOrderElementsOf(failing("## Checksum stage"));
        assertThat(SchemaStage.REJECTING_CHECKS).as("SchemaStage.REJECTING_CHECKS")
                .containsExactlyInAnyOrderElementsOf(failing("## Schema stage"));
    }

    /** The ids that can FAIL in the section of docs/checks.md whose heading starts with {@code heading}. */
    private static Set<String> failing(String heading) throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "checks.md"));
        int start = doc.indexOf("\n" + heading);
        assertThat(start).as("section %s of docs/checks.md", heading).isNotNegative();
        int end = doc.indexOf("\n## ", start + 1);
        Matcher rows = ID_IN_DOC.matcher(doc.substring(start, end < 0 ? doc.length() : end));
        Set<String> failing = new TreeSet<>();
        while (rows.find()) {
            if (rows.group(2).contains("FAIL")) {
                failing.add(rows.group(1));
            }
        }
        assertThat(failing).as("FAIL ids of %s", heading).isNotEmpty();
        return failing;
    }

    private static Set<String> ids(Path root, Pattern pattern) throws IOException {
        Set<String> ids = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                // a stage's list of the ids it can reject for is checked below, not a place that reports one
                Matcher m = pattern.matcher(DECLARATION.matcher(Files.readString(file)).replaceAll(""));
                while (m.find()) {
                    ids.add(m.group(1));
                }
            }
        }
        return ids;
    }
}
