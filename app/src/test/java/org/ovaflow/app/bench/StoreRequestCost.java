package org.ovaflow.app.bench;

import com.sun.management.OperatingSystemMXBean;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.embedded.EmbeddedS3;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * What one request to the embedded store costs, client (MinIO's Java client) and server (s3proxy) together in
 * one process as {@code ovaflow run} has them: CPU milliseconds and wall milliseconds per PUT, GET, server-side
 * COPY and HEAD of a missing key, of 1 KiB objects (or another size), one request at a time. Run by
 * {@code bench/store-requests.sh}.
 */
public final class StoreRequestCost {

    private static final String BUCKET = "bench-requests";
    private static final String ACCESS_KEY = "bench-access-key";
    private static final String SECRET_KEY = "bench-secret-key-0123456789";

    private StoreRequestCost() {
    }

    public static void main(String[] args) throws IOException {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        Path data = Files.createTempDirectory("ovaflow-store-requests");
        try (EmbeddedS3 s3 = new EmbeddedS3(data, 0, ACCESS_KEY, SECRET_KEY)) {
            s3.start();
            ObjectStore store = new ObjectStore(s3.endpoint(), ACCESS_KEY, SECRET_KEY);
            store.ensureBuckets(List.of(BUCKET));
            byte[] object = new byte[size];
            new Random(size).nextBytes(object);
            // the first round warms the JIT up; the second is measured
            for (String round : List.of("warm-up", "measured")) {
                System.out.printf(Locale.ROOT, "%-9s %s%n", round, String.join("  ",
                        measure("PUT", count, i -> store.write(BUCKET, "object-" + i, object, "application/octet-stream")),
                        measure("GET", count, i -> read(store, "object-" + i)),
                        measure("COPY", count, i -> store.copy(BUCKET, "object-" + i, object.length, BUCKET, "copy-" + i)),
                        measure("HEAD(404)", count, i -> store.stat(BUCKET, "missing-" + i))));
            }
        } finally {
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    private static String measure(String what, int count, IntConsumer request) {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long wall = System.nanoTime();
        for (int i = 0; i < count; i++) {
            request.accept(i);
        }
        return String.format(Locale.ROOT, "%s %.2f ms CPU / %.2f ms wall", what,
                (os.getProcessCpuTime() - cpu) / 1e6 / count, (System.nanoTime() - wall) / 1e6 / count);
    }

    private static void read(ObjectStore store, String key) {
        try (InputStream in = store.read(BUCKET, key)) {
            in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
