package org.ovaflow.validate.ovf;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte multipliers of DSP0004 programmatic units ("byte * 2^30", "byte*2^20", "byte * 1024") and of the named
 * units some producers write instead ("MegaBytes" from VirtualBox, taken as binary like every importer does).
 */
public final class AllocationUnits {

    private static final Pattern PROGRAMMATIC =
            Pattern.compile("bytes?(?:\\s*\\*\\s*(\\d+)(?:\\s*\\^\\s*(\\d+))?)?");

    private AllocationUnits() {
    }

    /** Bytes per unit; "byte" when the descriptor names no unit; empty when the unit is not understood. */
    public static OptionalLong bytesPerUnit(String units) {
        if (units == null || units.isBlank()) {
            return OptionalLong.of(1);
        }
        String normalized = units.trim().toLowerCase(Locale.ROOT);
        switch (normalized) {
            case "kilobytes", "kb", "kib": return OptionalLong.of(1L << 10);
            case "megabytes", "mb", "mib": return OptionalLong.of(1L << 20);
            case "gigabytes", "gb", "gib": return OptionalLong.of(1L << 30);
            case "terabytes", "tb", "tib": return OptionalLong.of(1L << 40);
            default: break;
        }
        Matcher m = PROGRAMMATIC.matcher(normalized);
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        if (m.group(1) == null) {
            return OptionalLong.of(1);
        }
        try {
            long base = Long.parseLong(m.group(1));
            int exponent = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
            long result = 1;
            for (int i = 0; i < exponent; i++) {
                result = Math.multiplyExact(result, base);
            }
            return OptionalLong.of(result);
        } catch (ArithmeticException | NumberFormatException tooLarge) {
            return OptionalLong.empty();
        }
    }

    /**
     * amount × unit in bytes; null when the amount is missing or negative (the descriptor said something that is
     * not a size, e.g. a ${property} reference), the unit is not understood, or the product overflows a long.
     */
    public static Long toBytes(Long amount, String units) {
        OptionalLong multiplier = bytesPerUnit(units);
        if (amount == null || amount < 0 || multiplier.isEmpty()) {
            return null;
        }
        try {
            return Math.multiplyExact(amount, multiplier.getAsLong());
        } catch (ArithmeticException overflow) {
            return null;
        }
    }
}
