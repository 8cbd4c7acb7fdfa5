package org.ovaflow.app.cli;

import org.ovaflow.app.Ovaflow;
import org.ovaflow.app.pipeline.Buckets;
import org.ovaflow.app.pipeline.ImportStatuses;
import org.ovaflow.core.event.CheckConcern;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.publish.quarantine.QuarantineReader;
import org.ovaflow.publish.quarantine.QuarantineRelease;
import org.ovaflow.publish.quarantine.QuarantineReleaseException;
import org.ovaflow.publish.quarantine.RejectionReport;
import org.ovaflow.publish.quarantine.Release;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code ovaflow quarantine list|show ID|release ID}: what was rejected, why, and handing it back to the pipeline
 * once the cause is removed.
 */
@Command(name = "quarantine", mixinStandardHelpOptions = true,
        description = "Read the quarantine of rejected OVAs; release one once its cause is removed.",
        subcommands = {QuarantineCommand.ListReports.class, QuarantineCommand.ShowReport.class,
                QuarantineCommand.ReleaseImport.class})
public final class QuarantineCommand {

    private QuarantineCommand() {
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every rejected OVA with its reasons.")
    static final class ListReports extends CommandOutput implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Override
        public Integer call() {
            List<RejectionReport> reports = new QuarantineReader(options.store(), options.buckets().quarantine()).list();
            if (options.json) {
                out().println(new String(EventCodec.toPrettyJson(reports), StandardCharsets.UTF_8));
            } else {
                print(reports, out());
            }
            return Ovaflow.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one rejection report.")
    static final class ShowReport extends CommandOutput implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Parameters(paramLabel = "ID", description = "The importId of the rejected OVA.")
        String id;

        @Override
        public Integer call() {
            Optional<RejectionReport> report = new QuarantineReader(options.store(), options.buckets().quarantine()).find(id);
            if (report.isEmpty()) {
                err().println("ovaflow: no quarantined import " + id);
                return Ovaflow.REJECTED;
            }
            out().println(new String(EventCodec.toPrettyJson(report.get()), StandardCharsets.UTF_8));
            return Ovaflow.OK;
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = "Re-submit a rejected OVA after its cause was removed (a policy, a trusted certificate, a "
                    + "conflicting catalog entry): its original goes back into the incoming bucket as a new import.")
    static final class ReleaseImport extends CommandOutput implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Parameters(paramLabel = "ID", description = "The importId of the quarantined OVA.")
        String id;

        @Option(names = "--wait", description = "Wait for the new import's outcome; exit 1 unless it is published.")
        boolean await;

        @Option(names = "--timeout", defaultValue = "PT10M",
                description = "How long --wait waits (ISO-8601, default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws InterruptedException {
            Buckets buckets = options.buckets();
            Release release;
            try {
                release = new QuarantineRelease(options.store(), buckets.quarantine(), buckets.incoming(),
                        Clock.systemUTC()).release(id);
            } catch (QuarantineReleaseException e) {
                err().println("ovaflow: " + e.getMessage());
                return Ovaflow.REJECTED;
            }
            out().printf("%s  released as s3://%s/%s: new import %s%n", id, release.bucket(), release.asKey(),
                    release.importId());
            if (!await) {
                return Ovaflow.OK;
            }
            try (ImportStatuses statuses = new ImportStatuses(options.connection.endpoints().kafka()).start()) {
                StatusEvent status = statuses.awaitFinal(List.of(release.importId()), timeout).get(release.importId());
                out().println(outcome(release, status));
                return status != null && status.state() == StatusEvent.State.PUBLISHED ? Ovaflow.OK : Ovaflow.REJECTED;
            }
        }
    }

    /** As {@code import --wait} prints it: importId, state, where it went or why. */
    private static String outcome(Release release, StatusEvent status) {
        if (status == null) {
            return release.importId() + "  WAITING  no news from the pipeline yet";
        }
        String state = status.state().isFinal() ? status.state().name() : "STILL " + status.state().name();
        return release.importId() + "  " + state + "  " + (status.state() == StatusEvent.State.PUBLISHED
                ? "catalog: " + status.catalogPath() : status.message());
    }

    static void print(List<RejectionReport> reports, PrintWriter out) {
        if (reports.isEmpty()) {
            out.println("(the quarantine is empty)");
            return;
        }
        for (RejectionReport report : reports) {
            out.printf("%s  %s%s%n", report.importId(), report.source(), report.released() == null ? ""
                    : "  RELEASED " + report.released().at() + " as import " + report.released().importId());
            for (CheckConcern check : report.failed()) {
                out.printf("    %-22s %s%s%n", check.id(), check.file() == null ? "" : check.file() + ": ", check.message());
                if (check.remedy() != null) {
                    out.printf("    %-22s remedy: %s%n", "", check.remedy());
                }
            }
        }
    }
}
