package org.ovaflow.validate;

import org.junit.jupiter.api.Test;
import org.ovaflow.core.event.CheckCatalogue;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.validate.checksum.ChecksumStage;
import org.ovaflow.validate.schema.SchemaStage;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/checks.md is the operator's list of check ids: every id the checksum and schema stages can report is in
 * it, it lists none that no code reports, and every id that can reject a package is asserted by some test. The
 * severity and remedy it shows for each id (and for the later stages' families) are those of
 * {@link CheckCatalogue}, which report.json and {@code inspect} give, and the catalogue has no id the page lacks.
 */
class ChecksCatalogueTest {

    /** A check id as the code spells it: {@code "tar.entry-name"}. */
    private static final Pattern ID_IN_CODE = Pattern.compile("\"((?:tar|manifest|signature|disk|ovf|package)\\.[a-z0-9-]+)\"");
    private static final Pattern ID_IN_DOC = Pattern.compile("^\\| `([a-z0-9.-]+)` \\| ([A-Z/]+) \\|", Pattern.MULTILINE);
    /** A row of the checksum and schema stages' tables: id, status, severity, meaning, remedy. */
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9.-]+)` \\| ([A-Z/]+) \\| ([a-z/—]+) \\| .* \\| ([^|]+) \\|$",
            Pattern.MULTILINE);
    /** A row of the later stages' table: stage, id or family ({@code disk.qcow2.*}), status, severity, meaning, remedy. */
    private static final Pattern LATER_ROW = Pattern.compile(
            "^\\| [a-z]+ \\| `([a-z0-9.-]+)(\\*?)`[^|]* \\| ([A-Z/]+) \\| ([a-z/—]+) \\| .* \\| ([^|]+) \\|$", Pattern.MULTILINE);

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
    void everyDocumentedIdHasTheCataloguesSeverityAndRemedy() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "checks.md"));
        Map<String, CheckCatalogue.Advice> ids = new TreeMap<>(CheckCatalogue.ids());
        Map<String, CheckCatalogue.Advice> families = new TreeMap<>(CheckCatalogue.families());

        Matcher rows = ROW.matcher(doc);
        while (rows.find()) {
            String id = rows.group(1);
            CheckCatalogue.Advice advice = ids.remove(id);
            assertThat(advice).as("CheckCatalogue has advice for %s", id).isNotNull();
            assertThat(rows.group(3)).as("severity of %s", id).isEqualTo(severities(rows.group(2), advice));
            assertThat(rows.group(4)).as("remedy of %s", id).isEqualTo(advice.remedy() == null ? "—" : advice.remedy());
            assertThat(advice.remedy() == null).as("%s has a remedy exactly when it can fail or warn", id)
                    .isEqualTo(rows.group(2).equals("PASS"));
        }
        Matcher later = LATER_ROW.matcher(doc);
        while (later.find()) {
            String key = later.group(1);
            CheckCatalogue.Advice advice = later.group(2).isEmpty() ? ids.remove(key) : families.remove(key);
            assertThat(advice).as("CheckCatalogue has advice for %s", key).isNotNull();
            assertThat(later.group(4)).as("severity of %s", key).isEqualTo(severities(later.group(3), advice));
            assertThat(later.group(5)).as("remedy of %s", key).isEqualTo(advice.remedy());
        }
        assertThat(ids).as("catalogued ids docs/checks.md does not show").isEmpty();
        assertThat(families).as("catalogued families docs/checks.md does not show").isEmpty();
    }

    @Test
    void aFailureIsCriticalAndAWarningHasTheSeverityOfItsCheck() {
        CheckResult failed = CheckResult.fail("manifest.present", "x.ova", "no manifest");
        assertThat(CheckCatalogue.severity(failed)).isEqualTo(CheckCatalogue.Severity.CRITICAL);
        assertThat(CheckCatalogue.severity(CheckResult.warn("manifest.present", "x.ova", "no manifest")))
                .isEqualTo(CheckCatalogue.Severity.WARNING);
        assertThat(CheckCatalogue.severity(CheckResult.warn("ovf.href-spelling", "x.ovf", "decoded")))
                .isEqualTo(CheckCatalogue.Severity.INFO);
        assertThat(CheckCatalogue.severity(CheckResult.pass("manifest.digest", "d", "ok"))).isNull();
        // a later stage's id finds its family's remedy; an id nobody reports has none, and its failure is critical
        assertThat(CheckCatalogue.remedy(CheckResult.fail("disk.qcow2.l2-table", "d.qcow2", "bad")))
                .contains("qemu-img convert -O qcow2");
        assertThat(CheckCatalogue.remedy(CheckResult.fail("disk.extent", "d", "bad"))).contains("Export the disk again");
        CheckResult unknown = CheckResult.fail("nobody.reports-this", null, "?");
        assertThat(CheckCatalogue.remedy(unknown)).isNull();
        assertThat(CheckCatalogue.severity(unknown)).isEqualTo(CheckCatalogue.Severity.CRITICAL);
    }

    /** The severities a row shows for its statuses, in their order: critical for FAIL, the check's own for WARN. */
    private static String severities(String statuses, CheckCatalogue.Advice advice) {
        List<String> shown = new ArrayList<>();
        for (String status : statuses.split("/")) {
            if (status.equals("FAIL")) {
                shown.add(CheckCatalogue.Severity.CRITICAL.label());
            } else if (status.equals("WARN")) {
                assertThat(advice.warnSeverity()).as("severity of a check that warns").isNotNull();
                shown.add(advice.warnSeverity().label());
            }
        }
        return shown.isEmpty() ? "—" : String.join("/", shown);
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
