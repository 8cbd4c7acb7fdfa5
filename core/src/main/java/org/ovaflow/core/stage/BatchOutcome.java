package org.ovaflow.core.stage;

/**
 * What a stage that works in batches made of one event of a batch: its outcome, or the failure that sends this
 * record alone to ova.dlq (its input gone, say) while the rest of the batch goes on.
 */
public record BatchOutcome(StageOutcome outcome, RuntimeException failure) {

    public static BatchOutcome of(StageOutcome outcome) {
        return new BatchOutcome(outcome, null);
    }

    public static BatchOutcome failed(RuntimeException failure) {
        return new BatchOutcome(null, failure);
    }
}
