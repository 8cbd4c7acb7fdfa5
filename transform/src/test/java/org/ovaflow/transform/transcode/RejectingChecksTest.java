package org.ovaflow.transform.transcode;

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
 * {@link TranscodeStage#REJECTING_CHECKS} names every check id the disk library's readers and the stage can reject an import
 * for, and nothing else: the stage's metrics start a rejects series at 0 for each, and an id left out would be
 * counted from 1, which Prometheus's increase() does not see.
 */
class RejectingChecksTest {

    /** A check id as the code spells it: {@code "disk.vmdk.grain-table"}. */
    private static final Pattern ID_IN_CODE = Pattern.compile("\"(disk\\.[a-z0-9][a-z0-9.-]*)\"");
    /** The formats whose virtual size ReadOptions.checkVirtualSize judges: {@code disk.<format>.virtual-size}. */
    private static final Pattern VIRTUAL_SIZE_FORMAT = Pattern.compile("checkVirtualSize\\((\"[a-z0-9]+\"|FORMAT),");
    private static final Pattern DECLARATION = Pattern.compile("REJECTING_CHECKS = Set\\.of\\([^;]*\\);");
    private static final Pattern FORMAT_CONSTANT = Pattern.compile("String FORMAT = \"([a-z0-9]+)\"");

    @Test
    void theDeclaredIdsAreExactlyThoseTheCodeRejectsFor() throws IOException {
        Set<String> inCode = new TreeSet<>();
        // the stage's own code, and the disk library whose readers and writers it runs
        try (Stream<Path> files = Stream.concat(Files.walk(Path.of("src/main/java")),
                Files.walk(Path.of("..", "disk", "src", "main", "java")))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                // the declaration itself is what is checked, not a place that rejects
                String source = DECLARATION.matcher(Files.readString(file)).replaceAll("");
                Matcher id = ID_IN_CODE.matcher(source);
                while (id.find()) {
                    inCode.add(id.group(1));
                }
                Matcher format = VIRTUAL_SIZE_FORMAT.matcher(source);
                while (format.find()) {
                    String name = format.group(1);
                    if (name.equals("FORMAT")) {
                        Matcher constant = FORMAT_CONSTANT.matcher(source);
                        assertThat(constant.find()).as("FORMAT constant of %s", file).isTrue();
                        name = constant.group(1);
                    } else {
                        name = name.substring(1, name.length() - 1);
                    }
                    inCode.add("disk." + name + ".virtual-size");
                }
            }
        }
        // the file name StreamOptimizedWriter gives a VMDK it writes, not a check id
        inCode.remove("disk.vmdk");

        assertThat(TranscodeStage.REJECTING_CHECKS).containsExactlyInAnyOrderElementsOf(inCode);
    }
}
