package org.ovaflow.ingest.unpacked;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.ingest.Arrivals;
import org.ovaflow.ingest.notification.S3EventNotification;
import org.ovaflow.ingest.scan.BucketScan;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An unpacked package arriving file by file in a real S3 server: its descriptor goes once its files are there. */
class UnpackedArrivalsTest {

    private static final String BUCKET = "ova-incoming";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);

    @RegisterExtension
    static final S3Server S3 = new S3Server(BUCKET);

    private final ObjectStore store = S3.store();
    private final Arrivals arrivals = new Arrivals(BUCKET, List.of(".ova", ".ova.gz", ".ova.xz", ".ovf"));
    private final UnpackedArrivals unpacked = new UnpackedArrivals(store, arrivals, CLOCK);
    private final BucketScan scan = new BucketScan(store, arrivals, CLOCK);

    @Test
    void theDescriptorWaitsUntilEveryReferencedFileIsThereThenGoes() {
        Map<String, byte[]> files = SampleAppliance.ova("Acme", "Slow", "1.0", 20_000, 1).unpackedFiles();
        put("slow/slow.ovf", files.get("slow.ovf"));
        assertThat(unpacked.ready(descriptorArrival("slow/"))).isFalse();

        put("slow/slow.mf", files.get("slow.mf"));
        assertThat(unpacked.ready(descriptorArrival("slow/"))).as("the disk is still missing").isFalse();

        put("slow/disk1.img", files.get("disk1.img"));
        assertThat(unpacked.ready(descriptorArrival("slow/"))).isTrue();
    }

    @Test
    void theNotificationOfAPackagesLastFileNamesItsDescriptorAsTheScanDoes() {
        Map<String, byte[]> files = SampleAppliance.ova("Acme", "Notified", "1.0", 20_000, 2).unpackedFiles();
        put("n/notified.ovf", files.get("notified.ovf"));
        put("n/notified.mf", files.get("notified.mf"));
        put("n/disk1.img", files.get("disk1.img"));
        ObjectInfo disk = store.stat(BUCKET, "n/disk1.img").orElseThrow();
        String notification = """
                {"Records":[{"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"%s"},
                "object":{"key":"n/disk1.img","size":%d,"eTag":"%s"}}}]}""".formatted(BUCKET, disk.size(), disk.etag());
        S3EventNotification notifications = new S3EventNotification(arrivals, CLOCK);
        byte[] json = notification.getBytes(StandardCharsets.UTF_8);

        assertThat(notifications.arrivals(json)).isEmpty();
        List<ImportEvent> beside = unpacked.descriptorsBeside(notifications.otherObjects(json));

        assertThat(beside).singleElement().satisfies(arrival -> {
            assertThat(arrival.source().key()).isEqualTo("n/notified.ovf");
            assertThat(arrival.importId()).isEqualTo(descriptorArrival("n/").importId());
            assertThat(unpacked.ready(arrival)).isTrue();
        });
    }

    @Test
    void aPercentEncodedHrefIsSatisfiedByTheFileItDecodesTo() {
        put("spaced/spaced.ovf", SampleAppliance.descriptor("Acme", "Spaced", "1.0", "my%20disk.img", 3)
                .getBytes(StandardCharsets.UTF_8));
        assertThat(unpacked.ready(descriptorArrival("spaced/"))).isFalse();

        put("spaced/my disk.img", new byte[3]);
        assertThat(unpacked.ready(descriptorArrival("spaced/"))).isTrue();
    }

    @Test
    void referencesOutsideThePackageAreNotWaitedFor() {
        String descriptor = SampleAppliance.descriptor("Evil", "Remote", "1.0", "http://example.com/disk.img", 10);
        put("remote/remote.ovf", descriptor.getBytes(StandardCharsets.UTF_8));

        assertThat(unpacked.ready(descriptorArrival("remote/"))).isTrue();
    }

    @Test
    void aDescriptorGoneOrUnreadableHasNothingToWaitForAndOtherImportsNeverWait() {
        put("broken/broken.ovf", "not xml at all".getBytes(StandardCharsets.UTF_8));
        assertThat(unpacked.ready(descriptorArrival("broken/"))).isTrue();

        ImportEvent gone = ImportEvent.arrived(new ObjectRef(BUCKET, "gone/gone.ovf",
                "0123456789abcdef0123456789abcdef", 10, null), "notification", CLOCK.instant());
        assertThat(unpacked.ready(gone)).isTrue();

        ImportEvent ova = ImportEvent.arrived(new ObjectRef(BUCKET, "any.ova.gz", "0123", 10, null), "scan",
                CLOCK.instant());
        assertThat(unpacked.ready(ova)).isTrue();
    }

    private ImportEvent descriptorArrival(String folder) {
        return scan.scan().stream().filter(a -> a.source().key().startsWith(folder)
                && a.source().key().endsWith(".ovf")).findFirst().orElseThrow();
    }

    private void put(String key, byte[] content) {
        store.write(BUCKET, key, content, "application/octet-stream");
    }
}
