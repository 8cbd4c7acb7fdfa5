package org.ovaflow.ingest.onboard;

import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.ProductOverrides;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.store.StoredObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Streams catalog items into the incoming bucket, where the pipeline picks them up like any dropped OVA.
 * The source's bytes go straight into a multipart upload (no local copy, at most one part in memory) through
 * a stream that counts and digests them; a body longer than announced stops at once, a shorter one or a
 * wrong SHA-256 fails the last read, so the store abandons the upload and never completes a wrong object.
 * Resumable: an item already in the bucket with its SHA-256 (user metadata {@code sha256}, written with the
 * upload when the catalog gives one) or, without one, downloaded from the same URL (user metadata
 * {@code source}) or of the announced size, is not fetched again.
 * Thread-safe: fetch from several threads.
 */
public final class Downloader {

    /** User metadata key holding the catalog's SHA-256 of an uploaded OVA. */
    public static final String SHA256_METADATA = "sha256";
    /** User metadata key holding the URL an OVA was downloaded from: a completed upload is a complete download. */
    public static final String SOURCE_METADATA = "source";
    static final int MAX_REDIRECTS = 5;
    static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);
    private static final String CONTENT_TYPE = "application/x-tar";

    private final ObjectStore store;
    private final String incomingBucket;
    private final HttpClient http;
    private final Path localRoot;
    private final Function<URI, ObjectStore> s3Sources;
    private final Duration responseTimeout;

    /**
     * @param http      must not follow redirects itself ({@link HttpClient.Redirect#NEVER}): the Downloader
     *                  follows at most {@value #MAX_REDIRECTS}, refusing loops, https to http and other schemes
     * @param localRoot file: and plain-path sources must lie under it; null refuses them
     * @param s3Sources the store of an s3://bucket/key source; null refuses them
     */
    public Downloader(ObjectStore store, String incomingBucket, HttpClient http, Path localRoot,
                      Function<URI, ObjectStore> s3Sources) {
        this(store, incomingBucket, http, localRoot, s3Sources, DEFAULT_RESPONSE_TIMEOUT);
    }

    /** @param responseTimeout how long an HTTP source may take to answer a request (not to send the body) */
    public Downloader(ObjectStore store, String incomingBucket, HttpClient http, Path localRoot,
                      Function<URI, ObjectStore> s3Sources, Duration responseTimeout) {
        if (http.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new IllegalArgumentException("the HttpClient must not follow redirects (Redirect.NEVER): "
                    + "the Downloader follows them itself, bounded and never from https to http");
        }
        this.store = store;
        this.incomingBucket = incomingBucket;
        this.http = http;
        this.localRoot = localRoot;
        this.s3Sources = s3Sources;
        this.responseTimeout = responseTimeout;
    }

    /** Fetches one item; never throws for a problem of the item, its source or the store: FAILED says it. */
    public DownloadResult fetch(CatalogItem item, DownloadListener listener) {
        DownloadListener progress = listener == null ? DownloadListener.NONE : listener;
        try {
            String badName = fileNameProblem(item.fileName());
            if (badName != null) {
                return DownloadResult.failed(item, 0, badName);
            }
            Optional<StoredObject> existing = store.describe(incomingBucket, item.fileName());
            if (existing.isPresent() && isSame(item, existing.get())) {
                ObjectInfo info = existing.get().info();
                return new DownloadResult(item, DownloadResult.Status.ALREADY_PRESENT, info.ref(), info.size(), null);
            }
            String previousEtag = existing.map(o -> o.info().etag()).orElse(null);
            try (Source source = open(item)) {
                return upload(item, source, previousEtag, progress);
            }
        } catch (SourceException e) {
            return DownloadResult.failed(item, 0, e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.debug("fetching {} failed", item.source(), e);
            return DownloadResult.failed(item, 0, "fetching " + item.source() + " failed: " + e.getMessage());
        }
    }

    private DownloadResult upload(CatalogItem item, Source source, String previousEtag, DownloadListener listener) {
        if (item.size() != null && source.length() >= 0 && source.length() != item.size()) {
            return DownloadResult.failed(item, 0, (source.length() > item.size() ? "longer" : "shorter")
                    + " than announced: the catalog says " + item.size() + " bytes, " + source.name()
                    + " announces " + source.length());
        }
        long expected = item.size() != null ? item.size() : source.length();
        listener.started(item, expected);
        VerifyingStream[] holder = new VerifyingStream[1];
        VerifyingStream body = new VerifyingStream(source.body(), expected, item.sha256(),
                () -> listener.progressed(item, holder[0].count()));
        holder[0] = body;
        Map<String, String> metadata = new java.util.HashMap<>();
        metadata.put(SOURCE_METADATA, item.source().toASCIIString());
        if (item.sha256() != null) {
            metadata.put(SHA256_METADATA, item.sha256());
        }
        // the catalog's vendor/product/version travel with the object; ingest hands them to publication
        metadata.putAll(new ProductOverrides(item.vendor(), item.product(), item.version()).toMetadata());
        try {
            // size -1 on purpose: the store then reads the body to its end (multipart), so the checks at the
            // end of the stream run before the upload completes
            store.write(incomingBucket, item.fileName(), body, -1, CONTENT_TYPE, metadata);
        } catch (RuntimeException e) {
            Optional<ObjectInfo> completed = completedDespite(item, body, previousEtag);
            if (completed.isPresent()) {
                LOG.info("the upload of s3://{}/{} completed although its caller saw it fail ({}): kept",
                        incomingBucket, item.fileName(), e.getMessage());
                return new DownloadResult(item, DownloadResult.Status.DOWNLOADED, completed.get().ref(), body.count(), null);
            }
            removeOwnObject(item.fileName(), previousEtag);
            return DownloadResult.failed(item, body.count(), uploadError(source, body, e));
        }
        Optional<ObjectInfo> stored = store.stat(incomingBucket, item.fileName());
        if (stored.isEmpty()) {
            return DownloadResult.failed(item, body.count(), "s3://" + incomingBucket + "/" + item.fileName()
                    + " vanished right after its upload");
        }
        return new DownloadResult(item, DownloadResult.Status.DOWNLOADED, stored.get().ref(), body.count(), null);
    }

    private static String uploadError(Source source, VerifyingStream body, RuntimeException e) {
        if (body.failure() != null) {
            return body.failure() + " (" + source.name() + ")";
        }
        IOException read = body.sourceFailure();
        if (read != null) {
            return "reading " + source.name() + " failed after " + body.count() + " bytes"
                    + (source.length() >= 0 && body.count() < source.length()
                    ? " (shorter than announced: " + source.length() + " bytes)" : "") + ": " + describe(read);
        }
        return e.getMessage();
    }

    /**
     * Removes a download of {@link #fetch} from the incoming bucket again, unless its key was written over since:
     * for a download that turned out to be an import ingest let through before (same bucket, key and etag: the
     * same importId), which ingest would skip and nothing would ever read. True when it was removed.
     */
    public boolean withdraw(ObjectRef download) {
        Optional<ObjectInfo> now = store.stat(incomingBucket, download.key());
        if (now.isEmpty() || now.get().etag() == null || download.etag() == null
                || !now.get().etag().replace("\"", "").equalsIgnoreCase(download.etag().replace("\"", ""))) {
            return false;
        }
        store.remove(incomingBucket, download.key());
        return true;
    }

    /**
     * The object of an upload that failed only for its caller: the whole body was read and passed the checks, and
     * the store holds an object of this item with exactly that many bytes, so the store completed it before the
     * caller gave up (interrupted, or the answer lost). Removing it would remove a good download that the pipeline
     * may already be importing.
     */
    private Optional<ObjectInfo> completedDespite(CatalogItem item, VerifyingStream body, String previousEtag) {
        if (!body.verified()) {
            return Optional.empty();
        }
        return uninterrupted("checking whether s3://" + incomingBucket + "/" + item.fileName() + " was completed",
                () -> store.describe(incomingBucket, item.fileName())
                        .filter(o -> o.info().size() == body.count() && isSame(item, o)
                                && !Objects.equals(o.info().etag(), previousEtag))
                        .map(StoredObject::info), Optional.empty());
    }

    /**
     * Asks the store once more although the thread was interrupted (the usual reason an upload fails for its
     * caller only): what it left behind must be settled before the thread stops. The interrupt stays set.
     */
    private static <T> T uninterrupted(String what, Supplier<T> question, T otherwise) {
        boolean interrupted = Thread.interrupted();
        try {
            return question.get();
        } catch (RuntimeException e) {
            LOG.warn("{} after a failed download failed: {}", what, e.getMessage());
            return otherwise;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whatever our failed upload may have left under the name (not an object that was there before us). */
    private void removeOwnObject(String key, String previousEtag) {
        uninterrupted("removing s3://" + incomingBucket + "/" + key, () -> {
            Optional<ObjectInfo> now = store.stat(incomingBucket, key);
            if (now.isPresent() && !Objects.equals(now.get().etag(), previousEtag)) {
                store.remove(incomingBucket, key);
            }
            return null;
        }, null);
    }

    /**
     * Whether the object (in the incoming bucket, or a server-side copy of it, which keeps its user metadata) is
     * this item: by its sha256 when the catalog gives one; else it is the download of the same URL (an upload
     * completes only when the whole body arrived and passed the checks), or of the same size when it did not come
     * from a download of ours.
     */
    public static boolean isSame(CatalogItem item, StoredObject existing) {
        if (item.sha256() != null) {
            return item.sha256().equalsIgnoreCase(existing.userMetadata().get(SHA256_METADATA));
        }
        boolean sizeFits = item.size() == null || item.size() == existing.info().size();
        if (item.source().toASCIIString().equals(existing.userMetadata().get(SOURCE_METADATA))) {
            return sizeFits;
        }
        return item.size() != null && sizeFits;
    }

    /** Null when {@code name} is a plain .ova file name fit as a key of the bucket's top level. */
    static String fileNameProblem(String name) {
        if (name == null || name.isBlank()) {
            return "no file name (give the item a name ending in .ova)";
        }
        if (name.contains("/") || name.contains("\\") || name.contains("..") || name.startsWith(".")
                || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "refused file name \"" + name + "\": not a plain file name";
        }
        if (!name.toLowerCase(Locale.ROOT).endsWith(".ova")) {
            return "refused file name \"" + name + "\": does not end in .ova";
        }
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            return "refused file name \"" + name.substring(0, 40) + "…\": longer than 255 bytes";
        }
        return null;
    }

    // ---- sources

    private record Source(InputStream body, long length, String name) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** A source that could not be opened: its message is the one-line error. */
    private static final class SourceException extends Exception {
        SourceException(String message) {
            super(message);
        }
    }

    private Source open(CatalogItem item) throws SourceException {
        URI uri = item.source();
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme == null || scheme.equals("file")) {
            return openFile(uri);
        }
        return switch (scheme) {
            case "http", "https" -> openHttp(uri);
            case "s3" -> openS3(uri);
            default -> throw new SourceException("unsupported source " + uri + " (http, https, s3 or file only)");
        };
    }

    private Source openHttp(URI start) throws SourceException {
        URI current = start;
        Set<URI> seen = new HashSet<>();
        seen.add(current);
        int redirects = 0;
        while (true) {
            HttpRequest request = HttpRequest.newBuilder(current).GET().timeout(responseTimeout)
                    .header("User-Agent", "ovaflow-onboard").build();
            HttpResponse<InputStream> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpConnectTimeoutException e) {
                throw new SourceException("timed out connecting to " + current);
            } catch (HttpTimeoutException e) {
                throw new SourceException("timed out after " + responseTimeout.toSeconds()
                        + " s waiting for " + current);
            } catch (ConnectException e) {
                throw new SourceException("cannot connect to " + current + ": " + describe(e));
            } catch (IOException e) {
                throw new SourceException("fetching " + current + " failed: " + describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SourceException("interrupted while fetching " + current);
            }
            int status = response.statusCode();
            if (status == 200) {
                long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                return new Source(response.body(), length, current.toString());
            }
            closeQuietly(response.body());
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                throw new SourceException("HTTP " + status + " from " + current);
            }
            String location = response.headers().firstValue("Location").orElse(null);
            if (location == null || location.isBlank()) {
                throw new SourceException("HTTP " + status + " without a Location from " + current);
            }
            URI next;
            try {
                next = current.resolve(location.trim());
            } catch (IllegalArgumentException e) {
                throw new SourceException("redirect from " + current + " to a malformed URL: " + location);
            }
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new SourceException("redirect from " + current + " to " + next + " refused: not http(s)");
            }
            if (current.getScheme().equalsIgnoreCase("https") && scheme.equals("http")) {
                throw new SourceException("redirect from " + current + " to " + next
                        + " refused: from https to plain http");
            }
            if (!seen.add(next)) {
                throw new SourceException("redirect loop: " + current + " redirects back to " + next);
            }
            if (++redirects > MAX_REDIRECTS) {
                throw new SourceException("too many redirects: more than " + MAX_REDIRECTS + " from " + start);
            }
            current = next;
        }
    }

    private Source openS3(URI uri) throws SourceException {
        if (s3Sources == null) {
            throw new SourceException("s3 sources are not enabled: " + uri);
        }
        String bucket = uri.getAuthority();
        String key = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (bucket == null || bucket.isBlank() || key.isEmpty()) {
            throw new SourceException("not an s3://bucket/key URL: " + uri);
        }
        ObjectStore source = s3Sources.apply(uri);
        if (source == null) {
            throw new SourceException("no store configured for " + uri);
        }
        Optional<ObjectInfo> info = source.stat(bucket, key);
        if (info.isEmpty()) {
            throw new SourceException("no such object: " + uri);
        }
        return new Source(source.read(bucket, key), info.get().size(), uri.toString());
    }

    private Source openFile(URI uri) throws SourceException {
        if (localRoot == null) {
            throw new SourceException("local files are not allowed as sources: " + uri);
        }
        Path root;
        Path file;
        try {
            root = localRoot.toRealPath();
            Path path = uri.getScheme() == null ? localRoot.resolve(uri.getPath()) : Path.of(uri);
            Path normal = path.toAbsolutePath().normalize();
            if (!normal.startsWith(root) && !normal.startsWith(localRoot.toAbsolutePath().normalize())) {
                throw new SourceException(uri + " is outside the local root " + localRoot + ", refused");
            }
            // the real path too: a symbolic link must not lead out of the root
            file = normal.toRealPath();
        } catch (NoSuchFileException e) {
            throw new SourceException("no such file: " + uri);
        } catch (IOException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new SourceException("cannot read " + uri + ": " + describe(e));
        }
        if (!file.startsWith(root)) {
            throw new SourceException(uri + " is outside the local root " + localRoot + ", refused");
        }
        if (!Files.isRegularFile(file)) {
            throw new SourceException("not a file: " + uri);
        }
        try {
            return new Source(Files.newInputStream(file), Files.size(file), file.toString());
        } catch (IOException e) {
            throw new SourceException("cannot read " + file + ": " + describe(e));
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getCause() != null && e.getCause().getMessage() != null
                    ? e.getCause().getMessage() : e.getClass().getSimpleName();
        }
        return message.replace('\n', ' ');
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // the response is discarded anyway
        }
    }
}
