package org.ovaflow.app.bench;

import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.embedded.EmbeddedS3;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogWrites;
import org.ovaflow.publish.signing.CatalogSigner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The catalog-at-scale benchmark's driver, run by bench/catalog-scale.sh on the app's test classpath: for each
 * size, a fresh embedded store holding that many synthetic small entries, written through the publish classes as
 * the publish stage writes them (appliance.json, then {@link CatalogIndex#mark}, then {@link CatalogIndex#rebuild}
 * with a signer), then batches of 100 more entries published the same way, measured: the store requests each
 * batch makes (counted by a proxy between the client and the store, by method), the bytes it sends and receives,
 * and its wall time.
 *
 * <p>The catalog's shape: vendors of 100 products of 10 versions each (entry {@code i} is version
 * {@code 1.<i%10>} of product {@code (i/10)%100} of vendor {@code i/1000}); a measured batch is 10 new versions
 * of 10 products of one vendor, as a vendor's onboarding brings them.
 */
public final class CatalogScaleBench {

    private static final String BUCKET = "ova-catalog";
    private static final String ACCESS_KEY = "bench-access-key";
    private static final String SECRET_KEY = "bench-secret-key-0123456789";
    private static final int BATCH = 100;
    private static final int WARM_UP_BATCHES = 1;
    private static final int MEASURED_BATCHES = 3;

    private CatalogScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String arg : args) {
            sizes.add(Integer.parseInt(arg));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(1_000, 10_000, 100_000);
        }
        CatalogSigner signer = CatalogSigner.generate("catalog-scale bench", null);
        System.out.printf(Locale.ROOT, "%-9s %-10s %-40s %-12s %-12s %-10s%n", "entries", "build s",
                "requests / batch of 100 (by method)", "sent KiB", "received KiB", "wall ms");
        for (int size : sizes) {
            Path data = Files.createTempDirectory("ovaflow-catalog-scale");
            try (EmbeddedS3 s3 = new EmbeddedS3(data, 0, ACCESS_KEY, SECRET_KEY);
                 CountingProxy proxy = new CountingProxy(URI.create(startedEndpoint(s3)).getPort())) {
                ObjectStore store = new ObjectStore(proxy.endpoint(), ACCESS_KEY, SECRET_KEY);
                store.ensureBuckets(List.of(BUCKET));
                CatalogWrites writes = CatalogWrites.to(store);
                CatalogIndex index = new CatalogIndex(store, writes, BUCKET, signer);
                long began = System.nanoTime();
                build(store, writes, index, size);
                double buildSeconds = (System.nanoTime() - began) / 1e9;
                int vendors = Math.max(1, size / 1000);
                List<long[]> measured = new ArrayList<>();
                Map<String, Long> methods = new TreeMap<>();
                for (int batch = 0; batch < WARM_UP_BATCHES + MEASURED_BATCHES; batch++) {
                    proxy.reset();
                    long start = System.nanoTime();
                    publishBatch(writes, index, (batch * 37) % vendors, batch);
                    long wall = System.nanoTime() - start;
                    if (batch >= WARM_UP_BATCHES) {
                        measured.add(new long[]{proxy.requests(), proxy.sent(), proxy.received(), wall});
                        proxy.byMethod().forEach((m, n) -> methods.merge(m, n, Long::sum));
                    }
                }
                StringBuilder byMethod = new StringBuilder();
                methods.forEach((m, n) -> byMethod.append(byMethod.isEmpty() ? "" : " ").append(m).append(' ')
                        .append(n / MEASURED_BATCHES));
                System.out.printf(Locale.ROOT, "%-9d %-10.1f %-40s %-12.1f %-12.1f %-10.0f%n", size, buildSeconds,
                        mean(measured, 0) + " (" + byMethod + ")", mean(measured, 1) / 1024.0,
                        mean(measured, 2) / 1024.0, median(measured, 3) / 1e6);
            } finally {
                try (var files = Files.walk(data)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        System.exit(0);
    }

    private static String startedEndpoint(EmbeddedS3 s3) {
        s3.start();
        return s3.endpoint();
    }

    /** {@code size} entries committed as the publish stage commits them, 8 at once, then one rebuild of them all. */
    private static void build(ObjectStore store, CatalogWrites writes, CatalogIndex index, int size) throws Exception {
        // as a publish stage that started on an empty catalog: its first rebuild reconciles the markers with the
        // entries, one listing of the whole bucket, which s3proxy's filesystem store answers page by page by
        // walking every file of the bucket (more than 40 s a page at 100,000 entries): done now, it costs nothing
        index.rebuild();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> commits = new ArrayList<>();
            int chunk = 1000;
            for (int from = 0; from < size; from += chunk) {
                int first = from;
                commits.add(pool.submit(() -> {
                    for (int i = first; i < Math.min(size, first + chunk); i++) {
                        commit(writes, index, "vendor-" + String.format(Locale.ROOT, "%04d", i / 1000),
                                "product-" + String.format(Locale.ROOT, "%03d", (i / 10) % 100), "1." + (i % 10),
                                i);
                    }
                    return null;
                }));
            }
            for (Future<?> commit : commits) {
                commit.get();
            }
        } finally {
            pool.shutdownNow();
        }
        TreeSet<String> vendors = new TreeSet<>();
        for (int v = 0; v < Math.max(1, size / 1000); v++) {
            vendors.add("vendor-" + String.format(Locale.ROOT, "%04d", v));
        }
        index.rebuild(vendors);
    }

    /** 10 new versions of 10 products of vendor {@code vendor}, then the batch's one rebuild. */
    private static void publishBatch(CatalogWrites writes, CatalogIndex index, int vendor, int batch) {
        String vendorSlug = "vendor-" + String.format(Locale.ROOT, "%04d", vendor);
        for (int i = 0; i < BATCH; i++) {
            String product = "product-" + String.format(Locale.ROOT, "%03d", (batch * 10 + i / 10) % 100);
            commit(writes, index, vendorSlug, product, "2." + batch + "." + (i % 10), 1_000_000_000L + batch * BATCH + i);
        }
        index.rebuild(List.of(vendorSlug));
    }

    private static void commit(CatalogWrites writes, CatalogIndex index, String vendor, String product,
                               String version, long n) {
        String folder = vendor + "/" + product + "/" + version + "/";
        String id = String.format(Locale.ROOT, "%024x", n);
        Instant published = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(n % 100_000_000L);
        ApplianceRecord record = new ApplianceRecord(1, vendor, product, version, null, List.of(
                new ApplianceRecord.Artifact("appliance.ovf", "descriptor", folder + "appliance.ovf", 2048,
                        sha(n, 'a'), null, null),
                new ApplianceRecord.Artifact("disk1.qcow2", "disk", folder + "qcow2/disk1.qcow2", 1 << 20,
                        sha(n, 'b'), "http://www.gnome.org/~markmc/qcow-image-format.html", "qcow2")),
                new ApplianceRecord.Provenance(id, "incoming/" + id + ".ova", "etag-" + id, null, published,
                        published, List.of()), null, null);
        byte[] json = EventCodec.toPrettyJson(record);
        writes.write(BUCKET, folder + "appliance.json", json, "application/json");
        index.mark(record, json);
    }

    private static String sha(long n, char salt) {
        String base = String.format(Locale.ROOT, "%016x", n) + salt;
        StringBuilder sha = new StringBuilder();
        while (sha.length() < 64) {
            sha.append(Integer.toHexString(Math.abs((base + sha.length()).hashCode()) % 0x10000000 | 0x10000000));
        }
        return sha.substring(0, 64);
    }

    private static double mean(List<long[]> rows, int column) {
        return rows.stream().mapToLong(r -> r[column]).average().orElse(0);
    }

    private static double median(List<long[]> rows, int column) {
        long[] values = rows.stream().mapToLong(r -> r[column]).sorted().toArray();
        return values[values.length / 2];
    }

    /**
     * A loopback HTTP/1.1 proxy in front of the store that counts the requests passing it (by method), the bytes
     * sent (request heads and bodies) and received: what a batch costs the store, whatever the client does.
     */
    public static final class CountingProxy implements AutoCloseable {
        private final ServerSocket server;
        private final int target;
        private final LongAdder requests = new LongAdder();
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong received = new AtomicLong();
        private final Map<String, LongAdder> methods = new ConcurrentHashMap<>();
        private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "counting-proxy");
            thread.setDaemon(true);
            return thread;
        });

        public CountingProxy(int target) throws IOException {
            this.target = target;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            threads.submit(this::accept);
        }

        public String endpoint() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        public void reset() {
            requests.reset();
            sent.set(0);
            received.set(0);
            methods.clear();
        }

        public long requests() {
            return requests.sum();
        }

        long sent() {
            return sent.get();
        }

        long received() {
            return received.get();
        }

        public Map<String, Long> byMethod() {
            Map<String, Long> counts = new TreeMap<>();
            methods.forEach((m, n) -> counts.put(m, n.sum()));
            return counts;
        }

        private Void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket();
                    upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target));
                    client.setTcpNoDelay(true);
                    upstream.setTcpNoDelay(true);
                    threads.submit(() -> requests(client, upstream));
                    threads.submit(() -> pipe(upstream, client));
                } catch (IOException e) {
                    return null;
                }
            }
            return null;
        }

        /** Client to store: each request's head parsed (method, Content-Length), its body forwarded as is. */
        private Void requests(Socket client, Socket upstream) {
            try (client; upstream) {
                InputStream in = client.getInputStream();
                OutputStream out = upstream.getOutputStream();
                while (true) {
                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                    int last4 = 0;
                    int b;
                    while (last4 != 0x0d0a0d0a && (b = in.read()) >= 0) {
                        head.write(b);
                        last4 = last4 << 8 | b;
                    }
                    if (last4 != 0x0d0a0d0a) {
                        return null;
                    }
                    String text = head.toString(StandardCharsets.ISO_8859_1);
                    String method = text.substring(0, Math.max(0, text.indexOf(' ')));
                    long length = 0;
                    for (String line : text.split("\r\n")) {
                        int colon = line.indexOf(':');
                        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                            length = Long.parseLong(line.substring(colon + 1).trim());
                        }
                    }
                    requests.increment();
                    methods.computeIfAbsent(method, m -> new LongAdder()).increment();
                    out.write(head.toByteArray());
                    sent.addAndGet(head.size() + length);
                    byte[] buffer = new byte[64 * 1024];
                    while (length > 0) {
                        int n = in.read(buffer, 0, (int) Math.min(buffer.length, length));
                        if (n < 0) {
                            return null;
                        }
                        out.write(buffer, 0, n);
                        length -= n;
                    }
                    out.flush();
                }
            } catch (IOException e) {
                return null;
            }
        }

        private Void pipe(Socket from, Socket to) {
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                    received.addAndGet(n);
                }
            } catch (IOException e) {
                // the other side closed
            } finally {
                try {
                    to.shutdownOutput();
                } catch (IOException e) {
                    // already closed
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            server.close();
            threads.shutdownNow();
        }
    }
}
