package org.ovaflow.app.cli;

import org.ovaflow.app.Ovaflow;
import org.ovaflow.app.demo.DemoSamples;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.app.pipeline.PipelineSettings;
import org.ovaflow.app.pipeline.Stage;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.publish.catalog.CatalogReader;
import org.ovaflow.publish.quarantine.QuarantineReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ovaflow demo}: the whole pipeline on a fresh machine. Starts the embedded broker and store in a
 * throw-away data dir, imports the bundled samples (good and bad), prints the catalog and the quarantine,
 * and stops. Exits 1 if any sample did not end as it should.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start an embedded pipeline, import sample OVAs (good and bad), show the catalog and quarantine.")
public final class DemoCommand extends CommandOutput implements Callable<Integer> {

    @Option(names = "--keep", description = "Keep the demo's data dir instead of deleting it (its path is printed).")
    boolean keep;

    @Option(names = "--timeout", defaultValue = "PT3M", description = "How long to wait for the imports (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        Path dataDir = Files.createTempDirectory("ovaflow-demo-");
        PipelineSettings settings = new PipelineSettings(dataDir, null, null, null, null, Stage.parse("all"),
                "127.0.0.1", 0, Map.of("ovaflow.ingest.scan-interval-ms", "500", "ovaflow.shutdown-timeout-s", "5"));
        long started = System.nanoTime();
        try (Pipeline pipeline = Pipeline.start(settings)) {
            out().printf("Embedded Kafka on %s and S3 on %s, up in %.1f s; status on %s%n", pipeline.kafka(),
                    pipeline.endpoints().s3(), (System.nanoTime() - started) / 1e9, pipeline.httpUrl());
            List<DemoSamples.Sample> samples = DemoSamples.writeTo(dataDir.resolve("samples"));
            List<Drop> drops = new ArrayList<>();
            for (DemoSamples.Sample sample : samples) {
                drops.add(Drop.of(pipeline.store(), settings.buckets().incoming(), sample.file()));
            }
            out().println("\nDropped " + drops.size() + " OVAs into " + settings.buckets().incoming() + ":");
            Map<String, StatusEvent> outcomes = pipeline.statuses()
                    .awaitFinal(drops.stream().map(Drop::importId).toList(), timeout);
            boolean asExpected = true;
            for (int i = 0; i < drops.size(); i++) {
                StatusEvent status = outcomes.get(drops.get(i).importId());
                StatusEvent.State expected = samples.get(i).good()
                        ? StatusEvent.State.PUBLISHED : StatusEvent.State.QUARANTINED;
                asExpected &= status != null && status.state() == expected;
                out().println("  " + OutcomeLine.of(drops.get(i), status) + "   (" + samples.get(i).why() + ")");
            }
            out().println("\nCatalog (" + settings.buckets().catalog() + "):");
            CatalogCommand.print(new CatalogReader(pipeline.store(), settings.buckets().catalog()).list(), out());
            out().println("\nQuarantine (" + settings.buckets().quarantine() + "):");
            QuarantineCommand.print(new QuarantineReader(pipeline.store(), settings.buckets().quarantine()).list(),
                    out());
            out().printf("%nDemo %s in %.1f s.%n", asExpected ? "finished: every sample ended as it should"
                    : "FAILED: some samples did not end as they should", (System.nanoTime() - started) / 1e9);
            return asExpected ? Ovaflow.OK : Ovaflow.REJECTED;
        } finally {
            if (keep) {
                out().println("Data kept in " + dataDir);
            } else {
                deleteTree(dataDir);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
