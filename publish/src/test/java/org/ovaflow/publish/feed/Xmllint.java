package org.ovaflow.publish.feed;

import org.ovaflow.core.testing.ExternalTool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * libxml2's xmllint, a second opinion on the feeds besides Rome. Where it is missing the tests that need it are
 * skipped with a message, except under {@code CI=true}, where its absence fails the run (.ci/run installs
 * libxml2-utils).
 */
final class Xmllint {

    private final String executable;

    private Xmllint(String executable) {
        this.executable = executable;
    }

    /** xmllint, or the test aborted (skipped) with the reason; a failure under CI=true. */
    static Xmllint require() {
        return new Xmllint(ExternalTool.require("xmllint", "libxml2-utils", "the xmllint checks of the feeds"));
    }

    /** {@code xmllint --noout --nonet FILE}: fails with xmllint's messages unless the document is well-formed. */
    void assertWellFormed(Path file) {
        ExternalTool.Result result = ExternalTool.run(null, List.of(executable, "--noout", "--nonet", file.toString()),
                Duration.ofMinutes(1));
        if (result.exitCode() != 0 || !result.output().isBlank()) {
            throw new AssertionError("xmllint --noout " + file + " exited " + result.exitCode() + ":\n"
                    + result.output());
        }
    }
}
