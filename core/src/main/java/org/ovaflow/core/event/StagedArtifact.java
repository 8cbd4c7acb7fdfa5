package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Base64;

/**
 * A file the transcode stage made ready for publication: a disk, the descriptor or the manifest, with its size and
 * sha256. Either staged (put in the staging bucket, which publish copies from) or, for a small file, carried in the
 * event itself ({@code content}), which publish writes: a descriptor or a manifest staged cost a PUT and a copy, two
 * of the store's requests for every few kilobytes.
 *
 * @param role        {@code disk}, {@code descriptor}, {@code manifest}, {@code certificate}, {@code file} (another
 *                    file of the package) or {@code platform} (a platform profile's file beside the package: Glance,
 *                    EC2)
 * @param name        the file name it is published under
 * @param bucket      the staging bucket
 * @param key         its key in staging (for a file carried in the event, the key it would have had: the staging
 *                    folder of the import is the same for all)
 * @param format      the disk format URI or short name, for disks
 * @param target      the disk format or platform profile this file belongs to ({@code qcow2}, {@code vhd},
 *                    {@code vmware}, …), published under a folder of that name; null for the package's original files
 * @param etag        the staged object's etag as the store answered its upload: publish copies exactly that object
 *                    (and spares a HEAD of it); null in events from before it was recorded, and when carried
 * @param contentType the media type it is published with, when carried
 * @param content     its bytes, base64, when carried in the event (at most {@link #CARRIED_MAX} bytes; null when staged)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StagedArtifact(String role, String name, String bucket, String key, long size, String sha256,
                             String format, String target, String etag, String contentType, String content) {

    /** The largest file carried in an event rather than staged. */
    public static final int CARRIED_MAX = 64 * 1024;
    /** The most bytes of files one event carries, all its files together: far below Kafka's 1 MiB records. */
    public static final int CARRIED_PER_EVENT = 256 * 1024;

    /** A staged file. */
    public StagedArtifact(String role, String name, String bucket, String key, long size, String sha256,
                          String format, String target, String etag) {
        this(role, name, bucket, key, size, sha256, format, target, etag, null, null);
    }

    /** A file carried in the event: {@code bytes} as they are to be published. */
    public static StagedArtifact carried(String role, String name, String bucket, String key, String sha256,
                                         String format, String target, String contentType, byte[] bytes) {
        return new StagedArtifact(role, name, bucket, key, bytes.length, sha256, format, target, null, contentType,
                Base64.getEncoder().encodeToString(bytes));
    }

    /** Whether the file travels in the event (else it is in staging). */
    public boolean carriesContent() {
        return content != null;
    }

    /**
     * The bytes of a file carried in the event, checked against the size and sha256 it names (which the catalog
     * records of the file).
     *
     * @throws IllegalArgumentException when the content is not base64, or not those bytes
     */
    public byte[] decodedContent() {
        if (content == null) {
            throw new IllegalStateException(name + " is staged at " + key + ", not carried in the event");
        }
        return CarriedBytes.decode(name, content, size, sha256);
    }

    /** This artifact without the bytes it carries (and their media type): what events after publication say of it. */
    public StagedArtifact withoutContent() {
        return content == null ? this
                : new StagedArtifact(role, name, bucket, key, size, sha256, format, target, etag, null, null);
    }
}
