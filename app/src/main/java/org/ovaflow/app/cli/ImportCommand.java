package org.ovaflow.app.cli;

import org.ovaflow.app.Ovaflow;
import org.ovaflow.app.pipeline.Buckets;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.DropNotices;
import org.ovaflow.app.pipeline.Endpoints;
import org.ovaflow.app.pipeline.ImportStatuses;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.store.ObjectStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ovaflow import FILE…}: drops OVAs into the incoming bucket of the running pipeline. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Drop OVA files into the incoming bucket of the running pipeline, as a user would.")
public final class ImportCommand extends CommandOutput implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "OVA files to import (.ova, .ova.gz, .ova.xz), or "
            + "an unpacked package's .ovf: its files are uploaded from its folder under <name>/, the .ovf last.")
    List<Path> files;

    @Option(names = "--wait", description = "Wait for each import's outcome and print one line per import.")
    boolean await;

    @Option(names = "--timeout", defaultValue = "PT10M", description = "How long --wait waits (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "Bucket names, as given to run, and the "
            + "upload settings (ovaflow.store.part-size-mib, .parallel-parts, .payload-signing, "
            + ".max-single-request-gib).")
    Map<String, String> properties = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(file + ": no such file");
            }
        }
        Endpoints endpoints = connection.endpoints();
        ObjectStore store = new ObjectStore(endpoints.s3(), endpoints.s3AccessKey(), endpoints.s3SecretKey(),
                ObjectStore.UploadSettings.from(endpoints.storeSettings(properties)));
        String bucket = Buckets.from(properties).incoming();
        List<Drop> drops = new ArrayList<>();
        try (DropNotices notices = new DropNotices(endpoints.kafka())) {
            // once the broker failed a notice, the other drops are left to the scan rather than waited for again
            boolean notifying = true;
            for (Path file : files) {
                Drop drop = Drop.of(store, bucket, file);
                drops.add(drop);
                if (notifying && !notices.send(drop.object())) {
                    notifying = false;
                    err().println("could not tell ingest of " + drop.object() + " through Kafka at "
                            + endpoints.kafka() + ": the drops arrive at ingest's next scan of the bucket");
                }
                if (!await) {
                    out().println(drop.importId() + "  " + file + "  dropped into " + drop.object());
                }
            }
        }
        if (!await) {
            return Ovaflow.OK;
        }
        try (ImportStatuses statuses = new ImportStatuses(endpoints.kafka()).start()) {
            Map<String, StatusEvent> outcomes = statuses.awaitFinal(drops.stream().map(Drop::importId).toList(), timeout);
            boolean allPublished = true;
            for (Drop drop : drops) {
                StatusEvent status = outcomes.get(drop.importId());
                allPublished &= status != null && status.state() == StatusEvent.State.PUBLISHED;
                out().println(OutcomeLine.of(drop, status));
            }
            return allPublished ? Ovaflow.OK : Ovaflow.REJECTED;
        }
    }
}
