package org.ovaflow.app.cli;

import org.ovaflow.app.Ovaflow;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code ovaflow catalog list|show ID}: what was published. */
@Command(name = "catalog", mixinStandardHelpOptions = true, description = "Read the catalog of published appliances.",
        subcommands = {CatalogCommand.ListEntries.class, CatalogCommand.ShowEntry.class})
public final class CatalogCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every published appliance.")
    static final class ListEntries extends CommandOutput implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Override
        public Integer call() {
            List<ApplianceRecord> records = new CatalogReader(options.store(), options.buckets().catalog()).list();
            if (options.json) {
                out().println(new String(EventCodec.toPrettyJson(records), StandardCharsets.UTF_8));
            } else {
                print(records, out());
            }
            return Ovaflow.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one entry's appliance.json.")
    static final class ShowEntry extends CommandOutput implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Parameters(paramLabel = "ID", description = "vendor/product/version, or the importId that published it.")
        String id;

        @Override
        public Integer call() {
            Optional<ApplianceRecord> record = new CatalogReader(options.store(), options.buckets().catalog()).find(id);
            if (record.isEmpty()) {
                err().println("ovaflow: no catalog entry " + id);
                return Ovaflow.REJECTED;
            }
            out().println(new String(EventCodec.toPrettyJson(record.get()), StandardCharsets.UTF_8));
            return Ovaflow.OK;
        }
    }

    static void print(List<ApplianceRecord> records, PrintWriter out) {
        if (records.isEmpty()) {
            out.println("(the catalog is empty)");
            return;
        }
        out.printf("%-48s  %-24s  %5s  %s%n", "ENTRY", "IMPORT", "FILES", "SOURCE");
        for (ApplianceRecord record : records) {
            out.printf("%-48s  %-24s  %5d  %s%n", record.vendor() + "/" + record.product() + "/" + record.version(),
                    record.provenance().importId(), record.artifacts().size(), record.provenance().source());
        }
    }

    private CatalogCommand() {
    }
}
