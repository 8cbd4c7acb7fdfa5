package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CatalogNames;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ProductOverrides;
import org.ovaflow.core.ova.PackageForm;

/**
 * Where an appliance lives in the catalog: {@code <vendor>/<product>/<version>/}, each part a stable slug
 * (lower-case ASCII letters, digits, '.', '_' and '-'; never '.', '..' or empty), so no descriptor can
 * steer a write outside its own folder.
 *
 * <p>Vendor, product and version an uploader gave with the object ({@code ovaflow onboard}'s catalog overrides)
 * win over the descriptor's. Fallbacks when the ProductSection is silent: vendor {@code unknown-vendor}; product the appliance's
 * name, else the OVA's file name without extension; version {@code unversioned-<importId>}, so two
 * unversioned uploads of different content never collide.
 */
public record CatalogPath(String vendor, String product, String version) {

    public static CatalogPath of(ImportEvent event) {
        ApplianceMetadata appliance = event.appliance();
        ProductOverrides given = event.overrides();
        String fileStem = PackageForm.stem(event.source().fileName());
        return new CatalogPath(
                firstSlug("unknown-vendor", given == null ? null : given.vendor(),
                        appliance == null ? null : appliance.vendor()),
                firstSlug("unnamed-appliance", given == null ? null : given.product(),
                        appliance == null ? null : appliance.product(), appliance == null ? null : appliance.name(),
                        fileStem),
                firstSlug("unversioned-" + event.importId(), given == null ? null : given.version(),
                        appliance == null ? null : appliance.version()));
    }

    /** The slug of the first candidate that has one (a name in another script may slug to nothing), else the fallback. */
    private static String firstSlug(String fallback, String... candidates) {
        for (String candidate : candidates) {
            String slug = slug(candidate, "");
            if (!slug.isEmpty()) {
                return slug;
            }
        }
        return fallback;
    }

    /** The folder of this version, with a trailing slash. */
    public String prefix() {
        return vendor + "/" + product + "/" + version + "/";
    }

    static String slug(String text, String fallback) {
        return CatalogNames.slug(text, fallback);
    }

}
