package org.ovaflow.core.event;

import org.ovaflow.core.ova.PackageForm;

import java.text.Normalizer;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Names in the catalog that more than one stage makes: slugs, and the original OVA kept in its entry
 * ({@code ovaflow.publish.keep-ova}), which the transcode stage copies into the import's folder while the disks
 * convert (the store's copy then overlaps the conversion instead of following it) and the publish stage copies
 * when transcode did not: both name it here.
 */
public final class CatalogNames {

    /** The kept OVA's role in appliance.json and in the events. */
    public static final String KEPT_OVA_ROLE = "ova";

    private static final int MAX_SLUG = 64;

    private CatalogNames() {
    }

    /**
     * The kept OVA's file name: the uploaded file's name without extension, as a slug, with {@code .ova}; prefixed
     * {@code original-} when the entry has another file of that name in the same folder ({@code taken}, which
     * should compare names case-insensitively, as a download's file system may).
     */
    public static String keptOva(ImportEvent event, Predicate<String> taken) {
        String name = slug(PackageForm.stem(event.source().fileName()), "appliance") + ".ova";
        return taken.test(name) ? "original-" + name : name;
    }

    /**
     * {@code text} as a stable name of the catalog: lower-case ASCII letters, digits, '.', '_' and '-', at most 64
     * characters, never '.', '..' or empty ({@code fallback} then), so that no descriptor can steer a write outside
     * its own folder.
     */
    public static String slug(String text, String fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        String ascii = Normalizer.normalize(text, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
        String slug = ascii.toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9._-]+", "-")
                .replaceAll("-{2,}", "-")
                .replaceAll("^[-.]+|[-.]+$", "");
        if (slug.length() > MAX_SLUG) {
            slug = slug.substring(0, MAX_SLUG).replaceAll("[-.]+$", "");
        }
        return slug.isEmpty() || slug.matches("\\.+") ? fallback : slug;
    }
}
