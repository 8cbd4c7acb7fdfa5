package org.ovaflow.app.dlq;

/** What {@code dlq replay} did with one dead letter it was asked about. */
public record ReplayOutcome(String id, Result result, DeadLetterEntry entry, ReplayMark mark, String detail) {

    public enum Result {
        /** Written back to its topic and marked replayed. */
        REPLAYED,
        /** Replayed before: not written again. */
        ALREADY_REPLAYED,
        /** The dead letter does not say where the record came from. */
        NOT_REPLAYABLE,
        /** No dead letter has this id (nor this importId). */
        UNKNOWN
    }
}
