package org.ovaflow.publish.catalog;

import java.time.Duration;
import java.util.Locale;

/**
 * Which versions of each product the catalog keeps ({@code ovaflow.publish.retention.*}): the {@code keepVersions}
 * latest available ones (0: no limit by count) and/or those published less than {@code maxAge} ago (null: no limit by
 * age); a version either rule keeps is kept, and so is the latest available one, always. With neither rule every
 * version is kept (the default). A pruned version's files are removed {@code grace} after it was pruned.
 */
public record RetentionPolicy(int keepVersions, Duration maxAge, Duration grace) {

    public static final Duration DEFAULT_GRACE = Duration.ofDays(7);
    public static final RetentionPolicy KEEP_ALL = new RetentionPolicy(0, null, DEFAULT_GRACE);

    public RetentionPolicy {
        if (keepVersions < 0) {
            throw new IllegalArgumentException("keep-versions must be 0 (no limit) or more, not " + keepVersions);
        }
        if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
            throw new IllegalArgumentException("max-age must be positive, not " + maxAge);
        }
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace must be 0 or more, not " + grace);
        }
    }

    /** Whether any version may be pruned at all. */
    public boolean prunes() {
        return keepVersions > 0 || maxAge != null;
    }

    /** What the policy keeps, in words (a pruned version's reason says which rule it fell out of). */
    public String describe() {
        if (!prunes()) {
            return "every version kept";
        }
        String count = keepVersions > 0 ? "the " + keepVersions + " latest available versions" : null;
        String age = maxAge != null ? "versions published within " + text(maxAge) : null;
        return "keeps " + (count == null ? age : age == null ? count : count + " and " + age)
                + " and the latest";
    }

    /**
     * A duration as the settings give it: a number with a unit ({@code 30d}, {@code 12h}, {@code 45m}, {@code 0})
     * or ISO-8601 ({@code P30D}).
     */
    public static Duration duration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.equals("0")) {
            return Duration.ZERO;
        }
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
            throw new IllegalArgumentException("expected a duration such as 30d, 12h, 45m or P30D", e);
        }
    }

    private static String text(Duration duration) {
        if (duration.toHours() % 24 == 0 && duration.toDays() > 0 && duration.equals(Duration.ofDays(duration.toDays()))) {
            return duration.toDays() + "d";
        }
        return duration.toString();
    }
}
