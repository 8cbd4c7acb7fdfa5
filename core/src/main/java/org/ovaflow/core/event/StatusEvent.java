package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * The latest known state of an import, written by every stage to the compacted ova.status topic
 * (key = importId): what the status page, {@code import --wait} and /api/imports read.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusEvent(int schemaVersion, String importId, String stage, State state, String source,
                          String message, String catalogPath, Instant at) {

    /** Where an import stands. PUBLISHED, REJECTED and FAILED are final. */
    public enum State {
        ARRIVED, VERIFIED, VALIDATED, TRANSCODED, PUBLISHED, REJECTED, QUARANTINED, FAILED;

        public boolean isFinal() {
            return this == PUBLISHED || this == QUARANTINED || this == FAILED;
        }
    }
}
