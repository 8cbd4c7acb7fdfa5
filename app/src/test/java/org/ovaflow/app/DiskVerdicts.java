package org.ovaflow.app;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.disk.testing.HostileDisks;
import org.ovaflow.transform.transcode.TranscodeSettings;
import org.ovaflow.transform.transcode.TranscodeStage;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.inspect.Inspection;
import org.ovaflow.validate.inspect.OvaInspector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two verdicts on one disk, offline {@code inspect}'s and the transcode stage's: the disk packed into an OVA
 * (with the files it names), inspected as {@code ovaflow inspect} does, and the same OVA, in a real S3 server,
 * converted by the transcode stage from the event inspect made of it, as the pipeline's stages would hand it on.
 * Only the disks' structure is compared: the checks of the {@code disk.*} family.
 */
final class DiskVerdicts {

    static final String INCOMING = "ova-incoming";
    static final String STAGING = "ova-staging";
    private static final StageMetrics METRICS = new StageMetrics(new SimpleMeterRegistry());
    private static final AtomicInteger KEYS = new AtomicInteger();
    /** By the largest virtual size they accept: an inspector loads the envelope schemas once. */
    private static final Map<Long, OvaInspector> INSPECTORS = new ConcurrentHashMap<>();

    private DiskVerdicts() {
    }

    /** Both accept, or both reject; where both reject, inspect names the check the stage rejects with. */
    static void assertSameVerdict(HostileDisks.Fixture fixture, ObjectStore store, Path dir) throws IOException {
        byte[] ova = ova(fixture);
        Path file = Files.write(dir.resolve("parity-" + KEYS.incrementAndGet() + ".ova"), ova);
        Inspection inspection = INSPECTORS.computeIfAbsent(fixture.maxVirtualSize(),
                max -> OvaInspector.readingDisks(ValidationSettings.DEFAULTS, max)).inspect(file);
        List<String> inspectFails = diskFailures(inspection.event().checks());
        ImportEvent inspected = inspection.event();
        assertThat(inspected.appliance()).as("the descriptor of %s's package is valid", fixture).isNotNull();

        String key = "parity/" + file.getFileName();
        store.write(INCOMING, key, ova, "application/x-tar");
        ObjectInfo stat = store.stat(INCOMING, key).orElseThrow();
        ImportEvent validated = ImportEvent.arrived(new ObjectRef(INCOMING, key, stat.etag(), stat.size(),
                        stat.versionId()), "scan", Instant.now())
                .withTarIndex(inspected.tarIndex()).withManifest(inspected.manifest())
                .withAppliance(inspected.appliance());
        TranscodeStage stage = new TranscodeStage(store, STAGING,
                TranscodeSettings.parse("qcow2", true, fixture.maxVirtualSize()), METRICS);
        StageOutcome outcome = stage.transcode(validated);
        List<String> transcodeFails = diskFailures(outcome.event().checks());

        String both = "inspect: " + describe(inspection.event().checks()) + "\ntranscode: " + outcome.message();
        assertThat(inspectFails.isEmpty()).as("%s: inspect rejects exactly when the transcode stage does\n%s",
                fixture, both).isEqualTo(transcodeFails.isEmpty());
        assertThat(inspectFails).as("%s: inspect names the check the transcode stage rejects with\n%s", fixture, both)
                .containsAll(transcodeFails);
    }

    /** The package: the descriptor (sample appliance), a manifest when the fixture's reader trusted one, the disk, its files. */
    private static byte[] ova(HostileDisks.Fixture fixture) throws IOException {
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", fixture.fileName(),
                fixture.image().length);
        StringBuilder files = new StringBuilder();
        int id = 2;
        for (Map.Entry<String, byte[]> sibling : fixture.siblings().entrySet()) {
            files.append("    <File ovf:id=\"file").append(id++).append("\" ovf:href=\"").append(sibling.getKey())
                    .append("\" ovf:size=\"").append(sibling.getValue().length).append("\"/>\n");
        }
        descriptor = descriptor.replace("  </References>", files + "  </References>");
        OvaBuilder builder = new OvaBuilder("widget.ovf", descriptor).file(fixture.fileName(), fixture.image());
        fixture.siblings().forEach(builder::file);
        // the readers skip a VMDK grain's Adler-32 when the manifest verified the file: as the fixture's reader did
        builder.manifestAlgorithm(fixture.digestVerified() ? "SHA256" : null);
        return builder.toBytes();
    }

    private static List<String> diskFailures(List<CheckResult> checks) {
        return checks.stream().filter(CheckResult::failed).map(CheckResult::id).filter(id -> id.startsWith("disk."))
                .distinct().toList();
    }

    private static String describe(List<CheckResult> checks) {
        return String.join("; ", checks.stream().filter(c -> c.failed() || c.id().startsWith("disk."))
                .map(c -> c.status() + " " + c.id() + " " + c.where() + ": " + c.message()).toList());
    }
}
