package org.ovaflow.core.stage;

import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;

/**
 * What a stage made of one event: the event to write next (and where), and the state the import is in now.
 * A rejection is an outcome like any other, written to ova.rejected; only infrastructure failures throw.
 *
 * @param next    the topic of the next event, null when the import ends here (quarantine)
 * @param message a line for people: why it was rejected, where it was published
 */
public record StageOutcome(Topics next, ImportEvent event, StatusEvent.State state, String message) {

    public static StageOutcome forward(Topics next, ImportEvent event, StatusEvent.State state, String message) {
        return new StageOutcome(next, event, state, message);
    }

    /** The import is rejected; {@code event} carries the failed checks. */
    public static StageOutcome reject(ImportEvent event) {
        String reasons = String.join("; ", event.failedChecks().stream()
                .map(c -> c.where() + ": " + c.message())
                .toList());
        return new StageOutcome(Topics.REJECTED, event, StatusEvent.State.REJECTED, reasons);
    }

    /** The import ends in this stage: nothing more to write but its state. */
    public static StageOutcome finish(ImportEvent event, StatusEvent.State state, String message) {
        return new StageOutcome(null, event, state, message);
    }
}
