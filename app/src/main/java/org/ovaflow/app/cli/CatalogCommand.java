package org.ovaflow.app.cli;

import org.ovaflow.app.Ovaflow;
import org.ovaflow.app.pipeline.CatalogSigning;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogReader;
import org.ovaflow.publish.catalog.CatalogRetraction;
import org.ovaflow.publish.signing.CatalogSigner;
import org.ovaflow.publish.signing.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code ovaflow catalog list|show ID|retract ID}: what was published, and its withdrawal. */
@Command(name = "catalog", mixinStandardHelpOptions = true, description = "Read and manage the catalog of published appliances.",
        subcommands = {CatalogCommand.ListEntries.class, CatalogCommand.ShowEntry.class, CatalogCommand.RetractEntry.class})
public final class CatalogCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the available appliances.")
    static final class ListEntries extends CommandOutput implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Option(names = "--all", description = "Retracted entries too.")
        boolean all;

        @Override
        public Integer call() {
            List<ApplianceRecord> records = new CatalogReader(options.store(), options.buckets().catalog()).list()
                    .stream().filter(r -> all || r.available()).toList();
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

    @Command(name = "retract", mixinStandardHelpOptions = true,
            description = "Withdraw an entry: kept, marked retracted, no longer offered (nor the latest of its product).")
    static final class RetractEntry extends CommandOutput implements Callable<Integer> {
        @Mixin
        StoreOptions options;

        @Parameters(paramLabel = "ID", description = "vendor/product/version, or the importId that published it.")
        String id;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, recorded in appliance.json and the index.")
        String reason;

        @Override
        public Integer call() {
            // the pipeline's key when this machine has it: else the index is rewritten unsigned until run signs it again
            CatalogSigner signer = CatalogSigning.existing(options.connection.dataDir, options.properties)
                    .map(SigningKey::signer).orElse(null);
            Optional<ApplianceRecord> record = new CatalogRetraction(options.store(), options.buckets().catalog(), signer)
                    .retract(id, reason);
            if (record.isEmpty()) {
                err().println("ovaflow: no catalog entry " + id);
                return Ovaflow.REJECTED;
            }
            ApplianceRecord retracted = record.get();
            if (options.json) {
                out().println(new String(EventCodec.toPrettyJson(retracted), StandardCharsets.UTF_8));
            } else {
                out().printf("retracted %s/%s/%s (import %s) at %s%s%n", retracted.vendor(), retracted.product(),
                        retracted.version(), retracted.provenance().importId(), retracted.retraction().at(),
                        retracted.retraction().reason() == null ? "" : ": " + retracted.retraction().reason());
            }
            return Ovaflow.OK;
        }
    }

    static void print(List<ApplianceRecord> records, PrintWriter out) {
        if (records.isEmpty()) {
            out.println("(the catalog is empty)");
            return;
        }
        out.printf("%-48s  %-9s  %-24s  %5s  %s%n", "ENTRY", "STATE", "IMPORT", "FILES", "SOURCE");
        for (ApplianceRecord record : records) {
            out.printf("%-48s  %-9s  %-24s  %5d  %s%n", record.vendor() + "/" + record.product() + "/" + record.version(),
                    record.state(), record.provenance().importId(), record.artifacts().size(),
                    record.provenance().source());
        }
    }

    private CatalogCommand() {
    }
}
