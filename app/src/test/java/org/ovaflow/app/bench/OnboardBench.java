package org.ovaflow.app.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Endpoints;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The throughput benchmark's helper, run by bench/onboard.sh on the app's test classpath (not part of the
 * launcher): {@code generate DIR COUNT BYTES [FIRST]} writes good OVAs numbered from FIRST (0), each its own
 * catalog entry;
 * {@code drop DATA_DIR DIR THREADS TIMEOUT_S [PID]} drops them into the running pipeline's incoming bucket from
 * THREADS uploaders, reads ova.status from its beginning until every one is final and prints where the
 * time went, from the {@code at} of each import's status events and from /metrics, and, given the pipeline's
 * process id, where its CPU went meanwhile ({@link ProcessCpu}).
 */
public final class OnboardBench {

    private static final List<StatusEvent.State> STEPS = List.of(StatusEvent.State.ARRIVED,
            StatusEvent.State.VERIFIED, StatusEvent.State.VALIDATED, StatusEvent.State.TRANSCODED,
            StatusEvent.State.PUBLISHED);
    private static final String[] STEP_STAGES = {"ingest", "checksum", "schema", "transcode", "publish"};

    private OnboardBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "generate" -> generate(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    args.length > 4 ? Integer.parseInt(args[4]) : 0);
            case "drop" -> System.exit(drop(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]),
                    Duration.ofSeconds(Long.parseLong(args[4])), args.length > 5 ? Long.parseLong(args[5]) : -1));
            default -> {
                System.err.println("usage: OnboardBench generate DIR COUNT BYTES [FIRST] | drop DATA_DIR DIR THREADS TIMEOUT_S [PID]");
                System.exit(2);
            }
        }
    }

    private static void generate(Path dir, int count, int bytes, int first) throws Exception {
        Files.createDirectories(dir);
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            int n = i;
            done.add(pool.submit(() -> {
                // the descriptor and manifest are part of the size: the disk takes the rest
                var ova = SampleAppliance.ova("Bench Vendor " + (n % 10), "Bench Appliance " + n,
                        "1." + n, bytes - 8 * 1024, n);
                try (OutputStream out = Files.newOutputStream(dir.resolve(String.format("bench-%04d.ova", n)))) {
                    ova.writeTo(out);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
    }

    private static int drop(Path dataDir, Path dir, int threads, Duration timeout, long pid) throws Exception {
        Endpoints endpoints = Endpoints.readFrom(dataDir).orElseThrow();
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(f -> f.toString().endsWith(".ova")).sorted().toList();
        }
        ObjectStore store = new ObjectStore(endpoints.s3(), endpoints.s3AccessKey(), endpoints.s3SecretKey());
        Map<String, Instant> dropped = new ConcurrentHashMap<>();
        ProcessCpu cpuBefore = pid > 0 ? ProcessCpu.read(pid) : null;
        Instant start = Instant.now();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> uploads = new ArrayList<>();
        for (Path file : files) {
            uploads.add(pool.submit(() -> {
                Drop drop = Drop.of(store, "ova-incoming", file);
                dropped.put(drop.importId(), Instant.now());
                return null;
            }));
        }
        for (Future<?> upload : uploads) {
            upload.get();
        }
        pool.shutdown();
        Instant allDropped = Instant.now();
        System.out.printf(Locale.ROOT, "dropped %d OVAs (%.1f MiB) in %.2f s with %d uploaders%n", files.size(),
                files.stream().mapToLong(OnboardBench::size).sum() / 1048576.0,
                Duration.between(start, allDropped).toMillis() / 1000.0, threads);

        Map<String, Map<StatusEvent.State, Instant>> timelines = awaitFinal(endpoints.kafka(), dropped.keySet(), timeout);
        ProcessCpu cpuAfter = pid > 0 ? ProcessCpu.read(pid) : null;
        double wall = Duration.between(start, Instant.now()).toNanos() / 1e9;
        int status = report(start, dropped, timelines, endpoints.http());
        if (cpuBefore != null && cpuAfter != null) {
            cpuAfter.printSince(cpuBefore, wall, dropped.size());
        }
        return status;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads ova.status from its beginning until each of {@code ids} has a final state; the first time of each state. */
    private static Map<String, Map<StatusEvent.State, Instant>> awaitFinal(String kafka, java.util.Set<String> ids,
                                                                         Duration timeout) {
        Map<String, Map<StatusEvent.State, Instant>> timelines = new HashMap<>();
        int finished = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "ovaflow-bench"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.STATUS.topic()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (finished < ids.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null || !ids.contains(record.key())) {
                        continue;
                    }
                    StatusEvent status = EventCodec.readStatusEvent(record.headers(), record.value());
                    Map<StatusEvent.State, Instant> timeline = timelines.computeIfAbsent(status.importId(),
                            id -> new EnumMap<>(StatusEvent.State.class));
                    // a redelivery writes a state again: its first time is when the import got there
                    if (timeline.putIfAbsent(status.state(), status.at()) == null && status.state().isFinal()) {
                        finished++;
                    }
                }
            }
        }
        return timelines;
    }

    private static int report(Instant start, Map<String, Instant> dropped,
                              Map<String, Map<StatusEvent.State, Instant>> timelines, String http) throws Exception {
        Map<StatusEvent.State, Integer> outcomes = new TreeMap<>();
        List<Double> arrivalToPublished = new ArrayList<>();
        List<Double> dropToPublished = new ArrayList<>();
        List<List<Double>> steps = new ArrayList<>();
        IntStream.range(0, STEPS.size()).forEach(i -> steps.add(new ArrayList<>()));
        Instant firstArrival = null;
        Instant lastPublished = null;
        for (String id : dropped.keySet()) {
            Map<StatusEvent.State, Instant> t = timelines.getOrDefault(id, Map.of());
            t.keySet().stream().filter(StatusEvent.State::isFinal).forEach(s -> outcomes.merge(s, 1, Integer::sum));
            Instant arrived = t.get(StatusEvent.State.ARRIVED);
            Instant published = t.get(StatusEvent.State.PUBLISHED);
            if (arrived != null && (firstArrival == null || arrived.isBefore(firstArrival))) {
                firstArrival = arrived;
            }
            if (published == null) {
                continue;
            }
            if (lastPublished == null || published.isAfter(lastPublished)) {
                lastPublished = published;
            }
            dropToPublished.add(seconds(dropped.get(id), published));
            arrivalToPublished.add(seconds(arrived, published));
            Instant previous = dropped.get(id);
            for (int i = 0; i < STEPS.size(); i++) {
                Instant at = t.get(STEPS.get(i));
                steps.get(i).add(seconds(previous, at));
                previous = at;
            }
        }
        int published = arrivalToPublished.size();
        System.out.printf(Locale.ROOT, "outcomes: %s of %d dropped%n", outcomes, dropped.size());
        if (published == 0) {
            return 1;
        }
        double window = seconds(firstArrival, lastPublished);
        System.out.printf(Locale.ROOT, "first drop to last publication: %.2f s%n", seconds(start, lastPublished));
        System.out.printf(Locale.ROOT, "throughput: %.1f imports/s (%d published, first ARRIVED to last PUBLISHED %.2f s)%n",
                published / window, published, window);
        System.out.printf(Locale.ROOT, "latency ARRIVED -> PUBLISHED:  p50 %.3f s  p99 %.3f s  max %.3f s%n",
                percentile(arrivalToPublished, 50), percentile(arrivalToPublished, 99), percentile(arrivalToPublished, 100));
        System.out.printf(Locale.ROOT, "latency dropped -> PUBLISHED:  p50 %.3f s  p99 %.3f s  max %.3f s%n",
                percentile(dropToPublished, 50), percentile(dropToPublished, 99), percentile(dropToPublished, 100));

        Map<String, double[]> histogram = stageHistogram(http);
        System.out.println();
        System.out.println("where the time goes (per import; 'between events' includes waiting in the topic)");
        System.out.printf(Locale.ROOT, "%-10s %-24s %9s %9s %9s %12s %12s%n", "stage", "between events",
                "p50 s", "p99 s", "max s", "work p50 s", "work p99 s");
        for (int i = 0; i < STEPS.size(); i++) {
            String from = i == 0 ? "dropped" : STEPS.get(i - 1).name();
            double[] work = histogram.get(STEP_STAGES[i]);
            System.out.printf(Locale.ROOT, "%-10s %-24s %9.3f %9.3f %9.3f %12s %12s%n", STEP_STAGES[i],
                    from + " -> " + STEPS.get(i).name(), percentile(steps.get(i), 50), percentile(steps.get(i), 99),
                    percentile(steps.get(i), 100),
                    work == null ? "-" : String.format(Locale.ROOT, "%.3f", work[0]),
                    work == null ? "-" : String.format(Locale.ROOT, "%.3f", work[1]));
        }
        System.out.println("(work = ovaflow_stage_duration_seconds from /metrics, histogram_quantile over its buckets;"
                + " ingest writes arrivals without it)");
        storeRequests(http, published);
        return published == dropped.size() ? 0 : 1;
    }

    private static double seconds(Instant from, Instant to) {
        return from == null || to == null ? Double.NaN : Duration.between(from, to).toNanos() / 1e9;
    }

    private static double percentile(List<Double> values, double p) {
        List<Double> sorted = values.stream().filter(v -> !v.isNaN()).sorted().toList();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /**
     * The store requests the stages sent (ovaflow_store_requests_total), per published import, by stage and kind;
     * with BENCH_WARMUP the warm-up round's requests are in the counts too.
     */
    private static void storeRequests(String http, int published) {
        if (http == null || published == 0) {
            return;
        }
        String text;
        try {
            text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(http + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            System.out.println("(no /metrics: " + e + ")");
            return;
        }
        Map<String, Double> byStage = new TreeMap<>();
        double total = 0;
        var pattern = java.util.regex.Pattern.compile("^ovaflow_store_requests_total\\{(.*)\\} ([0-9.eE+-]+)$");
        for (String line : text.split("\n")) {
            var m = pattern.matcher(line);
            if (!m.matches() || Double.parseDouble(m.group(2)) == 0) {
                continue;
            }
            var stage = java.util.regex.Pattern.compile("stage=\"([^\"]*)\"").matcher(m.group(1));
            var op = java.util.regex.Pattern.compile("op=\"([^\"]*)\"").matcher(m.group(1));
            if (stage.find() && op.find()) {
                byStage.merge(stage.group(1) + " " + op.group(1), Double.parseDouble(m.group(2)), Double::sum);
                total += Double.parseDouble(m.group(2));
            }
        }
        StringBuilder parts = new StringBuilder();
        byStage.forEach((what, count) -> parts.append(String.format(Locale.ROOT, ", %s %.2f", what, count / published)));
        System.out.printf(Locale.ROOT, "store requests per import: %.2f (%s)%n", total / published,
                parts.length() == 0 ? "none counted" : parts.substring(2));
    }

    /** Per stage, p50 and p99 of ovaflow_stage_duration_seconds, interpolated in its buckets as Prometheus does. */
    private static Map<String, double[]> stageHistogram(String http) {
        Map<String, double[]> quantiles = new HashMap<>();
        if (http == null) {
            return quantiles;
        }
        String text;
        try {
            text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(http + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            System.out.println("(no /metrics: " + e + ")");
            return quantiles;
        }
        Map<String, TreeMap<Double, Double>> buckets = new HashMap<>();
        var pattern = java.util.regex.Pattern.compile(
                "^ovaflow_stage_duration_seconds_bucket\\{(.*)\\} ([0-9.eE+-]+)$");
        for (String line : text.split("\n")) {
            var m = pattern.matcher(line);
            if (!m.matches()) {
                continue;
            }
            var stage = java.util.regex.Pattern.compile("stage=\"([^\"]*)\"").matcher(m.group(1));
            var le = java.util.regex.Pattern.compile("le=\"([^\"]*)\"").matcher(m.group(1));
            if (stage.find() && le.find()) {
                double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                buckets.computeIfAbsent(stage.group(1), s -> new TreeMap<>()).put(bound, Double.parseDouble(m.group(2)));
            }
        }
        buckets.forEach((stage, b) -> quantiles.put(stage, new double[]{quantile(b, 0.5), quantile(b, 0.99)}));
        return quantiles;
    }

    private static double quantile(TreeMap<Double, Double> cumulative, double q) {
        double total = cumulative.lastEntry().getValue();
        if (total == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (var bucket : cumulative.entrySet()) {
            if (bucket.getValue() >= rank) {
                if (bucket.getKey().isInfinite()) {
                    return lowerBound;
                }
                double inBucket = bucket.getValue() - lowerCount;
                return lowerBound + (bucket.getKey() - lowerBound) * (inBucket == 0 ? 0 : (rank - lowerCount) / inBucket);
            }
            lowerBound = bucket.getKey();
            lowerCount = bucket.getValue();
        }
        return lowerBound;
    }
}
