package org.ovaflow.app.cli;

import org.ovaflow.app.Ovaflow;
import org.ovaflow.app.dlq.DeadLetterEntry;
import org.ovaflow.app.dlq.DeadLetterQueue;
import org.ovaflow.app.dlq.ReplayOutcome;
import org.ovaflow.core.event.DeadLetter;
import org.ovaflow.core.event.EventCodec;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ovaflow dlq list|replay}: the records stages could not process, and sending them through again. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Read ova.dlq (records a stage could not process) and replay them to their topics.",
        subcommands = {DlqCommand.ListDeadLetters.class, DlqCommand.Replay.class})
public final class DlqCommand {

    private DlqCommand() {
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List every dead letter: id, time, stage, reason, import, and whether it was replayed.")
    static final class ListDeadLetters extends CommandOutput implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @Option(names = "--json", description = "Print machine-readable JSON (shapes in docs/).")
        boolean json;

        @Override
        public Integer call() {
            List<DeadLetterEntry> entries = new DeadLetterQueue(connection.endpoints().kafka(), Clock.systemUTC()).list();
            if (json) {
                out().println(new String(EventCodec.toPrettyJson(entries), StandardCharsets.UTF_8));
            } else {
                print(entries, out());
            }
            return Ovaflow.OK;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Write dead letters back to the topic they came from (same key, headers and value), so "
                    + "that their stage tries again. Each dead letter is replayed once; a replay that fails again is "
                    + "a new dead letter.")
    static final class Replay extends CommandOutput implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @ArgGroup(multiplicity = "1")
        Selection selection;

        static final class Selection {
            @Parameters(arity = "1..*", paramLabel = "ID",
                    description = "A dead letter's id (as dlq list shows it), or an importId for all its dead letters.")
            List<String> ids;

            @Option(names = "--all", required = true, description = "Every dead letter not replayed before.")
            boolean all;
        }

        @Override
        public Integer call() {
            DeadLetterQueue queue = new DeadLetterQueue(connection.endpoints().kafka(), Clock.systemUTC());
            List<ReplayOutcome> outcomes = selection.all ? queue.replayAll() : queue.replay(selection.ids);
            if (outcomes.isEmpty()) {
                out().println("nothing to replay: every dead letter was replayed already, or there is none");
                return Ovaflow.OK;
            }
            long replayed = 0;
            for (ReplayOutcome outcome : outcomes) {
                out().println(line(outcome));
                replayed += outcome.result() == ReplayOutcome.Result.REPLAYED ? 1 : 0;
            }
            out().printf("replayed %d of %d%n", replayed, outcomes.size());
            return replayed == outcomes.size() ? Ovaflow.OK : Ovaflow.REJECTED;
        }
    }

    static String line(ReplayOutcome outcome) {
        String subject = outcome.entry() == null ? "" : "  " + describe(outcome.entry().deadLetter());
        return switch (outcome.result()) {
            case REPLAYED -> String.format("%s  replayed to %s (partition %d, offset %d)%s%s", outcome.id(),
                    outcome.mark().topic(), outcome.mark().partition(), outcome.mark().offset(), subject,
                    outcome.detail() == null ? "" : "; " + outcome.detail());
            case ALREADY_REPLAYED -> String.format("%s  skipped: %s%s", outcome.id(), outcome.detail(), subject);
            case NOT_REPLAYABLE -> String.format("%s  not replayed: %s%s", outcome.id(), outcome.detail(), subject);
            case UNKNOWN -> String.format("%s  not replayed: %s", outcome.id(), outcome.detail());
        };
    }

    /** import, stage and reason of a dead letter, for one line. */
    private static String describe(DeadLetter letter) {
        return "[import " + letter.key() + ", " + letter.stage() + ": " + letter.reason() + "]";
    }

    static void print(List<DeadLetterEntry> entries, PrintWriter out) {
        if (entries.isEmpty()) {
            out.println("(ova.dlq is empty)");
            return;
        }
        for (DeadLetterEntry entry : entries) {
            DeadLetter letter = entry.deadLetter();
            String state = entry.pending() ? "PENDING" : "REPLAYED " + entry.replayed().at();
            out.printf("%-8s %-30s %-10s %-20s %-24s %s%n", entry.id(), letter.at(), letter.stage(), letter.reason(),
                    letter.key(), state + (entry.replayOf() == null ? "" : "  (a replay of " + entry.replayOf() + ")"));
            out.printf("         from %s: %s%n", letter.topic(), letter.error());
        }
    }
}
