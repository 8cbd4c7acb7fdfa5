package org.ovaflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real S3-compatible server (s3proxy with a filesystem blob store) running in this JVM on 127.0.0.1 only. */
public final class EmbeddedS3 implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3.class);

    private static final String PORTS_FILE = "ports.properties";
    private static final String PORT_KEY = "s3.port";
    /** Where the files of writes a killed store left half-done go ({@link InterruptedWrites}). */
    static final String INTERRUPTED_WRITES = "interrupted-writes";
    // No graceful phase on close. With a stop timeout (s3proxy's default is 30 s) Jetty 12.1 waits for the
    // clients' idle keep-alive connections (the MinIO client pools them), then throws a TimeoutException
    // half-way through stopping and leaves the server FAILED with its port still bound.
    private static final long STOP_TIMEOUT_MS = 0;
    /**
     * The largest object it takes in one PUT, in GiB: MinIO's 5 TiB rather than S3's 5 GiB (s3proxy's default), so
     * that a large disk goes up in one request: parts it would write twice, once as part files and once joined.
     */
    public static final int MAX_SINGLE_REQUEST_GIB = 5120;

    private final Path dataDir;
    private final Path blobDir;
    private final int requestedPort;
    private final String accessKey;
    private final String secretKey;

    private S3Proxy proxy;
    private BlobStore blobStore;
    private int port;

    /**
     * @param dataDir   directory holding the buckets (one sub-directory each) and the remembered port; created if missing
     * @param port      port on 127.0.0.1, or 0 to reuse the port remembered in {@code dataDir} (or pick a free one)
     * @param accessKey access key clients must sign with (AWS signature V2 or V4)
     * @param secretKey secret key clients must sign with
     */
    public EmbeddedS3(Path dataDir, int port, String accessKey, String secretKey) {
        LoopbackPorts.checkPort(port);
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
        this.blobDir = this.dataDir.resolve("buckets");
        this.requestedPort = port;
        this.accessKey = requireText(accessKey, "accessKey");
        this.secretKey = requireText(secretKey, "secretKey");
    }

    /**
     * Starts the server; returns once it accepts connections (Jetty's start is synchronous).
     *
     * @throws IllegalStateException if already started or the server fails to start
     */
    public synchronized void start() {
        if (proxy != null) {
            throw new IllegalStateException("already started");
        }
        long began = System.nanoTime();
        try {
            Files.createDirectories(blobDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + blobDir, e);
        }
        InterruptedWrites.moveAside(blobDir, dataDir.resolve(INTERRUPTED_WRITES));
        Path portsFile = dataDir.resolve(PORTS_FILE);
        int chosenPort = LoopbackPorts.resolve(requestedPort, LoopbackPorts.load(portsFile), PORT_KEY);

        BlobStore store = new FilesystemNio2BlobStore(blobDir.toString());
        S3Proxy candidate = S3Proxy.builder()
                .blobStore(store)
                // the endpoint host is also the bind address: 127.0.0.1 keeps it off other interfaces
                .endpoint(URI.create("http://" + LoopbackPorts.LOOPBACK_HOST + ":" + chosenPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .stopTimeout(STOP_TIMEOUT_MS)
                .maxSinglePartObjectSize(MAX_SINGLE_REQUEST_GIB * 1024L * 1024 * 1024)
                .build();
        try {
            candidate.start();
        } catch (Exception e) {
            stopQuietly(candidate, store);
            throw new IllegalStateException("cannot start s3proxy on 127.0.0.1:" + chosenPort, e);
        }
        proxy = candidate;
        blobStore = store;
        port = candidate.getPort();
        Properties chosen = new Properties();
        chosen.setProperty(PORT_KEY, Integer.toString(port));
        LoopbackPorts.store(portsFile, chosen, "port chosen by EmbeddedS3, reused on restart when free");
        LOG.info("S3 started on {} with data in {} ({} ms)", endpoint(), blobDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    /** @return the endpoint URL, e.g. {@code http://127.0.0.1:port} (path-style addressing) */
    public synchronized String endpoint() {
        requireStarted();
        return "http://" + LoopbackPorts.LOOPBACK_HOST + ":" + port;
    }

    /** @return the listening port */
    public synchronized int port() {
        requireStarted();
        return port;
    }

    /** @return the access key clients sign with */
    public String accessKey() {
        return accessKey;
    }

    /** @return the secret key clients sign with */
    public String secretKey() {
        return secretKey;
    }

    /** @return the directory holding the buckets */
    public Path blobDir() {
        return blobDir;
    }

    /** @return whether {@link #start()} succeeded and {@link #close()} was not called since */
    public synchronized boolean isRunning() {
        return proxy != null;
    }

    /** Stops the server and waits for it; a no-op when not running. */
    @Override
    public synchronized void close() {
        if (proxy == null) {
            return;
        }
        long began = System.nanoTime();
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop s3proxy on 127.0.0.1:" + port, e);
        } finally {
            blobStore.close();
            proxy = null;
            blobStore = null;
        }
        LOG.info("S3 on 127.0.0.1:{} stopped in {} ms", port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    private static void stopQuietly(S3Proxy candidate, BlobStore store) {
        try {
            candidate.stop();
        } catch (Exception e) {
            LOG.debug("stopping a failed s3proxy", e);
        } finally {
            store.close();
        }
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    private void requireStarted() {
        if (proxy == null) {
            throw new IllegalStateException("not started");
        }
    }
}
