package org.ovaflow.core.event;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The identity of an import: derived from bucket, key and content tag, so every notification of the same
 * object content, however often it is delivered and by whichever source, names the same import.
 */
public final class ImportId {

    private ImportId() {
    }

    /**
     * 24 hex digits (96 bits) of SHA-256 over bucket, key and the etag; the version id only when the store
     * gives no etag. The etag, not the version id, so that a bucket scan (which lists no versions) and a
     * notification of a versioned bucket (which carries one) name the same import; a new upload with new
     * content under the same key has a new etag, hence is a new import.
     */
    public static String of(ObjectRef object) {
        boolean hasEtag = object.etag() != null && !object.etag().isBlank();
        boolean hasVersion = object.versionId() != null && !object.versionId().isBlank()
                && !"null".equals(object.versionId());
        if (!hasEtag && !hasVersion) {
            throw new IllegalArgumentException("an import needs the object's etag or version id");
        }
        return of(object.bucket(), object.key(), hasEtag ? "e:" + normaliseEtag(object.etag())
                : "v:" + object.versionId());
    }

    private static String of(String bucket, String key, String contentTag) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            // NUL separators: no bucket/key split can collide with another
            sha256.update((bucket + '\0' + key + '\0' + contentTag).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha256.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** Stores and notifications disagree on quoting the etag: {@code "abc"} and {@code abc} are one etag. */
    static String normaliseEtag(String etag) {
        String tag = etag.trim();
        if (tag.startsWith("\"") && tag.endsWith("\"") && tag.length() >= 2) {
            tag = tag.substring(1, tag.length() - 1);
        }
        return tag.toLowerCase();
    }
}
