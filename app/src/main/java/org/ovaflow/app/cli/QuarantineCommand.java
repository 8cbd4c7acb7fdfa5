package org.ovaflow.app.cli;

import org.ovaflow.app.Ovaflow;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.publish.quarantine.QuarantineReader;
import org.ovaflow.publish.quarantine.RejectionReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code ovaflow quarantine list|show ID}: what was rejected, and why. */
@Command(name = "quarantine", mixinStandardHelpOptions = true, description = "Read the quarantine of rejected OVAs.",
        subcommands = {QuarantineCommand.ListReports.class, QuarantineCommand.ShowReport.class})
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

    static void print(List<RejectionReport> reports, PrintWriter out) {
        if (reports.isEmpty()) {
            out.println("(the quarantine is empty)");
            return;
        }
        for (RejectionReport report : reports) {
            out.printf("%s  %s%n", report.importId(), report.source());
            for (CheckResult check : report.failed()) {
                out.printf("    %-22s %s%s%n", check.id(), check.file() == null ? "" : check.file() + ": ", check.message());
            }
        }
    }
}
