package org.ovaflow.core.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command-line tool the tests take as an oracle (qemu-img, gpg, xmllint): found on the PATH, or the test skipped
 * with a visible message, except under {@code CI=true}, where its absence fails the run (.ci/run installs them).
 */
public final class ExternalTool {

    private ExternalTool() {
    }

    /**
     * The tool's path, or the test aborted (skipped) saying so; a failure under CI=true.
     *
     * @param debianPackage what to install, for the message
     * @param skipped       what is skipped without it, for the message ("the qemu-img oracle tests")
     */
    public static String require(String name, String debianPackage, String skipped) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String message = name + " is not installed (Debian: apt-get install -y " + debianPackage + "); " + skipped
                + " are skipped";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message.replace("are skipped", "cannot be skipped under CI=true"));
        }
        System.err.println("SKIPPED: " + message);
        Assumptions.abort(message);
        return null;
    }

    /** Runs {@code command} in {@code dir} (null: the working directory), output and errors together. */
    public static Result run(Path dir, List<String> command, Duration timeout) {
        try {
            Process process = new ProcessBuilder(command).directory(dir == null ? null : dir.toFile())
                    .redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Result(command, process.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }

    public record Result(List<String> command, int exitCode, String output) {
        public Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + exitCode + ":\n" + output);
            }
            return this;
        }
    }
}
