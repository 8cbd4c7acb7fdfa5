package org.ovaflow.app.cli;

import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.core.event.StatusEvent;

/** One line per import for people: importId, file, outcome, and where it went or why. */
final class OutcomeLine {

    private OutcomeLine() {
    }

    static String of(Drop drop, StatusEvent status) {
        if (status == null) {
            return String.format("%s  %-28s  %-11s  no news from the pipeline yet", drop.importId(),
                    drop.file().getFileName(), "WAITING");
        }
        String state = status.state().isFinal() ? status.state().name() : "STILL " + status.state().name();
        String detail = status.state() == StatusEvent.State.PUBLISHED ? "catalog: " + status.catalogPath()
                : status.message();
        return String.format("%s  %-28s  %-11s  %s", drop.importId(), drop.file().getFileName(), state, detail);
    }
}
