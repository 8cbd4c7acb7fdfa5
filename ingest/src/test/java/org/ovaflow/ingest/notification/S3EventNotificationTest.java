package org.ovaflow.ingest.notification;

import org.junit.jupiter.api.Test;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.PoisonEventException;
import org.ovaflow.core.event.ProductOverrides;
import org.ovaflow.ingest.Arrivals;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Notifications in the shape MinIO publishes to its Kafka target become arrivals of import objects only. */
class S3EventNotificationTest {

    static final String BUCKET = "ova-incoming";
    private static final Instant NOW = Instant.parse("2024-05-01T10:15:30Z");

    private final S3EventNotification notifications = new S3EventNotification(
            new Arrivals(BUCKET, List.of(".ova")), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aMinioPutNotificationBecomesOneArrivalWithTheDecodedKey() {
        List<ImportEvent> events = notifications.arrivals(json(minioNotification("s3:ObjectCreated:Put", BUCKET,
                "folder%2Fmy+app.ova", 123456, "d41d8cd98f00b204e9800998ecf8427e", null)));

        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.source()).isEqualTo(new ObjectRef(BUCKET, "folder/my app.ova",
                    "d41d8cd98f00b204e9800998ecf8427e", 123456, null));
            assertThat(event.origin()).isEqualTo("notification");
            assertThat(event.arrivedAt()).isEqualTo(NOW);
            assertThat(event.importId()).isEqualTo(ImportId.of(event.source()));
            assertThat(event.schemaVersion()).isEqualTo(ImportEvent.SCHEMA_VERSION);
        });
    }

    @Test
    void theNotificationImportSendsReadsBackAsTheArrivalOfTheSameObject() {
        ObjectRef dropped = new ObjectRef(BUCKET, "vendors/café app+1.ova", "9b2cf535f27731c974343645a3985328",
                1_082_726_400L, "v-7");

        List<ImportEvent> events = notifications.arrivals(S3EventNotification.created(dropped));

        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.source()).isEqualTo(dropped);
            assertThat(event.importId()).isEqualTo(ImportId.of(dropped));
            assertThat(event.origin()).isEqualTo("notification");
        });
    }

    @Test
    void theUploadersOverridesInMinioUserMetadataAreReadFromTheNotificationSoTheObjectNeedsNoHead() {
        String notification = minioNotification("s3:ObjectCreated:Put", BUCKET, "widget.ova", 10, "abc", null)
                .replace("\"userMetadata\":{\"content-type\":\"application/octet-stream\"}",
                        "\"userMetadata\":{\"content-type\":\"application/octet-stream\","
                                + "\"X-Amz-Meta-Ovaflow-Vendor\":\"Acme%20Corp\",\"X-Amz-Meta-Ovaflow-Version\":\"2.4\"}");

        assertThat(notifications.notified(json(notification))).singleElement().satisfies(notified -> {
            assertThat(notified.arrival().overrides()).isEqualTo(new ProductOverrides("Acme Corp", null, "2.4"));
            assertThat(notified.described()).isTrue();
        });
    }

    @Test
    void aRecordWithoutUserMetadataAsAwsSendsItLeavesTheOverridesToAHead() {
        String notification = minioNotification("s3:ObjectCreated:Put", BUCKET, "widget.ova", 10, "abc", null)
                .replace("\"userMetadata\":{\"content-type\":\"application/octet-stream\"},", "");

        assertThat(notifications.notified(json(notification))).singleElement().satisfies(notified -> {
            assertThat(notified.arrival().overrides()).isNull();
            assertThat(notified.described()).isFalse();
        });
    }

    @Test
    void theNoticeImportSendsStatesThatTheObjectHasNoOverrides() {
        ObjectRef dropped = new ObjectRef(BUCKET, "widget.ova", "9b2cf535f27731c974343645a3985328", 1024, null);

        byte[] notice = S3EventNotification.created(dropped);

        assertThat(notifications.notified(notice)).singleElement().satisfies(notified -> {
            assertThat(notified.arrival().importId()).isEqualTo(ImportId.of(dropped));
            assertThat(notified.arrival().overrides()).isNull();
            assertThat(notified.described()).isTrue();
        });
    }

    @Test
    void aCompletedMultipartUploadIsAnArrivalWithItsVersionId() {
        List<ImportEvent> events = notifications.arrivals(json(minioNotification(
                "s3:ObjectCreated:CompleteMultipartUpload", BUCKET, "big%2Bdisk.ova", 50_000_000,
                "0f343b0931126a20f133d67c2b018a3b-3", "5e2d6a3c-1b8a-4a4e-9c1f-4f1c1b1e1a2b")));

        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.source().key()).isEqualTo("big+disk.ova");
            assertThat(event.source().etag()).isEqualTo("0f343b0931126a20f133d67c2b018a3b-3");
            assertThat(event.source().versionId()).isEqualTo("5e2d6a3c-1b8a-4a4e-9c1f-4f1c1b1e1a2b");
            assertThat(event.source().size()).isEqualTo(50_000_000);
        });
    }

    @Test
    void unicodeKeysAreDecodedAsUtf8() {
        List<ImportEvent> events = notifications.arrivals(json(minioNotification("s3:ObjectCreated:Put", BUCKET,
                "appliances%2Fcaf%C3%A9+%E2%84%962.OVA", 1, "abc", null)));

        assertThat(events).singleElement().extracting(e -> e.source().key()).isEqualTo("appliances/café №2.OVA");
    }

    @Test
    void deletionsOtherFilesAndOtherBucketsAreIgnored() {
        assertThat(notifications.arrivals(json(minioNotification("s3:ObjectRemoved:Delete", BUCKET, "app.ova", 0,
                "", null)))).isEmpty();
        assertThat(notifications.arrivals(json(minioNotification("s3:ObjectCreated:Put", BUCKET, "notes.txt", 10,
                "abc", null)))).isEmpty();
        assertThat(notifications.arrivals(json(minioNotification("s3:ObjectCreated:Put", BUCKET, "app.ova.part", 10,
                "abc", null)))).isEmpty();
        assertThat(notifications.arrivals(json(minioNotification("s3:ObjectCreated:Put", "ova-catalog", "app.ova",
                10, "abc", null)))).isEmpty();
    }

    @Test
    void everyCreationRecordOfANotificationCounts() {
        String twoRecords = """
                {"Records": [%s, %s, %s]}
                """.formatted(record("s3:ObjectCreated:Put", BUCKET, "a.ova", 1, "e1", null),
                record("s3:ObjectRemoved:Delete", BUCKET, "b.ova", 0, "", null),
                record("s3:ObjectCreated:Copy", BUCKET, "c.ova", 3, "e3", null));

        assertThat(notifications.arrivals(json(twoRecords))).extracting(e -> e.source().key())
                .containsExactly("a.ova", "c.ova");
    }

    @Test
    void theSameObjectNotifiedTwiceIsTheSameImport() {
        String quoted = minioNotification("s3:ObjectCreated:Put", BUCKET, "app.ova", 10,
                "\\\"9B2CF535F27731C974343645A3985328\\\"", null);
        String plain = minioNotification("s3:ObjectCreated:Put", BUCKET, "app.ova", 10,
                "9b2cf535f27731c974343645a3985328", null);

        String first = notifications.arrivals(json(quoted)).get(0).importId();
        String second = notifications.arrivals(json(plain)).get(0).importId();

        assertThat(first).isEqualTo(second);
        String overwritten = notifications.arrivals(json(minioNotification("s3:ObjectCreated:Put", BUCKET,
                "app.ova", 10, "0000f535f27731c974343645a3985328", null))).get(0).importId();
        assertThat(overwritten).isNotEqualTo(first);
    }

    @Test
    void notJsonIsAPoisonEvent() {
        assertThatThrownBy(() -> notifications.arrivals(json("this is not { json")))
                .isInstanceOf(PoisonEventException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void jsonWithoutRecordsIsAPoisonEvent() {
        assertThatThrownBy(() -> notifications.arrivals(json("{\"EventName\": \"s3:ObjectCreated:Put\"}")))
                .isInstanceOf(PoisonEventException.class)
                .hasMessageContaining("no Records");
        assertThatThrownBy(() -> notifications.arrivals(json("{\"Records\": {}}")))
                .isInstanceOf(PoisonEventException.class);
        assertThatThrownBy(() -> notifications.arrivals(json("[]")))
                .isInstanceOf(PoisonEventException.class);
        assertThatThrownBy(() -> notifications.arrivals(new byte[0]))
                .isInstanceOf(PoisonEventException.class);
    }

    @Test
    void aCreationWithoutEtagOrVersionIdIsAPoisonEvent() {
        assertThatThrownBy(() -> notifications.arrivals(json(minioNotification("s3:ObjectCreated:Put", BUCKET,
                "app.ova", 10, "", null))))
                .isInstanceOf(PoisonEventException.class)
                .hasMessageContaining("app.ova");
    }

    static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A notification exactly as MinIO's Kafka target writes it (one record, the envelope's EventName and Key). */
    static String minioNotification(String eventName, String bucket, String encodedKey, long size, String etag,
                                    String versionId) {
        return """
                {"EventName":"%s","Key":"%s/%s","Records":[%s]}
                """.formatted(eventName, bucket, encodedKey, record(eventName, bucket, encodedKey, size, etag, versionId));
    }

    static String record(String eventName, String bucket, String encodedKey, long size, String etag, String versionId) {
        return """
                {"eventVersion":"2.0","eventSource":"minio:s3","awsRegion":"","eventTime":"2024-05-01T10:15:29.912Z",
                 "eventName":"%1$s","userIdentity":{"principalId":"minioadmin"},
                 "requestParameters":{"principalId":"minioadmin","region":"","sourceIPAddress":"172.18.0.1"},
                 "responseElements":{"x-amz-id-2":"dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8",
                   "x-amz-request-id":"17CB4C1A8B0B4D12","x-minio-deployment-id":"a1b2c3","x-minio-origin-endpoint":"http://172.18.0.3:9000"},
                 "s3":{"s3SchemaVersion":"1.0","configurationId":"Config",
                   "bucket":{"name":"%2$s","ownerIdentity":{"principalId":"minioadmin"},"arn":"arn:aws:s3:::%2$s"},
                   "object":{"key":"%3$s","size":%4$d,"eTag":"%5$s",%6$s"contentType":"application/octet-stream",
                     "userMetadata":{"content-type":"application/octet-stream"},"sequencer":"17CB4C1A8B3E2A40"}},
                 "source":{"host":"172.18.0.1","port":"","userAgent":"MinIO (linux; amd64) minio-go/v7.0.70"}}
                """.formatted(eventName, bucket, encodedKey, size, etag,
                versionId == null ? "" : "\"versionId\":\"" + versionId + "\",");
    }
}
