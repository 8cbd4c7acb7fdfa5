package org.ovaflow.app.follow;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.ovaflow.core.event.EventCodec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@code catalog follow} did for one upstream, kept in a file between runs so that a run resumes where the
 * last one stopped and never imports a version twice: the last root version it accepted (an older one is a
 * replayed or rolled-back catalog) and, by {@code vendor/product/version}, what it imported, adopted, retracted or
 * could not follow. Written again (whole, through a temporary file moved into place) after every change: a stop
 * at any point loses at most the step under way, which the next run does again.
 */
public final class FollowState {

    /** The state file's format. */
    public static final String FORMAT = "ovaflow-follow:1";

    /** What the file holds. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Document(String format, String upstream, Long version, Map<String, Followed> versions) {
    }

    /**
     * One upstream version as followed.
     *
     * @param sha256   the sha256 of the upstream's original OVA when it was imported (or skipped): another one
     *                 later is new content, imported again
     * @param upstream the upstream's importId of the version
     * @param importId the mirror's import of it (ours, or the entry the mirror already had)
     * @param key      where in the mirror's incoming bucket it was put (null: adopted, not imported by us)
     * @param imported when it was imported or adopted
     * @param retracted when its retraction was carried over (null: not retracted here)
     * @param skipped  why it could not be followed (null: it was)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Followed(String sha256, String upstream, String importId, String key, Instant imported,
                           Instant retracted, String skipped) {

        Followed withRetracted(Instant at) {
            return new Followed(sha256, upstream, importId, key, imported, at, skipped);
        }
    }

    private final Path file;
    private final String upstream;
    private Long version;
    private final Map<String, Followed> versions;

    private FollowState(Path file, String upstream, Long version, Map<String, Followed> versions) {
        this.file = file;
        this.upstream = upstream;
        this.version = version;
        this.versions = versions;
    }

    /**
     * The state of following {@code upstream} kept in {@code file} (empty when the file is not there yet).
     *
     * @throws IllegalArgumentException when the file is not a state file, or is the state of another upstream
     */
    public static FollowState load(Path file, String upstream) throws IOException {
        if (!Files.exists(file)) {
            return new FollowState(file, upstream, null, new TreeMap<>());
        }
        Document document;
        try (InputStream in = Files.newInputStream(file)) {
            document = EventCodec.JSON.readValue(in, Document.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not a catalog follow state file: " + e.getMessage(), e);
        }
        if (document == null || !FORMAT.equals(document.format())) {
            throw new IllegalArgumentException(file + ": not a catalog follow state file (format "
                    + (document == null ? null : document.format()) + ", not " + FORMAT + ")");
        }
        if (!upstream.equals(document.upstream())) {
            throw new IllegalArgumentException(file + ": the state of following " + document.upstream()
                    + ", not " + upstream + " (give each upstream its own --state)");
        }
        return new FollowState(file, upstream, document.version(),
                new TreeMap<>(document.versions() == null ? Map.of() : document.versions()));
    }

    public String upstream() {
        return upstream;
    }

    /** The last root version accepted from the upstream, null before the first. */
    public Long version() {
        return version;
    }

    /** What was done for {@code id} ({@code vendor/product/version}), if anything. */
    public Optional<Followed> get(String id) {
        return Optional.ofNullable(versions.get(id));
    }

    public Map<String, Followed> versions() {
        return java.util.Collections.unmodifiableMap(versions);
    }

    /** Remembers the root version accepted, and saves. */
    public void accepted(long rootVersion) throws IOException {
        version = version == null ? rootVersion : Math.max(version, rootVersion);
        save();
    }

    /** Remembers what was done for {@code id}, and saves. */
    public void put(String id, Followed followed) throws IOException {
        versions.put(id, followed);
        save();
    }

    private void save() throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path written = Files.createTempFile(parent, ".ovaflow-follow", ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(written)) {
                out.write(EventCodec.toPrettyJson(new Document(FORMAT, upstream, version, versions)));
            }
            Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(written);
        }
    }
}
