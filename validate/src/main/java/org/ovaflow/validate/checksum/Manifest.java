package org.ovaflow.validate.checksum;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OVF manifest (.mf): one line per file, {@code SHA256(disk1.vmdk)= 3f…}. DSP0243 allows SHA1 and SHA256;
 * SHA512 is accepted too since ovftool writes it. Spacing varies between tools ({@code SHA1 (f) = x}), so
 * whitespace around the parentheses and the equals sign is tolerated; anything else on a line is an error.
 */
public record Manifest(String fileName, List<Line> lines, List<String> errors, List<String> spellings) {

    /** Manifests are a few lines per file; anything much larger is not a manifest. */
    public static final int MAX_BYTES = 1 << 20;

    /** The algorithms a manifest may name, as written there, mapped to JCA names by {@link #jcaName}. */
    public static final Set<String> ALGORITHMS = Set.of("SHA1", "SHA256", "SHA512");

    private static final Pattern LINE = Pattern.compile("^\\s*([A-Za-z0-9-]+)\\s*\\((.+)\\)\\s*=\\s*([0-9A-Fa-f]+)\\s*$");

    /** One digest the manifest states. Hex is kept lower-case. */
    public record Line(int number, String algorithm, String file, String digest) {
    }

    /** The spellings tools write, as {@link #spellings} names them. */
    static final String COMPACT = "ALG(file)= hex, as ovftool and VirtualBox write it";
    static final String SPACED = "ALG (file) = hex, as sha256sum --tag and BSD tools write it";
    static final String UPPER_CASE_HEX = "upper-case hex";
    static final String CRLF = "CRLF line ends";

    public static Manifest parse(String fileName, String text) {
        List<Line> lines = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Set<String> spellings = new java.util.LinkedHashSet<>();
        if (text.contains("\r\n")) {
            spellings.add(CRLF);
        }
        String[] rows = text.split("\r?\n", -1);
        for (int i = 0; i < rows.length; i++) {
            String row = rows[i];
            if (row.isBlank()) {
                continue;
            }
            Matcher m = LINE.matcher(row);
            if (!m.matches()) {
                errors.add("line " + (i + 1) + " is not 'ALGORITHM(file)= hex': " + abbreviate(row));
                continue;
            }
            String algorithm = m.group(1).toUpperCase(Locale.ROOT).replace("-", "");
            String digest = m.group(3).toLowerCase(Locale.ROOT);
            String file = m.group(2).trim();
            if (file.isEmpty()) {
                // "SHA1(\0\0)= …": nothing a tar entry can be named after trimming control characters
                errors.add("line " + (i + 1) + " names no file: " + abbreviate(row));
            } else if (!ALGORITHMS.contains(algorithm)) {
                errors.add("line " + (i + 1) + " names algorithm " + m.group(1) + ", not one of " + ALGORITHMS);
            } else if (digest.length() != hexLength(algorithm)) {
                errors.add("line " + (i + 1) + ": a " + algorithm + " digest has " + hexLength(algorithm)
                        + " hex digits, this one " + digest.length());
            } else {
                lines.add(new Line(i + 1, algorithm, file, digest));
                spellings.add(m.end(1) == m.start(2) - 1 ? COMPACT : SPACED);
                if (!m.group(3).equals(digest)) {
                    spellings.add(UPPER_CASE_HEX);
                }
            }
        }
        return new Manifest(fileName, List.copyOf(lines), List.copyOf(errors), List.copyOf(spellings));
    }

    public Set<String> algorithms() {
        Set<String> used = new java.util.TreeSet<>();
        lines.forEach(l -> used.add(l.algorithm()));
        return used;
    }

    /** The name {@link java.security.MessageDigest} knows the manifest's algorithm by. */
    public static String jcaName(String algorithm) {
        return switch (algorithm) {
            case "SHA1" -> "SHA-1";
            case "SHA256" -> "SHA-256";
            case "SHA512" -> "SHA-512";
            default -> throw new IllegalArgumentException("unsupported manifest algorithm " + algorithm);
        };
    }

    private static int hexLength(String algorithm) {
        return switch (algorithm) {
            case "SHA1" -> 40;
            case "SHA256" -> 64;
            default -> 128;
        };
    }

    private static String abbreviate(String row) {
        return row.length() <= 80 ? row : row.substring(0, 77) + "...";
    }
}
