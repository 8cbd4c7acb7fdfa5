package org.ovaflow.ingest.scan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.testing.S3Server;
import org.ovaflow.ingest.Arrivals;
import org.ovaflow.ingest.notification.S3EventNotification;

import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The bucket scan against a real S3 server: what it lists, and that it names an object as a notification does. */
class BucketScanTest {

    private static final Instant NOW = Instant.parse("2024-05-01T10:15:30Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @RegisterExtension
    static final S3Server S3 = new S3Server();

    private final ObjectStore store = S3.store();

    @Test
    void listsOnlyKeysWithAnImportSuffixAtAnyDepth() {
        String bucket = bucket("suffixes");
        byte[] ova = SampleAppliance.ova("Acme", "Widget", "1.0", 4_000, 1).toBytes();
        store.write(bucket, "widget.ova", ova, "application/x-tar");
        store.write(bucket, "vendors/acme/WIDGET2.OVA", ova, "application/x-tar");
        store.write(bucket, "widget.ovf", "<Envelope/>".getBytes(StandardCharsets.UTF_8), "application/xml");
        store.write(bucket, "widget.ova.tmp", ova, "application/octet-stream");
        store.write(bucket, "readme.txt", "hi".getBytes(StandardCharsets.UTF_8), "text/plain");

        List<ImportEvent> arrivals = scan(bucket);

        assertThat(arrivals).extracting(e -> e.source().key())
                .containsExactlyInAnyOrder("widget.ova", "vendors/acme/WIDGET2.OVA");
        assertThat(arrivals).allSatisfy(e -> {
            assertThat(e.origin()).isEqualTo("scan");
            assertThat(e.arrivedAt()).isEqualTo(NOW);
            assertThat(e.source().size()).isEqualTo(ova.length);
            assertThat(e.source().bucket()).isEqualTo(bucket);
        });
    }

    @Test
    void anEmptyBucketHasNoArrivals() {
        assertThat(scan(bucket("empty"))).isEmpty();
    }

    @Test
    void aMultipartUploadIsListedWithTheEtagTheStoreGivesItEverywhere() {
        String bucket = bucket("multipart");
        byte[] big = new byte[(int) ObjectStore.PART_SIZE + 1024 * 1024];
        new Random(7).nextBytes(big);
        // unknown length: the client uploads 16 MiB parts
        ObjectInfo written = store.write(bucket, "big.ova", new ByteArrayInputStream(big), -1, "application/x-tar");
        ObjectInfo stat = store.stat(bucket, "big.ova").orElseThrow();

        ImportEvent arrival = scan(bucket).get(0);

        assertThat(stat.etag()).contains("-");
        assertThat(unquoted(arrival.source().etag())).isEqualTo(unquoted(stat.etag())).isEqualTo(unquoted(written.etag()));
        assertThat(arrival.source().size()).isEqualTo(big.length);
        // the scan's reference reads the object back: its etag is the one the store matches on
        assertThat(store.read(arrival.source())).satisfies(in -> {
            try (in) {
                assertThat(in.readAllBytes()).isEqualTo(big);
            }
        });
        assertThat(scan(bucket).get(0).importId()).isEqualTo(arrival.importId());
    }

    @Test
    void aScanAndANotificationOfTheSameObjectNameTheSameImport() {
        String bucket = bucket("both-sources");
        String key = "folder/my app.ova";
        store.write(bucket, key, SampleAppliance.ova("Acme", "Widget", "1.0", 4_000, 2).toBytes(), "application/x-tar");
        ObjectInfo stat = store.stat(bucket, key).orElseThrow();
        S3EventNotification notifications = new S3EventNotification(arrivals(bucket), CLOCK);
        String notification = """
                {"EventName":"s3:ObjectCreated:Put","Key":"%1$s/%2$s","Records":[{"eventVersion":"2.0",
                 "eventSource":"minio:s3","eventName":"s3:ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0",
                 "bucket":{"name":"%1$s","arn":"arn:aws:s3:::%1$s"},
                 "object":{"key":"%2$s","size":%3$d,"eTag":"%4$s","contentType":"application/x-tar"}}}]}
                """.formatted(bucket, URLEncoder.encode(key, StandardCharsets.UTF_8), stat.size(), unquoted(stat.etag()));

        ImportEvent fromNotification = notifications.arrivals(notification.getBytes(StandardCharsets.UTF_8)).get(0);
        ImportEvent fromScan = scan(bucket).get(0);

        assertThat(fromNotification.source().key()).isEqualTo(key);
        assertThat(fromScan.importId()).isEqualTo(fromNotification.importId());
    }

    @Test
    void anOverwrittenObjectIsANewImport() {
        String bucket = bucket("overwrite");
        store.write(bucket, "app.ova", SampleAppliance.ova("Acme", "Widget", "1.0", 4_000, 3).toBytes(), "application/x-tar");
        String first = scan(bucket).get(0).importId();
        store.write(bucket, "app.ova", SampleAppliance.ova("Acme", "Widget", "1.1", 4_000, 4).toBytes(), "application/x-tar");

        assertThat(scan(bucket).get(0).importId()).isNotEqualTo(first);
    }

    private List<ImportEvent> scan(String bucket) {
        return new BucketScan(store, arrivals(bucket), CLOCK).scan();
    }

    private static Arrivals arrivals(String bucket) {
        return new Arrivals(bucket, List.of(".ova"));
    }

    private String bucket(String name) {
        String bucket = "incoming-" + name;
        store.ensureBuckets(List.of(bucket));
        return bucket;
    }

    private static String unquoted(String etag) {
        return etag.replace("\"", "");
    }

}
