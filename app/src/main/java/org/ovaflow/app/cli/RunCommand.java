package org.ovaflow.app.cli;

import org.ovaflow.app.Ovaflow;
import org.ovaflow.app.http.ApiToken;
import org.ovaflow.app.pipeline.CatalogSigning;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.app.pipeline.PipelineSettings;
import org.ovaflow.app.pipeline.Stage;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.signing.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code ovaflow run}: runs the pipeline (or some of its stages) until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the pipeline: embedded Kafka and S3 unless --kafka/--s3 are given.")
public final class RunCommand extends CommandOutput implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--stages", defaultValue = "all", paramLabel = "LIST",
            description = "Stages to run: ingest,checksum,schema,transcode,publish,quarantine, all or none "
                    + "(only the embedded servers). Default: ${DEFAULT-VALUE}.")
    String stages;

    @Option(names = "--http-host", defaultValue = "127.0.0.1", description = "Address of /health, /metrics, /api.")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "8642", description = "Port of /health, /metrics, /api; 0 = any free "
            + "port, -1 = none. Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "A pipeline property, e.g. ovaflow.ingest.scan-interval-ms=2000 (see docs/configuration.md).")
    Map<String, String> properties = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        PipelineSettings settings = new PipelineSettings(connection.dataDir, connection.kafka, connection.s3,
                ConnectionOptions.accessKey(), ConnectionOptions.secretKey(), Stage.parse(stages), httpHost, httpPort,
                properties);
        CountDownLatch stopped = new CountDownLatch(1);
        // resolved before the pipeline (which reads the same file), so that a token made up now is printed once
        ApiToken token = httpPort >= 0 ? ApiToken.resolve(settings.dataDir()) : null;
        Pipeline pipeline = Pipeline.start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            pipeline.close();
            stopped.countDown();
        }, "ovaflow-shutdown"));
        out().println("ovaflow is running: Kafka " + pipeline.kafka() + ", S3 " + pipeline.endpoints().s3()
                + (pipeline.httpUrl() == null ? "" : ", HTTP " + pipeline.httpUrl()) + ". Ctrl-C stops it.");
        if (token != null && token.generated()) {
            // stdout only, never the logger: logs are shipped and kept, the token must not be in them
            out().println("API token for POST /api/imports (also in " + settings.dataDir().resolve(ApiToken.FILE_NAME)
                    + ", or set " + ApiToken.ENV + "): " + token.value());
        }
        SigningKey key = pipeline.signingKey();
        if (key != null) {
            List<String> publicKey = new ArrayList<>();
            if (key.publicKeyFile() != null) {
                publicKey.add(key.publicKeyFile().toString());
            }
            if (settings.stages().contains(Stage.PUBLISH)) {
                publicKey.add("s3://" + settings.buckets().catalog() + "/" + CatalogIndex.PUBLIC_KEY);
            }
            if (pipeline.httpUrl() != null) {
                publicKey.add(pipeline.httpUrl() + "/" + CatalogIndex.PUBLIC_KEY);
            }
            // the fingerprint is public: readers compare it with the one of the key they fetched
            out().println("Catalog signing key " + key.signer().fingerprint() + (key.generated()
                    ? ", made up now and kept in " + key.secretKeyFile() + " (or set " + CatalogSigning.KEY + ")"
                    : ", from " + key.secretKeyFile()) + "; public key: " + String.join(", ", publicKey));
        }
        stopped.await();
        return Ovaflow.OK;
    }
}
