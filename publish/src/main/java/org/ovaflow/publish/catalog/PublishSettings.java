package org.ovaflow.publish.catalog;

import java.time.Duration;
import java.util.Locale;

/**
 * How the publish stage treats what is already there, and what it keeps.
 *
 * @param onConflict what other content for a published (or retracted) version does
 * @param keepOva    whether the original OVA is copied into the entry (role {@code ova})
 * @param indexExpiry how long the catalog's signed root index is valid after it was written
 *                    ({@code ovaflow.publish.index-expiry}): consumers refuse it once expired, and the stage writes
 *                    it again once half of that passed
 */
public record PublishSettings(OnConflict onConflict, boolean keepOva, Duration indexExpiry) {

    /** The shortest lifetime of the signed root: the stage rewrites it every eighth of it, at least a minute apart. */
    public static final Duration MIN_INDEX_EXPIRY = Duration.ofMinutes(2);

    public static final PublishSettings DEFAULTS = new PublishSettings(OnConflict.REJECT, true);

    public PublishSettings {
        if (indexExpiry == null || indexExpiry.compareTo(MIN_INDEX_EXPIRY) < 0) {
            throw new IllegalArgumentException("ovaflow.publish.index-expiry must be at least 2 minutes, not "
                    + indexExpiry);
        }
    }

    /** With the index's default expiry ({@link CatalogIndex#DEFAULT_EXPIRY}). */
    public PublishSettings(OnConflict onConflict, boolean keepOva) {
        this(onConflict, keepOva, CatalogIndex.DEFAULT_EXPIRY);
    }

    /** {@code ovaflow.publish.on-conflict}. */
    public enum OnConflict {
        /** The import is rejected ({@code catalog.version-conflict}); the entry stays as it is. */
        REJECT,
        /** The import's content becomes the entry; the old entry's files are removed after the commit. */
        REPLACE;

        public static OnConflict parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ovaflow.publish.on-conflict must be reject or replace, not '"
                        + text + "'", e);
            }
        }
    }

    /** From the values of {@code ovaflow.publish.on-conflict} and {@code ovaflow.publish.keep-ova}. */
    public static PublishSettings parse(String onConflict, String keepOva) {
        return parse(onConflict, keepOva, null);
    }

    /**
     * From the values of {@code ovaflow.publish.on-conflict}, {@code ovaflow.publish.keep-ova} and
     * {@code ovaflow.publish.index-expiry} (an ISO-8601 duration such as {@code P7D} or {@code PT12H}, or a number
     * with a unit: {@code 7d}, {@code 12h}, {@code 30m}; null or blank: 7 days).
     */
    public static PublishSettings parse(String onConflict, String keepOva, String indexExpiry) {
        String keep = keepOva.trim().toLowerCase(Locale.ROOT);
        if (!keep.equals("true") && !keep.equals("false")) {
            throw new IllegalArgumentException("ovaflow.publish.keep-ova must be true or false, not '" + keepOva + "'");
        }
        return new PublishSettings(OnConflict.parse(onConflict), Boolean.parseBoolean(keep), expiry(indexExpiry));
    }

    /** A value of {@code ovaflow.publish.index-expiry} ({@code 7d}, {@code 12h}, {@code 30m} or {@code P7D}). */
    public static Duration expiry(String text) {
        if (text == null || text.isBlank()) {
            return CatalogIndex.DEFAULT_EXPIRY;
        }
        String value = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("p")) {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            }
            long amount = Long.parseLong(value.substring(0, value.length() - 1));
            return switch (value.charAt(value.length() - 1)) {
                case 'd' -> Duration.ofDays(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'm' -> Duration.ofMinutes(amount);
                default -> throw new NumberFormatException("no unit");
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("ovaflow.publish.index-expiry must be a duration such as 7d, 12h, 30m "
                    + "or P7D, not '" + text + "'", e);
        }
    }
}
