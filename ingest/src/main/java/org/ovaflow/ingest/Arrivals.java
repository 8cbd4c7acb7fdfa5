package org.ovaflow.ingest;

import java.util.List;
import java.util.Locale;

/** Which objects of the incoming bucket are imports: those whose key ends with one of the configured suffixes. */
public record Arrivals(String bucket, List<String> suffixes) {

    public Arrivals {
        suffixes = suffixes.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    public boolean isImport(String objectBucket, String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return bucket.equals(objectBucket) && suffixes.stream().anyMatch(lower::endsWith);
    }
}
