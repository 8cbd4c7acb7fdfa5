package org.ovaflow.core.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GnuPG, the consumer's side of the catalog's signatures: what {@code gpg --verify} accepts is what a catalog
 * reader accepts. Runs in batch mode on a keyring of its own (a fresh GNUPGHOME), never the user's. Where gpg is
 * missing the tests are skipped with a message, except under {@code CI=true}, where its absence fails the run
 * (.ci/run installs gnupg). Close it to stop the gpg-agent that key generation and export start.
 */
public final class Gpg implements AutoCloseable {

    private final String executable;
    private final Path home;

    private Gpg(String executable, Path home) {
        this.executable = executable;
        this.home = home;
    }

    /** gpg with an empty keyring in {@code home} (created), or the test aborted (skipped); a failure under CI=true. */
    public static Gpg require(Path home) {
        String gpg = onPath("gpg");
        if (gpg == null) {
            String message = "gpg is not installed (Debian: apt-get install -y gnupg); the gpg --verify tests of the "
                    + "catalog's signatures are skipped";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message.replace("are skipped", "cannot be skipped under CI=true"));
            }
            System.err.println("SKIPPED: " + message);
            Assumptions.abort(message);
            return null;
        }
        try {
            Files.createDirectories(home);
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------")); // else gpg warns
        } catch (IOException e) {
            throw new AssertionError("cannot make GNUPGHOME " + home, e);
        }
        return new Gpg(gpg, home);
    }

    private static String onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /** {@code gpg --import FILE}: a public (or secret) key into this keyring. */
    public void importKey(Path key) {
        run(List.of("--import", key.toString())).assertSuccess();
    }

    /**
     * {@code gpg --status-fd 1 --verify SIGNATURE DATA}: exit 0 and a {@code VALIDSIG} line for a good signature
     * by a key in this keyring (trusted or not: trust is the reader's own business).
     */
    public Result verify(Path signature, Path data) {
        return run(List.of("--status-fd", "1", "--verify", signature.toString(), data.toString()));
    }

    /** The fingerprint of the key that made a good signature, from {@code VALIDSIG}, or null when it was not good. */
    public static String validSignatureFingerprint(Result verification) {
        Matcher valid = Pattern.compile("^\\[GNUPG:] VALIDSIG ([0-9A-F]{40,64}) .* ([0-9A-F]{40,64})$",
                Pattern.MULTILINE).matcher(verification.output());
        return verification.exitCode() == 0 && valid.find() ? valid.group(2) : null;
    }

    /**
     * {@code gpg --quick-generate-key USERID ALGORITHM sign never}, protected by {@code passphrase} (empty: none);
     * returns the new key's fingerprint.
     */
    public String generateKey(String userId, String algorithm, String passphrase) {
        run(List.of("--pinentry-mode", "loopback", "--passphrase", passphrase, "--quick-generate-key", userId,
                algorithm, "sign", "never")).assertSuccess();
        Matcher fingerprint = Pattern.compile("^fpr:+([0-9A-F]{40,64}):", Pattern.MULTILINE)
                .matcher(run(List.of("--with-colons", "--list-secret-keys", userId)).assertSuccess().output());
        if (!fingerprint.find()) {
            throw new AssertionError("gpg made no key for " + userId);
        }
        return fingerprint.group(1);
    }

    /** {@code gpg --export-secret-keys --armor FINGERPRINT} into {@code file}, as protected as the key is. */
    public Path exportSecretKey(String fingerprint, String passphrase, Path file) {
        Result export = run(List.of("--pinentry-mode", "loopback", "--passphrase", passphrase,
                "--export-secret-keys", "--armor", "--output", file.toString(), fingerprint));
        export.assertSuccess();
        return file;
    }

    public Result run(List<String> args) {
        List<String> command = new ArrayList<>(List.of(executable, "--batch", "--no-tty", "--homedir", home.toString()));
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
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

    /** Stops this keyring's gpg-agent, if one was started. */
    @Override
    public void close() {
        String gpgconf = onPath("gpgconf");
        if (gpgconf == null) {
            return;
        }
        try {
            Process process = new ProcessBuilder(gpgconf, "--homedir", home.toString(), "--kill", "all")
                    .redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            // nothing to stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
