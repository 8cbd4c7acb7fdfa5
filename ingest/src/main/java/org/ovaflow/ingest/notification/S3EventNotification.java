package org.ovaflow.ingest.notification;

import com.fasterxml.jackson.databind.JsonNode;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.PoisonEventException;
import org.ovaflow.ingest.Arrivals;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads S3 event notifications as MinIO publishes them to Kafka ({@code {"EventName": …, "Key": …,
 * "Records": [{"eventName": "s3:ObjectCreated:Put", "s3": {"bucket": {"name"}, "object": {"key", "size",
 * "eTag", "versionId"}}}]}}; AWS's shape is the same Records array). Object keys arrive URL-encoded.
 * Only object creations of import objects in the incoming bucket become arrivals.
 */
public final class S3EventNotification {

    private final Arrivals arrivals;
    private final Clock clock;

    public S3EventNotification(Arrivals arrivals, Clock clock) {
        this.arrivals = arrivals;
        this.clock = clock;
    }

    public List<ImportEvent> arrivals(byte[] json) {
        JsonNode root;
        try {
            root = EventCodec.JSON.readTree(json);
        } catch (IOException e) {
            throw new PoisonEventException("not an S3 event notification (not JSON): " + e.getMessage(), e);
        }
        if (root == null || !root.path("Records").isArray()) {
            throw new PoisonEventException("not an S3 event notification: no Records array");
        }
        List<ImportEvent> events = new ArrayList<>();
        for (JsonNode record : root.path("Records")) {
            String eventName = record.path("eventName").asText("");
            if (!eventName.contains("ObjectCreated")) {
                continue;
            }
            JsonNode s3 = record.path("s3");
            String bucket = s3.path("bucket").path("name").asText(null);
            String encodedKey = s3.path("object").path("key").asText(null);
            if (bucket == null || encodedKey == null) {
                throw new PoisonEventException("S3 event record without bucket name or object key");
            }
            // S3 encodes keys like a form value: '+' is a space
            String key = URLDecoder.decode(encodedKey, StandardCharsets.UTF_8);
            if (!arrivals.isImport(bucket, key)) {
                continue;
            }
            JsonNode object = s3.path("object");
            String etag = object.path("eTag").asText(null);
            String versionId = object.path("versionId").asText(null);
            if ((etag == null || etag.isBlank()) && (versionId == null || versionId.isBlank())) {
                throw new PoisonEventException("S3 event for " + key + " has neither eTag nor versionId");
            }
            events.add(ImportEvent.arrived(new ObjectRef(bucket, key, etag, object.path("size").asLong(-1),
                    versionId), "notification", clock.instant()));
        }
        return events;
    }
}
