package org.ovaflow.core.config;

import org.ovaflow.core.stage.StageKafka;
import org.ovaflow.core.store.ObjectStore;

import java.util.List;

/**
 * The settings every stage shares: the names of the buckets, the retries of infrastructure failures, and how each
 * stage consumes its topic ({@code ovaflow.stage.<stage>.*}, read by the stage routes).
 */
public final class SharedSettings {

    public static final Setting<String> INCOMING_BUCKET = bucket("incoming", "uploads arrive in; ingest watches it");
    public static final Setting<String> STAGING_BUCKET = bucket("staging",
            "the stages keep an import's files in between");
    public static final Setting<String> CATALOG_BUCKET = bucket("catalog", "publish writes the catalog to");
    public static final Setting<String> QUARANTINE_BUCKET = bucket("quarantine",
            "rejected imports are moved to, with their report");

    /** Read by the transcode stage, which copies the OVA into the import's folder, and by publish, which names it. */
    public static final Setting<Boolean> KEEP_OVA = Setting.ofBoolean("ovaflow.publish.keep-ova", true,
            "keep the original OVA in its catalog entry (`<version>/<importId>/<file name>.ova`, role `ova`): "
                    + "the transcode stage has the store copy it while the disks convert, publish names it");
    public static final Setting<Integer> RETRY_ATTEMPTS = Setting.ofInt("ovaflow.retry.attempts", 8, -1,
            Integer.MAX_VALUE, "retries of infrastructure failures (exponential backoff with jitter) before `ova.dlq`: with the delays' "
                    + "defaults they wait out an outage of about a minute (see [Faults](benchmarks.md#faults-the-chaos-suite)); -1 retries for ever");
    public static final Setting<Long> RETRY_INITIAL_DELAY_MS = Setting.ofLong("ovaflow.retry.initial-delay-ms", 500,
            0, Long.MAX_VALUE, "the wait before the first retry; each next one waits twice as long");
    public static final Setting<Long> RETRY_MAX_DELAY_MS = Setting.ofLong("ovaflow.retry.max-delay-ms", 15000, 0,
            Long.MAX_VALUE, "the longest wait between two retries");

    public static final Setting<Integer> STAGE_CONSUMERS = Setting.ofInt("ovaflow.stage.<stage>.consumers", 1, 1,
            Integer.MAX_VALUE, "how many consumers of the stage's topic a process runs, each with partitions of its own: more "
                    + "let a lone process work on one import per partition at once, but one process with several "
                    + "takes every partition from the processes started after it");
    public static final Setting<Long> STAGE_MAX_POLL_INTERVAL_MS = Setting.ofLong(
            "ovaflow.stage.<stage>.max-poll-interval-ms", 3600000, 1, Integer.MAX_VALUE,
            "how long one import may take in a stage before Kafka reassigns its partition");
    public static final Setting<Integer> STAGE_BATCH_SIZE = Setting.ofInt("ovaflow.stage.<stage>.batch-size", 200, 1,
            Integer.MAX_VALUE, "a stage that works in batches (publish) takes up to this many records of a poll at once: the "
                    + "publish stage rebuilds the catalog index once for all of them");
    public static final Setting<Long> STAGE_BATCH_WAIT_MS = Setting.ofLong("ovaflow.stage.<stage>.batch-wait-ms", 200,
            0, Integer.MAX_VALUE, "a partial batch goes once its first record waited this long");

    public static final Setting<Integer> STORE_PART_SIZE_MIB = Setting.ofInt("ovaflow.store.part-size-mib",
            (int) (ObjectStore.PART_SIZE / (1024 * 1024)), 5, 512, "multipart uploads' part size in MiB, also the "
                    + "largest object sent in one PUT (but to a store on loopback a local file `import` sends, a disk "
                    + "transcode writes and a copied range go in one streamed PUT up to `max-single-request-gib`); an "
                    + "upload holds `parallel-parts + 1` parts in memory. Given to `run` and as `-D` to `import` and "
                    + "`onboard`");
    public static final Setting<Integer> STORE_PARALLEL_PARTS = Setting.ofInt("ovaflow.store.parallel-parts",
            ObjectStore.UploadSettings.DEFAULT_PARALLEL_PARTS, 1, 64, "parts of one upload in flight at once "
                    + "(the transcode stage's disk outputs too, in parts of 8 MiB); `onboard` divides it among its "
                    + "`--parallel` downloads unless it is set; a pipeline process, whose stages upload side by side in "
                    + "one heap, sends 2")
            .documentedDefault("`4` (`run`: `2`)");
    public static final Setting<Integer> STORE_MAX_SINGLE_REQUEST_GIB = Setting.ofInt(
            "ovaflow.store.max-single-request-gib", ObjectStore.UploadSettings.S3_MAX_SINGLE_REQUEST_GIB, 1, 5120,
            "the largest object the store takes in one PUT or one CopyObject: S3's 5 GiB; MinIO takes 5 TiB (5120). "
                    + "Larger objects go in parts, which a filesystem store (s3proxy) writes twice: once as parts, once "
                    + "joined. `run` with its embedded store, and the commands given its `--data-dir`, use 5120")
            .documentedDefault("`5` (the embedded store: `5120`)");
    public static final Setting<ObjectStore.PayloadSigning> STORE_PAYLOAD_SIGNING = Setting.ofEnum(
            "ovaflow.store.payload-signing", ObjectStore.PayloadSigning.class, ObjectStore.PayloadSigning.AUTO,
            "whether an upload's SigV4 signature covers the SHA-256 of its body: `auto` sends `UNSIGNED-PAYLOAD` over "
                    + "https and to a loopback address (the embedded store), signs over plain HTTP to another host; "
                    + "`signed`; `unsigned` (for a plain-HTTP store on a network you trust). Every upload carries its "
                    + "CRC32 (`x-amz-checksum-crc32`) either way; see [Uploads](benchmarks.md#uploads)");

    public static final Setting<StageKafka.GroupProtocol> KAFKA_GROUP_PROTOCOL = Setting.ofEnum(
            "ovaflow.kafka.group-protocol", StageKafka.GroupProtocol.class, StageKafka.GroupProtocol.CONSUMER,
            "how the processes of a stage share its partitions: `consumer` (KIP-848, Kafka 4.0 brokers and later: "
                    + "a member joining or leaving moves only the partitions that change hands, a member busy with a "
                    + "long import keeps its own and heartbeats meanwhile: no import is worked twice) or `classic` "
                    + "(brokers before 4.0: the cooperative sticky assignor; imports in flight while a stage scales "
                    + "may be worked again)");

    private SharedSettings() {
    }

    public static List<Setting<?>> all() {
        return List.of(INCOMING_BUCKET, STAGING_BUCKET, CATALOG_BUCKET, QUARANTINE_BUCKET, KEEP_OVA, RETRY_ATTEMPTS,
                RETRY_INITIAL_DELAY_MS, RETRY_MAX_DELAY_MS, STAGE_CONSUMERS, STAGE_MAX_POLL_INTERVAL_MS,
                STAGE_BATCH_SIZE, STAGE_BATCH_WAIT_MS, STORE_PART_SIZE_MIB, STORE_PARALLEL_PARTS, STORE_MAX_SINGLE_REQUEST_GIB,
                STORE_PAYLOAD_SIGNING, KAFKA_GROUP_PROTOCOL);
    }

    private static Setting<String> bucket(String role, String doc) {
        return Setting.ofText("ovaflow.bucket." + role, "ova-" + role, "the bucket " + doc)
                .checkedBy(name -> {
                    if (name.isBlank()) {
                        throw new IllegalArgumentException("a bucket needs a name");
                    }
                });
    }
}
