package org.ovaflow.app.cli;

import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.catalog.CatalogVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where {@code catalog verify} and {@code catalog follow} read a catalog from: a bucket of this machine's store, or
 * an http(s) URL.
 */
final class CatalogSources {

    /** An S3 bucket name. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private CatalogSources() {
    }

    /** @throws IllegalArgumentException for a location that is neither s3://BUCKET/ nor an http(s) URL */
    static CatalogVerifier.Source of(String location, StoreOptions options) {
        return of(location, options, HttpClient.Redirect.NORMAL);
    }

    /**
     * An upstream that {@code catalog follow} imports from: over http(s), no redirect is followed (a 3xx fails the
     * read), so that only the upstream's own URLs are ever fetched.
     *
     * @throws IllegalArgumentException as {@link #of(String, StoreOptions)}
     */
    static CatalogVerifier.Source upstream(String location, StoreOptions options) {
        return of(location, options, HttpClient.Redirect.NEVER);
    }

    private static CatalogVerifier.Source of(String location, StoreOptions options, HttpClient.Redirect redirects) {
        if (location.startsWith("s3://")) {
            String bucket = location.substring("s3://".length());
            bucket = bucket.endsWith("/") ? bucket.substring(0, bucket.length() - 1) : bucket;
            if (!BUCKET.matcher(bucket).matches()) {
                throw new IllegalArgumentException("not a bucket: " + location + " (s3://BUCKET/)");
            }
            return bucket(options.store(), bucket);
        }
        if (location.startsWith("http://") || location.startsWith("https://")) {
            return http(URI.create(location.endsWith("/") ? location : location + "/"), redirects);
        }
        throw new IllegalArgumentException("not a catalog location: " + location + " (s3://BUCKET/ or an http(s) URL)");
    }

    static CatalogVerifier.Source bucket(ObjectStore store, String bucket) {
        return new CatalogVerifier.Source() {
            @Override
            public Optional<InputStream> open(String key) {
                try {
                    return Optional.of(store.read(bucket, key));
                } catch (ObjectGoneException e) {
                    return Optional.empty();
                }
            }

            @Override
            public String describe(String key) {
                return "s3://" + bucket + "/" + key;
            }
        };
    }

    static CatalogVerifier.Source http(URI base, HttpClient.Redirect redirects) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(redirects).build();
        return new CatalogVerifier.Source() {
            @Override
            public Optional<InputStream> open(String key) throws IOException {
                HttpRequest request = HttpRequest.newBuilder(url(key)).timeout(Duration.ofMinutes(5)).GET().build();
                try {
                    HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                    if (response.statusCode() == 404 || response.statusCode() == 403) {
                        response.body().close();
                        return Optional.empty();
                    }
                    if (response.statusCode() != 200) {
                        response.body().close();
                        String location = response.headers().firstValue("Location").orElse(null);
                        throw new IOException("HTTP " + response.statusCode() + (location == null ? ""
                                : " to " + location + ", not followed (only the catalog's own URLs are read)"));
                    }
                    return Optional.of(response.body());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }

            @Override
            public String describe(String key) {
                return url(key).toString();
            }

            private URI url(String key) {
                StringBuilder path = new StringBuilder();
                for (String segment : key.split("/", -1)) {
                    path.append(path.isEmpty() ? "" : "/")
                            .append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
                }
                return base.resolve(path.toString());
            }
        };
    }
}
