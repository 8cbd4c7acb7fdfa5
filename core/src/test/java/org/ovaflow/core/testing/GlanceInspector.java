package org.ovaflow.core.testing;

import org.junit.jupiter.api.Assumptions;
import org.ovaflow.core.testing.ExternalTool.Result;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenStack Glance's image format inspector ({@code glance/common/format_inspector.py}, with the 2024
 * image-safety fixes), the oracle of what Glance accepts: run by Debian's {@code /usr/bin/python3}, where
 * {@code python3-glance} installs it (a pyenv python first on the PATH has no Glance). Where it cannot be imported
 * the tests are skipped with a message, except under {@code CI=true}, where that fails the run.
 *
 * <p>The module's one import beyond the standard library is {@code oslo_log}, which it only logs through: the
 * script puts a stand-in of it over Python's logging when it is missing, so that the two packages unpacked
 * alone ({@code apt-get download python3-glance glance-common; dpkg -x}, on {@code PYTHONPATH}) are enough.
 */
public final class GlanceInspector {

    /** Debian's python, where python3-glance installs; overridden by {@code OVAFLOW_GLANCE_PYTHON}. */
    private static final String PYTHON = System.getenv().getOrDefault("OVAFLOW_GLANCE_PYTHON", "/usr/bin/python3");

    private static final String SCRIPT = """
            import logging, sys, types
            try:
                import oslo_log.log
            except ImportError:
                # the inspector only logs through oslo.log: Python's logging stands in for it
                log = types.ModuleType('oslo_log.log')
                log.getLogger = logging.getLogger
                package = types.ModuleType('oslo_log')
                package.log = log
                sys.modules['oslo_log'] = package
                sys.modules['oslo_log.log'] = log
            from glance.common import format_inspector as fi
            if len(sys.argv) < 3:
                print('importable')
                sys.exit(0)
            path, declared = sys.argv[1], sys.argv[2]
            # what Glance detects of the bytes, then what the inspector of the declared disk_format says of them
            detected = fi.detect_file_format(path)
            print('detected=%s' % detected)
            try:
                inspector = fi.get_inspector(declared).from_file(path)
            except fi.ImageFormatError as e:
                print('error=%s' % e)
                sys.exit(0)
            print('virtual_size=%d' % inspector.virtual_size)
            print('safe=%s' % bool(inspector.safety_check()))
            """;

    private GlanceInspector() {
    }

    /** The inspector, or the test aborted (skipped) with the reason; a failure under CI=true. */
    public static GlanceInspector require() {
        String missing = null;
        if (!Files.isExecutable(Path.of(PYTHON))) {
            missing = PYTHON + " is not installed";
        } else {
            Result probe = run(List.of());
            if (probe.exitCode() != 0 || !probe.output().contains("importable")) {
                missing = PYTHON + " cannot import glance.common.format_inspector:\n" + probe.output();
            }
        }
        if (missing == null) {
            return new GlanceInspector();
        }
        String message = missing + "\n(Debian: apt-get install -y python3-glance, or python3-glance and "
                + "glance-common unpacked on PYTHONPATH); the Glance format inspector tests";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " cannot be skipped under CI=true");
        }
        System.err.println("SKIPPED: " + message + " are skipped");
        Assumptions.abort(message + " are skipped");
        return null;
    }

    /**
     * What Glance makes of {@code image} uploaded as {@code diskFormat} (Glance's name: qcow2, vmdk, vhd, raw):
     * the format it detects, and the declared format's inspector's virtual size and safety check, or its error.
     */
    public Verdict inspect(Path image, String diskFormat) {
        Result result = run(List.of(image.toString(), diskFormat)).assertSuccess();
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : result.output().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        if (!fields.containsKey("detected")) {
            throw new AssertionError("no verdict from Glance's inspector on " + image + ":\n" + result.output());
        }
        String size = fields.get("virtual_size");
        return new Verdict(fields.get("detected"), fields.get("error"), size == null ? -1 : Long.parseLong(size),
                "True".equals(fields.get("safe")), result.output());
    }

    /**
     * @param detected    the format {@code detect_file_format} names
     * @param error       the declared format's inspector's refusal, null when it read the image
     * @param virtualSize the declared format's inspector's virtual size, -1 after a refusal
     * @param safe        whether {@code safety_check()} passed
     * @param output      all the script printed, for messages
     */
    public record Verdict(String detected, String error, long virtualSize, boolean safe, String output) {
    }

    private static Result run(List<String> args) {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-c", SCRIPT));
        command.addAll(args);
        return ExternalTool.run(null, command, Duration.ofMinutes(2));
    }
}
