package org.ovaflow.core.stage;

import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything that sets one stage apart from the others: what {@link StageRoutes} builds its route from. A stage
 * module gives one for each of its stages; the plumbing (consuming, writing, committing, retries, dead letters,
 * metrics) is the same for all.
 *
 * @param name            the stage's name: its route id, consumer group {@code ovaflow-<name>}, settings
 *                        {@code ovaflow.stage.<name>.*}, metrics label
 * @param input           the topic it consumes
 * @param outcomes        the states it ends imports in (a record sent to ova.dlq aside): their counters start at 0,
 *                        so that Prometheus counts the first import too
 * @param rejectingChecks the ids of the checks whose failure makes it reject an import: their counters start at 0.
 *                        The stage's module keeps the list beside the checks, tested against them
 * @param work            its work one event at a time; null when it works in batches
 * @param batchWork       its work a batch at a time; null when it works one event at a time
 */
public record StageDefinition(String name, Topics input, Set<StatusEvent.State> outcomes, Set<String> rejectingChecks,
                              Work work, BatchWork batchWork) {

    public StageDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(input, "input");
        outcomes = Set.copyOf(outcomes);
        rejectingChecks = Set.copyOf(rejectingChecks);
        if ((work == null) == (batchWork == null)) {
            throw new IllegalArgumentException("stage " + name + " needs exactly one of work and batch work");
        }
    }

    /** A stage that turns each event of {@code input} into its outcome, one at a time. */
    public static StageDefinition of(String name, Topics input, Set<StatusEvent.State> outcomes,
                                     Set<String> rejectingChecks, Work work) {
        return new StageDefinition(name, input, outcomes, rejectingChecks, Objects.requireNonNull(work, "work"), null);
    }

    /**
     * A stage that works a batch of events at a time ({@link StageKafka#batchConsumer}): for work whose cost per
     * batch does not depend on its size.
     */
    public static StageDefinition batched(String name, Topics input, Set<StatusEvent.State> outcomes,
                                          Set<String> rejectingChecks, BatchWork batchWork) {
        return new StageDefinition(name, input, outcomes, rejectingChecks, null,
                Objects.requireNonNull(batchWork, "batchWork"));
    }

    public boolean batched() {
        return batchWork != null;
    }

    /** The work of one stage: from the import event to its outcome. Only infrastructure failures throw. */
    @FunctionalInterface
    public interface Work {
        StageOutcome process(ImportEvent event) throws Exception;
    }

    /** The work of a stage that works in batches: an outcome for each event, in their order. */
    @FunctionalInterface
    public interface BatchWork {
        List<BatchOutcome> process(List<ImportEvent> events) throws Exception;
    }
}
