package org.ovaflow.app.dlq;

import java.time.Instant;

/**
 * A record of ova.dlq.replayed (compacted, key = the dead letter's id): that dead letter was written back at
 * {@code at} to {@code topic}, where it became the record at {@code partition}/{@code offset}.
 */
public record ReplayMark(String deadLetter, Instant at, String topic, int partition, long offset) {
}
