package org.ovaflow.disk;

/** Byte counts as operators read them: "4 GiB", "1.5 MiB (1572864 bytes)". */
public final class Sizes {

    private static final String[] UNITS = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Sizes() {
    }

    public static String readable(long bytes) {
        int unit = 0;
        while (unit + 1 < UNITS.length && bytes >= 1L << (10 * (unit + 1))) {
            unit++;
        }
        if (unit == 0) {
            return bytes + " bytes";
        }
        long whole = 1L << (10 * unit);
        if (bytes % whole == 0) {
            return bytes / whole + " " + UNITS[unit];
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s (%d bytes)", (double) bytes / whole, UNITS[unit], bytes);
    }
}
