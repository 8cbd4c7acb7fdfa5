package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The vendor, product and version an uploader states for an OVA (a vendor catalog's overrides), each may be
 * null. Travels with the object as S3 user metadata, percent-encoded since metadata is ASCII-only HTTP headers.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProductOverrides(String vendor, String product, String version) {

    private static final String VENDOR = "ovaflow-vendor";
    private static final String PRODUCT = "ovaflow-product";
    private static final String VERSION = "ovaflow-version";

    @JsonIgnore
    public boolean isEmpty() {
        return vendor == null && product == null && version == null;
    }

    /** As user metadata (keys without the x-amz-meta- prefix). */
    public Map<String, String> toMetadata() {
        Map<String, String> metadata = new HashMap<>();
        put(metadata, VENDOR, vendor);
        put(metadata, PRODUCT, product);
        put(metadata, VERSION, version);
        return metadata;
    }

    /** From an object's user metadata (lower-case keys without prefix); null when it states none. */
    public static ProductOverrides fromMetadata(Map<String, String> metadata) {
        ProductOverrides overrides = new ProductOverrides(get(metadata, VENDOR), get(metadata, PRODUCT),
                get(metadata, VERSION));
        return overrides.isEmpty() ? null : overrides;
    }

    private static void put(Map<String, String> metadata, String key, String value) {
        if (value != null && !value.isBlank()) {
            metadata.put(key, URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    private static String get(Map<String, String> metadata, String key) {
        String value = metadata.get(key);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value; // not ours: take it as written
        }
    }
}
