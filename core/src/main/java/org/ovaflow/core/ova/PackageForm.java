package org.ovaflow.core.ova;

import java.util.Locale;

/**
 * How an import's object holds its package, read from the object's name: a plain OVA (a tar), an OVA compressed
 * with gzip or xz, or the descriptor of an unpacked OVF package whose files lie beside it under the same prefix
 * (as ovftool writes its "OVF" target). Only a plain OVA has the tar offsets the later stages read at; the
 * checksum stage makes one of the others.
 */
public enum PackageForm {
    OVA(".ova"), OVA_GZIP(".ova.gz"), OVA_XZ(".ova.xz"), UNPACKED(".ovf");

    private final String suffix;

    PackageForm(String suffix) {
        this.suffix = suffix;
    }

    /** The form of the object named {@code fileName}: a name none of the suffixes ends is taken for a plain OVA. */
    public static PackageForm of(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        for (PackageForm form : values()) {
            if (form != OVA && lower.endsWith(form.suffix)) {
                return form;
            }
        }
        return OVA;
    }

    /** Whether the later stages can read this form at tar offsets as it is. */
    public boolean plain() {
        return this == OVA;
    }

    /**
     * The name without the form's suffix ({@code appliance.ova.gz}, {@code appliance.ovf} → {@code appliance});
     * for a plain OVA without its last extension, whatever it is.
     */
    public static String stem(String fileName) {
        PackageForm form = of(fileName);
        if (form == OVA) {
            return fileName.replaceFirst("\\.[^.]*$", "");
        }
        return fileName.substring(0, fileName.length() - form.suffix.length());
    }
}
