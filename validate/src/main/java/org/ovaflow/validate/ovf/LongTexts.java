package org.ovaflow.validate.ovf;

import org.ovaflow.core.event.ApplianceMetadata;

import java.util.Collection;
import java.util.LinkedHashSet;

/**
 * The budget of free text (annotations and EULAs) that the virtual systems of one descriptor may put into the
 * metadata: each text is cut to its own limit, and all of them together to {@link #MAX_TOTAL} characters, so a
 * descriptor of a thousand systems with a long EULA each still makes an event that fits in a Kafka record.
 */
final class LongTexts {

    static final int MAX_TOTAL = 64 * 1024;

    private int left = MAX_TOTAL;

    /** {@code text} cut to {@code max} and to what is left of the budget; null stays null. */
    String take(String text, int max) {
        if (text == null) {
            return null;
        }
        String kept = ApplianceMetadata.cut(text, Math.min(max, left));
        left -= Math.min(left, kept.length());
        return kept;
    }

    /**
     * The distinct texts joined by a blank line, built no longer than {@code max} + 1 characters (the record cuts
     * the rest and marks it); null when there are none.
     */
    static String join(Collection<String> texts, int max) {
        StringBuilder joined = new StringBuilder();
        for (String text : new LinkedHashSet<>(texts)) {
            if (!joined.isEmpty()) {
                joined.append("\n\n");
            }
            int room = max + 1 - joined.length();
            if (room <= 0) {
                break;
            }
            joined.append(text, 0, Math.min(text.length(), room));
        }
        return joined.isEmpty() ? null : joined.toString();
    }
}
