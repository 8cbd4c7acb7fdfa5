package org.ovaflow.app.cli;

import org.ovaflow.app.pipeline.Endpoints;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * How a command finds the pipeline: {@code --kafka} and {@code --s3} (credentials from the environment), else
 * the endpoints file that {@code ovaflow run} writes into its data dir.
 */
public final class ConnectionOptions {

    @Option(names = "--data-dir", defaultValue = "${OVAFLOW_DATA_DIR:-.ovaflow}",
            description = "Data folder of the embedded servers and of endpoints.properties (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka", defaultValue = "${OVAFLOW_KAFKA}", paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers; none = the embedded broker.")
    String kafka;

    @Option(names = "--s3", defaultValue = "${OVAFLOW_S3}", paramLabel = "URL",
            description = "S3 endpoint (MinIO or any S3-compatible store); none = the embedded store. Credentials "
                    + "from OVAFLOW_S3_ACCESS_KEY/OVAFLOW_S3_SECRET_KEY or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.")
    String s3;

    static String accessKey() {
        return env("OVAFLOW_S3_ACCESS_KEY", "AWS_ACCESS_KEY_ID");
    }

    static String secretKey() {
        return env("OVAFLOW_S3_SECRET_KEY", "AWS_SECRET_ACCESS_KEY");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value != null && !value.isBlank() ? value : System.getenv(fallback);
    }

    /** The running pipeline's endpoints: from the options when given, else from the data dir. */
    Endpoints endpoints() {
        if (kafka != null && !kafka.isBlank() && s3 != null && !s3.isBlank()) {
            if (accessKey() == null || secretKey() == null) {
                throw new IllegalArgumentException("--s3 needs OVAFLOW_S3_ACCESS_KEY and OVAFLOW_S3_SECRET_KEY");
            }
            return new Endpoints(kafka, s3, accessKey(), secretKey(), null);
        }
        return Endpoints.readFrom(dataDir).orElseThrow(() -> new IllegalArgumentException(
                "no running pipeline found: " + dataDir.resolve(Endpoints.FILE_NAME) + " is missing; start one with"
                        + " 'ovaflow run' (same --data-dir) or give --kafka and --s3"));
    }
}
