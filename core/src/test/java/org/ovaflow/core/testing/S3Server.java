package org.ovaflow.core.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.embedded.EmbeddedS3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real S3 server (the embedded s3proxy on 127.0.0.1) for one test class, with its buckets made:
 * {@code @RegisterExtension static final S3Server S3 = new S3Server("ova-incoming");}. Stopped and its
 * data deleted after the class.
 */
public final class S3Server implements BeforeAllCallback, AfterAllCallback {

    private final List<String> buckets;
    private Path dataDir;
    private EmbeddedS3 server;
    private ObjectStore store;

    public S3Server(String... buckets) {
        this.buckets = List.of(buckets);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("ovaflow-s3-test-");
        server = new EmbeddedS3(dataDir, 0, "ovaflow-test", "ovaflow-test-secret-0123456789");
        server.start();
        store = new ObjectStore(server.endpoint(), server.accessKey(), server.secretKey());
        store.ensureBuckets(buckets);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        server.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /** A client of the server; valid from the class's first test on. */
    public ObjectStore store() {
        return store;
    }
}
