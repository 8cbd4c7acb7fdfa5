package org.ovaflow.app.pipeline;

import org.ovaflow.core.config.SharedSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.Properties;

/**
 * Where a running pipeline can be reached: written by {@code ovaflow run} to {@code <data-dir>/endpoints.properties}
 * (owner-readable only, it holds the store's credentials) and read by the other commands.
 */
public record Endpoints(String kafka, String s3, String s3AccessKey, String s3SecretKey, String http,
                        Integer s3MaxSingleRequestGib) {

    public static final String FILE_NAME = "endpoints.properties";
    private static final String MAX_SINGLE_REQUEST = "s3.max-single-request-gib";

    /** Endpoints of a store whose largest single request is not known (S3's is then assumed). */
    public Endpoints(String kafka, String s3, String s3AccessKey, String s3SecretKey, String http) {
        this(kafka, s3, s3AccessKey, s3SecretKey, http, null);
    }

    /**
     * The store settings {@code given} (a command's {@code -D}), with this pipeline's own store's largest single
     * request where they do not set it: what an upload to the embedded store of a running {@code run} can use.
     */
    public UnaryOperator<String> storeSettings(Map<String, String> given) {
        return key -> {
            String value = given.get(key);
            if (value == null && s3MaxSingleRequestGib != null
                    && key.equals(SharedSettings.STORE_MAX_SINGLE_REQUEST_GIB.key())) {
                return s3MaxSingleRequestGib.toString();
            }
            return value;
        };
    }

    public void writeTo(Path dataDir) {
        Properties properties = new Properties();
        properties.setProperty("kafka", kafka);
        properties.setProperty("s3", s3);
        properties.setProperty("s3.access-key", s3AccessKey);
        properties.setProperty("s3.secret-key", s3SecretKey);
        if (http != null) {
            properties.setProperty("http", http);
        }
        if (s3MaxSingleRequestGib != null) {
            properties.setProperty(MAX_SINGLE_REQUEST, s3MaxSingleRequestGib.toString());
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
            Path temp = Files.createTempFile(dataDir, "endpoints", ".tmp");
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the data dir's own permissions protect it
            }
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.TRUNCATE_EXISTING)) {
                properties.store(out, "written by ovaflow run; read by ovaflow import, catalog, quarantine");
            }
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static Optional<Endpoints> readFrom(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return Optional.of(new Endpoints(properties.getProperty("kafka"), properties.getProperty("s3"),
                properties.getProperty("s3.access-key"), properties.getProperty("s3.secret-key"),
                properties.getProperty("http"), properties.getProperty(MAX_SINGLE_REQUEST) == null ? null
                : Integer.valueOf(properties.getProperty(MAX_SINGLE_REQUEST))));
    }
}
