package org.ovaflow.validate.schema;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.ovaflow.core.stage.StageMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.PoisonEventException;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.store.StoreTraffic;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.validate.checksum.PackageVerification;
import org.ovaflow.validate.checksum.PackageVerifier;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.ovf.OvfDescriptorParser;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The schema stage on real OVA objects in a real S3 server, with the tar index the checksum stage's verifier
 * makes of them, so the descriptor is read by its real offset.
 */
class SchemaStageTest {

    /** The stage's meters, counted here and never exported. */
    private static final StageMetrics METRICS = new StageMetrics(new SimpleMeterRegistry());

    private static final String BUCKET = "ova-incoming";
    private static final int DISK_BYTES = 20_000;

    @RegisterExtension
    static final S3Server S3 = new S3Server(BUCKET);

    private final ObjectStore store = S3.store();

    private final SchemaStage stage = new SchemaStage(store, new DescriptorValidator(new OvfDescriptorParser(), ValidationSettings.DEFAULTS),
            METRICS);

    @Test
    void aGoodApplianceIsValidatedWithItsMetadata() throws Exception {
        ImportEvent event = verified("good.ova", SampleAppliance.ova("Acme Corp", "Widget Server", "2.4.1", DISK_BYTES, 1));

        StageOutcome outcome = stage.validate(event);

        assertThat(outcome.next()).isEqualTo(Topics.VALIDATED);
        assertThat(outcome.state()).isEqualTo(StatusEvent.State.VALIDATED);
        assertThat(outcome.message()).contains("Widget Server", "2.4.1", "Acme Corp");
        ApplianceMetadata appliance = outcome.event().appliance();
        assertThat(appliance.vendor()).isEqualTo("Acme Corp");
        assertThat(appliance.product()).isEqualTo("Widget Server");
        assertThat(appliance.version()).isEqualTo("2.4.1");
        assertThat(appliance.ovfVersion()).startsWith("1");
        assertThat(appliance.virtualSystems()).singleElement().satisfies(vm -> {
            assertThat(vm.cpus()).isEqualTo(2);
            assertThat(vm.memoryMiB()).isEqualTo(1024L);
            assertThat(vm.osId()).isEqualTo(101);
        });
        assertThat(appliance.disks()).singleElement().satisfies(disk -> {
            assertThat(disk.fileRef()).isEqualTo("file1");
            assertThat(disk.format()).isEqualTo(SampleAppliance.RAW_FORMAT);
        });
        assertThat(appliance.files()).singleElement().satisfies(file -> {
            assertThat(file.href()).isEqualTo("disk1.img");
            assertThat(file.size()).isEqualTo((long) DISK_BYTES);
        });
        assertThat(appliance.networks()).containsExactly("VM Network");
        assertThat(outcome.event().failedChecks()).isEmpty();
        assertThat(outcome.event().checks()).extracting(CheckResult::id).contains("ovf.descriptor", "ovf.schema", "ovf.references");
        // the checks of the checksum stage stay in the event, the schema stage's come after them
        assertThat(outcome.event().checks()).startsWith(event.checks().toArray(CheckResult[]::new));
    }

    @Test
    void theDescriptorTheChecksumStageCarriedIsValidatedWithoutARequestToTheStore() throws Exception {
        ImportEvent event = verified("carried.ova", SampleAppliance.ova("Acme Corp", "Widget Server", "2.5", DISK_BYTES, 2));
        List<StoreTraffic.Request> requests = new ArrayList<>();
        SchemaStage counted = new SchemaStage(store.counted(new StoreTraffic() {
            @Override
            public void bytes(Op op, long bytes) {
            }

            @Override
            public void request(Request request) {
                requests.add(request);
            }
        }), new DescriptorValidator(new OvfDescriptorParser(), ValidationSettings.DEFAULTS), METRICS);

        assertThat(event.tarIndex().carriedDescriptor()).isPresent();
        StageOutcome carried = counted.validate(event);
        assertThat(requests).isEmpty();
        // an event without them (from before they were carried, or a descriptor too large to carry) reads the OVA
        StageOutcome read = counted.validate(event.withTarIndex(event.tarIndex().withoutDescriptor()));
        assertThat(requests).containsExactly(StoreTraffic.Request.GET);

        assertThat(carried.next()).isEqualTo(Topics.VALIDATED);
        assertThat(read.event().appliance()).isEqualTo(carried.event().appliance());
        // carried on to transcode, which writes the original's descriptor from them too
        assertThat(carried.event().tarIndex().carriedDescriptor()).isPresent();
    }

    @Test
    void anEventCarryingOtherBytesThanTheDescriptorsIsPoison() throws Exception {
        ImportEvent event = verified("tampered.ova", SampleAppliance.ova("Acme Corp", "Widget Server", "2.6", DISK_BYTES, 3));
        TarIndex index = event.tarIndex();
        byte[] other = index.carriedDescriptor().orElseThrow().clone();
        other[other.length / 2] ^= 1;
        ImportEvent tampered = event.withTarIndex(index.withoutDescriptor().withDescriptor(other));

        assertThatThrownBy(() -> stage.validate(tampered)).isInstanceOf(PoisonEventException.class)
                .hasMessageContaining("widget-server.ovf").hasMessageContaining("sha256");
    }

    @Test
    void aDescriptorWithAnExternalEntityIsRejectedWithoutReadingIt() throws Exception {
        String xxe = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", DISK_BYTES)
                .replace("<Envelope ", "<!DOCTYPE Envelope [ <!ENTITY secret SYSTEM \"file:///etc/passwd\"> ]>\n<Envelope ")
                .replace("<Product>Widget</Product>", "<Product>&secret;</Product>");
        ImportEvent event = verified("xxe.ova", new OvaBuilder("widget.ovf", xxe)
                .file("disk1.img", SampleAppliance.disk(DISK_BYTES, 1)));

        StageOutcome outcome = stage.validate(event);

        assertRejectedBy(outcome, "ovf.descriptor", "widget.ovf");
        assertThat(outcome.message()).contains("DOCTYPE").doesNotContain("root:");
        assertThat(outcome.event().appliance()).isNull();
    }

    @Test
    void aDescriptorAgainstItsEnvelopeSchemaIsRejectedWithTheLineAtFault() throws Exception {
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", DISK_BYTES)
                .replace("<OperatingSystemSection ovf:id=\"101\">", "<OperatingSystemSection ovf:id=\"Linux\">");
        ImportEvent event = verified("os.ova", new OvaBuilder("widget.ovf", descriptor)
                .file("disk1.img", SampleAppliance.disk(DISK_BYTES, 1)));

        StageOutcome outcome = stage.validate(event);

        assertRejectedBy(outcome, "ovf.schema", "widget.ovf");
        assertThat(outcome.message()).contains("OVF 1.x envelope schema", "line 35: ", "'Linux'", "'ovf:id'");
        // the metadata is still read, for the report
        assertThat(outcome.event().appliance()).isNotNull();
    }

    @Test
    void aReferencedFileMissingFromTheArchiveIsRejected() throws Exception {
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", DISK_BYTES);
        ImportEvent event = verified("missing.ova", new OvaBuilder("widget.ovf", descriptor));

        StageOutcome outcome = stage.validate(event);

        assertRejectedBy(outcome, "ovf.file-present", "disk1.img");
        assertThat(outcome.event().appliance()).isNotNull();
    }

    @Test
    void aFileOfAnotherSizeThanReferencesSaysIsRejected() throws Exception {
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", DISK_BYTES + 1);
        ImportEvent event = verified("size.ova", new OvaBuilder("widget.ovf", descriptor)
                .file("disk1.img", SampleAppliance.disk(DISK_BYTES, 1)));

        StageOutcome outcome = stage.validate(event);

        assertRejectedBy(outcome, "ovf.file-size", "disk1.img");
        assertThat(outcome.message()).contains(String.valueOf(DISK_BYTES + 1), String.valueOf(DISK_BYTES));
    }

    @Test
    void aDiskReferringToAnUndeclaredFileIsRejected() throws Exception {
        String descriptor = SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", DISK_BYTES)
                .replace("ovf:fileRef=\"file1\"", "ovf:fileRef=\"file9\"");
        ImportEvent event = verified("diskref.ova", new OvaBuilder("widget.ovf", descriptor)
                .file("disk1.img", SampleAppliance.disk(DISK_BYTES, 1)));

        StageOutcome outcome = stage.validate(event);

        assertRejectedBy(outcome, "ovf.disk-file-ref", "widget.ovf");
        assertThat(outcome.message()).contains("file9");
    }

    @Test
    void aDescriptorOverTheParserLimitIsRejectedWithoutAGet() throws Exception {
        ImportEvent event = verified("limit.ova", SampleAppliance.ova("Acme", "Widget", "1.0", DISK_BYTES, 1));
        SchemaStage strict = new SchemaStage(store, new DescriptorValidator(new OvfDescriptorParser(512), ValidationSettings.DEFAULTS),
                METRICS);

        StageOutcome outcome = strict.validate(event);

        assertRejectedBy(outcome, "ovf.descriptor", "widget.ovf");
        assertThat(outcome.message()).contains("limit of 512");
    }

    private static void assertRejectedBy(StageOutcome outcome, String checkId, String file) {
        assertThat(outcome.next()).isEqualTo(Topics.REJECTED);
        assertThat(outcome.state()).isEqualTo(StatusEvent.State.REJECTED);
        assertThat(outcome.event().failedChecks()).singleElement().satisfies(check -> {
            assertThat(check.id()).isEqualTo(checkId);
            assertThat(check.file()).isEqualTo(file);
        });
        assertThat(outcome.message()).startsWith(checkId + " [" + file + "]");
    }

    /** Uploads the OVA and returns the event the checksum stage would hand on: arrival plus real tar index. */
    private ImportEvent verified(String key, OvaBuilder ova) throws Exception {
        byte[] bytes = ova.toBytes();
        store.write(BUCKET, key, bytes, "application/x-tar");
        ObjectInfo stat = store.stat(BUCKET, key).orElseThrow();
        PackageVerification verification = new PackageVerifier().verify(key, new ByteArrayInputStream(bytes));
        assertThat(verification.rejected()).as("the package itself is sound").isFalse();
        return ImportEvent.arrived(new ObjectRef(BUCKET, key, stat.etag(), stat.size(), stat.versionId()), "scan",
                        Instant.parse("2024-05-01T10:00:00Z"))
                .withTarIndex(verification.tarIndex())
                .withManifest(verification.manifest())
                .withChecks(verification.checks());
    }
}
