package org.ovaflow.publish.feed;

/**
 * Makes metadata from uploaded descriptors safe for a feed. XML 1.0 cannot carry most control characters
 * at all (not even escaped), so they are dropped; names are cut to a readable length; and since feed readers
 * render descriptions (and many, titles) as HTML, markup from a descriptor must never reach them as markup.
 */
final class FeedText {

    /** A title or a name in a sentence: enough to tell appliances apart. */
    static final int MAX_NAME = 200;
    /** A paragraph of release notes or a retraction reason. */
    static final int MAX_TEXT = 2000;

    private FeedText() {
    }

    /**
     * {@code text} with only characters XML 1.0 allows and that display (no C0/C1 controls, no lone surrogates, no
     * U+FFFE/U+FFFF), whitespace runs folded into one space, at most {@code max} code points (an ellipsis marks a
     * cut); null stays null.
     */
    static String clean(String text, int max) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max));
        int kept = 0;
        boolean space = false;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = out.length() > 0;
                continue;
            }
            if (!displayable(c)) {
                continue;
            }
            if (kept + (space ? 1 : 0) >= max) {
                out.append('…');
                return out.toString();
            }
            if (space) {
                out.append(' ');
                kept++;
                space = false;
            }
            out.appendCodePoint(c);
            kept++;
        }
        return out.toString();
    }

    /**
     * A title: {@link #clean} without angle brackets, so that a reader that takes RSS titles for HTML (many do)
     * finds no tag in it.
     */
    static String title(String text, int max) {
        return clean(text.replace("<", "").replace(">", ""), max);
    }

    /** {@code text}, cleaned, as HTML text: every character that could open markup or end an attribute escaped. */
    static String html(String text, int max) {
        String cleaned = clean(text, max);
        StringBuilder out = new StringBuilder(cleaned.length() + 16);
        for (char c : cleaned.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean displayable(int c) {
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            return false; // C0 (XML forbids them) and C1 controls
        }
        if (Character.getType(c) == Character.SURROGATE) {
            return false; // a lone half of a pair: not a character at all
        }
        // U+FFFE, U+FFFF and the other noncharacters; XML forbids the first two
        return !((c & 0xfffe) == 0xfffe || (c >= 0xfdd0 && c <= 0xfdef));
    }
}
