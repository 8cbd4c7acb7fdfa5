package org.ovaflow.app.chaos;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chaos suite's short version: 20 imports (good, corrupt and a few with 48 MiB disks) through seven
 * processes, one fault of every kind on the way; every import ends exactly once, published or quarantined.
 */
class ChaosIT {

    @Test
    void everyImportEndsExactlyOnceWhateverFailsOnTheWay(@TempDir Path dir) throws Exception {
        ChaosSuite.Config config = new ChaosSuite.Config(20, 5, 7, 48, null, Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofSeconds(180), 20261127);
        try (ChaosSuite suite = new ChaosSuite(config, dir)) {
            ChaosSuite.Report report = suite.run();
            System.out.println(report.table());
            if (!report.passed()) {
                keepLogs(dir.resolve("logs"));
            }
            assertThat(report.passed()).as(report.table()).isTrue();
            assertThat(report.faults()).hasSize(4);
            assertThat(report.poisonInDlq()).hasSize(report.poisonSent());
        }
    }

    /** The processes' logs of a failed run, kept where CI leaves its reports (the temporary folder goes). */
    private static void keepLogs(Path logs) throws IOException {
        Path kept = Path.of("target", "chaos-logs");
        Files.createDirectories(kept);
        try (var files = Files.list(logs)) {
            for (Path log : files.toList()) {
                Files.copy(log, kept.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        System.out.println("the processes' logs: " + kept.toAbsolutePath());
    }
}
