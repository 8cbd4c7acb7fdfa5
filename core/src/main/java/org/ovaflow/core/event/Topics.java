package org.ovaflow.core.event;

import java.util.List;

/**
 * The Kafka topics of the pipeline and the CloudEvents type each one carries. docs/events.md documents
 * every one with an example.
 */
public enum Topics {
    /** MinIO/S3 bucket notifications (MinIO's Kafka target writes them here), raw JSON, not CloudEvents. */
    NOTIFICATIONS("ova.notifications", null, false),
    ARRIVED("ova.arrived", "org.ovaflow.arrived", false),
    VERIFIED("ova.verified", "org.ovaflow.verified", false),
    VALIDATED("ova.validated", "org.ovaflow.validated", false),
    TRANSCODED("ova.transcoded", "org.ovaflow.transcoded", false),
    PUBLISHED("ova.published", "org.ovaflow.published", false),
    REJECTED("ova.rejected", "org.ovaflow.rejected", false),
    /** Latest state per import; compacted so it holds one record per importId forever. */
    STATUS("ova.status", "org.ovaflow.status", true),
    /** Events a stage could not process (unreadable, or infrastructure failing beyond retries). */
    DLQ("ova.dlq", "org.ovaflow.dlq", false),
    /** Ingest's idempotent repository: the importIds already emitted, so a restart does not re-import. */
    INGEST_SEEN("ova.ingest.seen", null, true);

    private final String topic;
    private final String eventType;
    private final boolean compacted;

    Topics(String topic, String eventType, boolean compacted) {
        this.topic = topic;
        this.eventType = eventType;
        this.compacted = compacted;
    }

    public String topic() {
        return topic;
    }

    /** The CloudEvents {@code type} of the events on this topic. */
    public String eventType() {
        return eventType;
    }

    public boolean compacted() {
        return compacted;
    }

    public static List<Topics> all() {
        return List.of(values());
    }
}
