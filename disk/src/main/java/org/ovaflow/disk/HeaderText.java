package org.ovaflow.disk;

import java.nio.charset.Charset;

/** Text taken from an image's header goes into messages: made printable and short, whatever the bytes were. */
public final class HeaderText {

    public static final int MAX_CHARS = 120;

    private HeaderText() {
    }

    /** The bytes up to the first NUL (or {@code to}), decoded, escaped and cut short. */
    public static String of(byte[] bytes, int from, int to, Charset charset) {
        int end = from;
        while (end < to && bytes[end] != 0) {
            end++;
        }
        return printable(new String(bytes, from, end - from, charset));
    }

    /** Like {@link #of} for UTF-16 text, which ends at its first NUL character (two zero bytes). */
    public static String ofUtf16(byte[] bytes, int from, int to, Charset charset) {
        int end = from;
        while (end + 1 < to && (bytes[end] != 0 || bytes[end + 1] != 0)) {
            end += 2;
        }
        return printable(new String(bytes, from, end - from, charset));
    }

    /** Control characters escaped, at most {@value #MAX_CHARS} characters. */
    public static String printable(String text) {
        return printable(text, MAX_CHARS);
    }

    /** Control characters escaped, at most {@code max} characters. */
    public static String printable(String text, int max) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        for (; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return i < text.length() ? out + "…" : out.toString();
    }
}
