package org.ovaflow.publish.catalog;

import java.util.Locale;

/**
 * How the publish stage treats what is already there, and what it keeps.
 *
 * @param onConflict what other content for a published (or retracted) version does
 * @param keepOva    whether the original OVA is copied into the entry (role {@code ova})
 */
public record PublishSettings(OnConflict onConflict, boolean keepOva) {

    public static final PublishSettings DEFAULTS = new PublishSettings(OnConflict.REJECT, true);

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
        String keep = keepOva.trim().toLowerCase(Locale.ROOT);
        if (!keep.equals("true") && !keep.equals("false")) {
            throw new IllegalArgumentException("ovaflow.publish.keep-ova must be true or false, not '" + keepOva + "'");
        }
        return new PublishSettings(OnConflict.parse(onConflict), Boolean.parseBoolean(keep));
    }
}
