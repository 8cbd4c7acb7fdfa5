package org.ovaflow.app.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Properties;

/**
 * Where a running pipeline can be reached: written by {@code ovaflow run} to {@code <data-dir>/endpoints.properties}
 * (owner-readable only, it holds the store's credentials) and read by the other commands.
 */
public record Endpoints(String kafka, String s3, String s3AccessKey, String s3SecretKey, String http) {

    public static final String FILE_NAME = "endpoints.properties";

    public void writeTo(Path dataDir) {
        Properties properties = new Properties();
        properties.setProperty("kafka", kafka);
        properties.setProperty("s3", s3);
        properties.setProperty("s3.access-key", s3AccessKey);
        properties.setProperty("s3.secret-key", s3SecretKey);
        if (http != null) {
            properties.setProperty("http", http);
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
                properties.getProperty("http")));
    }
}
