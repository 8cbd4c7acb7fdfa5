package org.ovaflow.ingest.notification;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.PoisonEventException;
import org.ovaflow.core.event.ProductOverrides;
import org.ovaflow.ingest.Arrivals;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads S3 event notifications as MinIO publishes them to Kafka ({@code {"EventName": …, "Key": …,
 * "Records": [{"eventName": "s3:ObjectCreated:Put", "s3": {"bucket": {"name"}, "object": {"key", "size",
 * "eTag", "versionId", "userMetadata"}}}]}}; AWS's shape is the same Records array, without userMetadata). Object
 * keys arrive URL-encoded. Only object creations of import objects in the incoming bucket become arrivals.
 */
public final class S3EventNotification {

    private static final String USER_METADATA_PREFIX = "x-amz-meta-";

    private final Arrivals arrivals;
    private final Clock clock;

    public S3EventNotification(Arrivals arrivals, Clock clock) {
        this.arrivals = arrivals;
        this.clock = clock;
    }

    public List<ImportEvent> arrivals(byte[] json) {
        return notified(json).stream().map(Notified::arrival).toList();
    }

    /**
     * An arrival, with the uploader's overrides when its record states the object's user metadata
     * ({@code described}: MinIO's {@code userMetadata}, and the notice {@code ovaflow import} sends), so that no HEAD
     * of the object is needed for them. AWS's records state none.
     */
    public record Notified(ImportEvent arrival, boolean described) {
    }

    /** The {@link #arrivals}, each with whether its record stated the object's user metadata. */
    public List<Notified> notified(byte[] json) {
        List<Notified> notified = new ArrayList<>();
        for (JsonNode record : records(json)) {
            String bucket = bucket(record);
            String key = key(record);
            if (!arrivals.isImport(bucket, key)) {
                continue;
            }
            JsonNode object = record.path("s3").path("object");
            ObjectRef created = objectRef(bucket, key, object);
            if ((created.etag() == null || created.etag().isBlank())
                    && (created.versionId() == null || created.versionId().isBlank())) {
                throw new PoisonEventException("S3 event for " + key + " has neither eTag nor versionId");
            }
            ImportEvent arrival = ImportEvent.arrived(created, "notification", clock.instant());
            Optional<Map<String, String>> metadata = userMetadata(object);
            notified.add(metadata.isPresent()
                    ? new Notified(arrival.withOverrides(ProductOverrides.fromMetadata(metadata.get())), true)
                    : new Notified(arrival, false));
        }
        return notified;
    }

    /** The object a record names, as its {@code s3.object} describes it. */
    private static ObjectRef objectRef(String bucket, String key, JsonNode object) {
        return new ObjectRef(bucket, key, object.path("eTag").asText(null), object.path("size").asLong(-1),
                object.path("versionId").asText(null));
    }

    /**
     * The record's user metadata as an object's stat gives it (lower-case names without {@code x-amz-meta-}; MinIO
     * writes {@code X-Amz-Meta-Name}), empty when the record states none.
     */
    private static Optional<Map<String, String>> userMetadata(JsonNode object) {
        JsonNode given = object.path("userMetadata");
        if (!given.isObject()) {
            return Optional.empty();
        }
        Map<String, String> metadata = new HashMap<>();
        given.fields().forEachRemaining(field -> {
            String name = field.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith(USER_METADATA_PREFIX) && field.getValue().isTextual()) {
                metadata.put(name.substring(USER_METADATA_PREFIX.length()), field.getValue().asText());
            }
        });
        return Optional.of(metadata);
    }

    /**
     * The objects created in the incoming bucket that are not imports (an unpacked package's disks, manifest…):
     * where the descriptor of a package waiting for them may lie.
     */
    public List<ObjectRef> otherObjects(byte[] json) {
        List<ObjectRef> others = new ArrayList<>();
        for (JsonNode record : records(json)) {
            String bucket = bucket(record);
            String key = key(record);
            if (bucket.equals(arrivals.bucket()) && !arrivals.isImport(bucket, key)) {
                others.add(objectRef(bucket, key, record.path("s3").path("object")));
            }
        }
        return others;
    }

    /**
     * The notification of {@code object} just created, in the shape {@link #arrivals} reads (MinIO's, with
     * {@code eventSource} {@code ovaflow:import}): what {@code ovaflow import} sends after its upload, so that an
     * import into a store that notifies nobody (the embedded one, a bare S3 bucket) arrives at once instead of at
     * ingest's next scan.
     */
    public static byte[] created(ObjectRef object) {
        ObjectNode root = EventCodec.JSON.createObjectNode();
        root.put("EventName", "s3:ObjectCreated:Put");
        root.put("Key", object.bucket() + "/" + object.key());
        ObjectNode record = root.putArray("Records").addObject();
        record.put("eventVersion", "2.0");
        record.put("eventSource", "ovaflow:import");
        record.put("eventName", "s3:ObjectCreated:Put");
        ObjectNode s3 = record.putObject("s3");
        s3.putObject("bucket").put("name", object.bucket());
        ObjectNode created = s3.putObject("object");
        created.put("key", URLEncoder.encode(object.key(), StandardCharsets.UTF_8));
        created.put("size", object.size());
        if (object.etag() != null) {
            created.put("eTag", object.etag());
        }
        if (object.versionId() != null) {
            created.put("versionId", object.versionId());
        }
        // the upload wrote none: stated, so that ingest need not HEAD the object to learn it
        created.putObject("userMetadata");
        try {
            return EventCodec.JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("a notification of " + object + " cannot be written", e);
        }
    }

    /** The notification's object-creation records, each with a bucket name and an object key. */
    private static List<JsonNode> records(byte[] json) {
        JsonNode root;
        try {
            root = EventCodec.JSON.readTree(json);
        } catch (IOException e) {
            throw new PoisonEventException("not an S3 event notification (not JSON): " + e.getMessage(), e);
        }
        if (root == null || !root.path("Records").isArray()) {
            throw new PoisonEventException("not an S3 event notification: no Records array");
        }
        List<JsonNode> created = new ArrayList<>();
        for (JsonNode record : root.path("Records")) {
            if (!record.path("eventName").asText("").contains("ObjectCreated")) {
                continue;
            }
            JsonNode s3 = record.path("s3");
            if (s3.path("bucket").path("name").asText(null) == null || s3.path("object").path("key").asText(null) == null) {
                throw new PoisonEventException("S3 event record without bucket name or object key");
            }
            created.add(record);
        }
        return created;
    }

    private static String bucket(JsonNode record) {
        return record.path("s3").path("bucket").path("name").asText();
    }

    /** S3 encodes keys like a form value: '+' is a space. */
    private static String key(JsonNode record) {
        return URLDecoder.decode(record.path("s3").path("object").path("key").asText(), StandardCharsets.UTF_8);
    }
}
