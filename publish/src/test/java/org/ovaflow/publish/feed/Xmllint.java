package org.ovaflow.publish.feed;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "xmllint");
            if (Files.isExecutable(candidate)) {
                return new Xmllint(candidate.toString());
            }
        }
        String message = "xmllint is not installed (Debian: apt-get install -y libxml2-utils); the xmllint checks of "
                + "the feeds are skipped";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message.replace("are skipped", "cannot be skipped under CI=true"));
        }
        System.err.println("SKIPPED: " + message);
        Assumptions.abort(message);
        return null;
    }

    /** {@code xmllint --noout --nonet FILE}: fails with xmllint's messages unless the document is well-formed. */
    void assertWellFormed(Path file) {
        try {
            Process process = new ProcessBuilder(executable, "--noout", "--nonet", file.toString())
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("xmllint timed out on " + file);
            }
            if (process.exitValue() != 0 || !output.isBlank()) {
                throw new AssertionError("xmllint --noout " + file + " exited " + process.exitValue() + ":\n" + output);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run xmllint", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
