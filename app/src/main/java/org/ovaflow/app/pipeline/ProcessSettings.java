package org.ovaflow.app.pipeline;

import org.ovaflow.core.config.Setting;

import org.ovaflow.publish.feed.CatalogLinks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The settings of an ovaflow process as such, beside its stages': starting and stopping, the topics it creates, the
 * embedded servers, the HTTP server and the catalog's signing key.
 */
public final class ProcessSettings {

    public static final Setting<Long> STARTUP_TIMEOUT_S = Setting.ofLong("ovaflow.startup.timeout-s", 300, 0,
            Long.MAX_VALUE, "how long a starting process waits for an unreachable broker or store (retrying with "
                    + "backoff) before it gives up and exits");
    public static final Setting<Long> SHUTDOWN_TIMEOUT_S = Setting.ofLong("ovaflow.shutdown-timeout-s", 10, 0,
            Long.MAX_VALUE, "graceful stop of the routes");
    public static final Setting<Integer> KAFKA_PARTITIONS = Setting.ofInt("ovaflow.kafka.partitions", 3, 1,
            Integer.MAX_VALUE, "partitions of the topics ovaflow creates (a topic with fewer is grown, never shrunk): "
                    + "they bound how many processes of a stage share its work");
    public static final Setting<Integer> TOPIC_PARTITIONS = Setting.ofInt("ovaflow.kafka.partitions.<topic>", 1,
            Integer.MAX_VALUE, "partitions of one topic (`ovaflow.kafka.partitions.ova.validated`)")
            .documentedDefault("`ovaflow.kafka.partitions`");
    public static final Setting<Integer> REPLICATION_FACTOR = Setting.ofInt("ovaflow.kafka.replication-factor", -1,
                    Short.MAX_VALUE, "their replication factor (-1: the broker's default)")
            .documentedDefault("1 embedded, broker default otherwise");
    public static final Setting<Integer> EMBEDDED_KAFKA_PORT = Setting.ofInt("ovaflow.embedded.kafka-port", 0, 0,
            65535, "the port of the embedded Kafka broker; 0: any free port");
    public static final Setting<Integer> EMBEDDED_S3_PORT = Setting.ofInt("ovaflow.embedded.s3-port", 0, 0, 65535,
            "the port of the embedded S3 server; 0: any free port");
    public static final Setting<String> HTTP_PUBLIC_URL = Setting.of("ovaflow.http.public-url", null,
            value -> new CatalogLinks(value.strip()).baseUrl(), "base URL of the links in the feeds, e.g. `https://catalog.example.com` behind a proxy")
            .documentedDefault("(the request's `Host`)");
    public static final Setting<Long> HTTP_PRESIGN_EXPIRY_S = Setting.ofLong("ovaflow.http.presign-expiry-s", 3600, 1,
            Duration.ofDays(7).toSeconds(), "how long a download's presigned URL is valid (1 s to 7 days, S3's "
                    + "limit)");
    public static final Setting<Path> SIGNING_KEY = Setting.ofPath(CatalogSigning.KEY, "the armored OpenPGP secret "
                    + "key that signs the index and the feeds ([Signatures](catalog.md#signatures)); read once at "
                    + "start")
            .documentedDefault("(made up at first start, kept in `<data-dir>/" + CatalogSigning.FOLDER + "/`)");
    public static final Setting<Path> SIGNING_PASSPHRASE_FILE = Setting.ofPath(CatalogSigning.PASSPHRASE_FILE,
                    "a file whose first line is the signing key's passphrase; else the environment variable, which "
                    + "`ps` does not show either")
            .documentedDefault("(none; `" + CatalogSigning.PASSPHRASE_ENV + "`)");
    public static final Setting<String> INSTANCE = Setting.ofText("ovaflow.instance", null, "distinguishes the Kafka "
                    + "client ids (`ovaflow-<stage>-<instance>`) of processes of one stage")
            .documentedDefault("host name and process id");

    private ProcessSettings() {
    }

    public static List<Setting<?>> all() {
        return List.of(STARTUP_TIMEOUT_S, SHUTDOWN_TIMEOUT_S, KAFKA_PARTITIONS, TOPIC_PARTITIONS, REPLICATION_FACTOR,
                EMBEDDED_KAFKA_PORT, EMBEDDED_S3_PORT, HTTP_PUBLIC_URL, HTTP_PRESIGN_EXPIRY_S, SIGNING_KEY,
                SIGNING_PASSPHRASE_FILE, INSTANCE);
    }
}
