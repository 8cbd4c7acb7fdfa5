package org.ovaflow.publish.feed;

import java.util.Optional;

/** The two feed formats served, with Rome's name for each, its media type and its file extension. */
public enum FeedFormat {

    RSS("rss_2.0", "application/rss+xml", "rss"),
    ATOM("atom_1.0", "application/atom+xml", "atom");

    private final String romeType;
    private final String mediaType;
    private final String extension;

    FeedFormat(String romeType, String mediaType, String extension) {
        this.romeType = romeType;
        this.mediaType = mediaType;
        this.extension = extension;
    }

    /** The feed type Rome writes and reads ({@code rss_2.0}, {@code atom_1.0}). */
    public String romeType() {
        return romeType;
    }

    /** The Content-Type to serve it with. */
    public String mediaType() {
        return mediaType;
    }

    public String extension() {
        return extension;
    }

    /** The format a file extension names ({@code rss} or {@code atom}). */
    public static Optional<FeedFormat> byExtension(String extension) {
        for (FeedFormat format : values()) {
            if (format.extension.equals(extension)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }
}
