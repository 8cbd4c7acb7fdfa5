package org.ovaflow.core.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.embedded.EmbeddedS3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real S3 server (the embedded s3proxy on 127.0.0.1) for a test class, with its buckets made:
 * {@code @RegisterExtension static final S3Server S3 = new S3Server("ova-incoming");}.
 *
 * <p>One server serves every class of a test JVM (the fast tier's budget has no room for a start a class): it is
 * started by the first class that asks and stopped, its data deleted, when JUnit closes the run's root context.
 * Each class finds its buckets empty and leaves them empty, so classes see no objects of another.
 */
public final class S3Server implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(S3Server.class);

    private final List<String> buckets;
    private ObjectStore store;
    private SharedServer shared;

    public S3Server(String... buckets) {
        this.buckets = List.of(buckets);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        shared = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedServer.class, type -> SharedServer.start(), SharedServer.class);
        store = shared.store;
        store.ensureBuckets(buckets);
        empty();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        empty();
    }

    /** A client of the server; valid from the class's first test on. */
    public ObjectStore store() {
        return store;
    }

    /** Another client of the server, uploading with {@code uploads} (part size, parts at once, payload signing). */
    public ObjectStore store(ObjectStore.UploadSettings uploads) {
        return new ObjectStore(store.endpoint(), SharedServer.ACCESS_KEY, SharedServer.SECRET_KEY, uploads);
    }

    /** A client of the server through {@code endpoint}: a proxy in front of it (one counting requests, say). */
    public ObjectStore clientThrough(String endpoint) {
        return new ObjectStore(endpoint, shared.server.accessKey(), shared.server.secretKey());
    }

    private void empty() {
        for (String bucket : buckets) {
            store.removeAll(bucket, store.list(bucket, "").stream().map(ObjectInfo::key).toList());
        }
    }

    /** The server of the JVM's run; JUnit closes it with the root context. */
    private static final class SharedServer implements ExtensionContext.Store.CloseableResource {

        static final String ACCESS_KEY = "ovaflow-test";
        static final String SECRET_KEY = "ovaflow-test-secret-0123456789";

        private final Path dataDir;
        private final EmbeddedS3 server;
        private final ObjectStore store;

        private SharedServer(Path dataDir, EmbeddedS3 server) {
            this.dataDir = dataDir;
            this.server = server;
            this.store = new ObjectStore(server.endpoint(), server.accessKey(), server.secretKey());
        }

        static SharedServer start() {
            try {
                Path dataDir = Files.createTempDirectory("ovaflow-s3-test-");
                EmbeddedS3 server = new EmbeddedS3(dataDir, 0, ACCESS_KEY, SECRET_KEY);
                server.start();
                return new SharedServer(dataDir, server);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the test S3 server", e);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            try (Stream<Path> files = Files.walk(dataDir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
