package org.ovaflow.app.dlq;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.ovaflow.core.event.DeadLetter;

/**
 * One record of ova.dlq as an operator sees it: its id ({@code <partition>-<offset>} of ova.dlq, unique and
 * stable), the dead letter, whether and where it was replayed, and which earlier dead letter it is a replay
 * of when a replayed record failed again.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetterEntry(String id, String replayOf, DeadLetter deadLetter, ReplayMark replayed) {

    public boolean pending() {
        return replayed == null;
    }

    static String id(int partition, long offset) {
        return partition + "-" + offset;
    }
}
