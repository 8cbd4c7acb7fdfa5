package org.ovaflow.publish.quarantine;

import java.time.Instant;

/**
 * The content of {@code released.json} beside a report: when a quarantined OVA was handed back to the
 * pipeline, under which key of the incoming bucket, and the importId that copy becomes. Documented in
 * docs/events.md.
 */
public record Release(Instant at, String bucket, String asKey, String importId) {
}
