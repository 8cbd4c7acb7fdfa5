package org.ovaflow.validate.disk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a VMDK descriptor (a text file, or embedded in a sparse extent) that decide what the disk is made
 * of: its extents, their sizes and files, and the parent of a delta disk.
 *
 * @param virtualSize the sum of the extents' sizes in bytes; null when the text is defective
 * @param defect      why the text is no descriptor (a line that is neither a setting nor an extent, numbers
 *                    out of range); null when it reads
 */
record VmdkDescriptor(Long virtualSize, int extents, List<DiskReference> references, String defect) {

    static final String SIGNATURE = "# Disk DescriptorFile";
    /** The longest file name a package may hold (the checksum stage's tar.entry-name limit). */
    private static final int MAX_EXTENT_NAME = 255;
    /** The parentCID of a disk without a parent. */
    private static final String NO_PARENT = "ffffffff";

    // access, size in sectors, type, then for the types that have one a quoted file name and an offset
    private static final Pattern EXTENT =
            Pattern.compile("(RW|RDONLY|NOACCESS)\\s+(\\d+)\\s+([A-Za-z]+)(?:\\s+\"([^\"]*)\"(?:\\s+\\d+)?)?\\s*");
    private static final Pattern SETTING = Pattern.compile("([A-Za-z][A-Za-z0-9_.:]*)\\s*=\\s*(.*)");

    /** Parses {@code bytes[from, to)} up to the first NUL (embedded descriptors are padded with zeros). */
    static VmdkDescriptor parse(byte[] bytes, int from, int to, boolean embedded) {
        String text = textUpToNul(bytes, from, to);
        long sectors = 0;
        int extents = 0;
        String parentCid = null;
        String parentHint = null;
        List<DiskReference> references = new ArrayList<>();
        int number = 0;
        for (String raw : text.split("\r?\n|\r")) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher extent = EXTENT.matcher(line);
            if (extent.matches()) {
                long size = parseSectors(extent.group(2));
                if (size < 0 || size > Long.MAX_VALUE / 512 - sectors) {
                    return defective("extent on line " + number + " has a size of " + HeaderText.printable(
                            extent.group(2)) + " sectors, out of range");
                }
                sectors += size;
                extents++;
                if (extent.group(4) != null && references.size() < DiskHeader.MAX_REFERENCES) {
                    // kept whole up to the longest tar name, so it can be compared with the package's names
                    references.add(new DiskReference(DiskReference.Kind.VMDK_EXTENT,
                            HeaderText.printable(extent.group(4), MAX_EXTENT_NAME), embedded));
                }
                continue;
            }
            Matcher setting = SETTING.matcher(line);
            if (!setting.matches()) {
                return defective("line " + number + " ('" + HeaderText.printable(line)
                        + "') is neither a setting nor an extent");
            }
            String value = unquote(setting.group(2).strip());
            switch (setting.group(1)) {
                case "parentCID" -> parentCid = value;
                case "parentFileNameHint" -> parentHint = value;
                default -> {
                    // version, CID, createType, the disk database: nothing that reaches outside the file
                }
            }
        }
        if (parentHint != null) {
            references.add(0, new DiskReference(DiskReference.Kind.VMDK_PARENT,
                    "(parentFileNameHint=" + HeaderText.printable(parentHint) + ")", embedded));
        } else if (parentCid != null && !parentCid.equalsIgnoreCase(NO_PARENT)) {
            references.add(0, new DiskReference(DiskReference.Kind.VMDK_PARENT,
                    "(parentCID=" + HeaderText.printable(parentCid) + ")", embedded));
        }
        return new VmdkDescriptor(sectors * 512, extents, references, null);
    }

    private static VmdkDescriptor defective(String defect) {
        return new VmdkDescriptor(null, 0, List.of(), defect);
    }

    private static String textUpToNul(byte[] bytes, int from, int to) {
        int end = from;
        while (end < to && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, from, end - from, StandardCharsets.UTF_8);
    }

    /** The sectors of an extent line, -1 when the number does not fit a long. */
    private static long parseSectors(String digits) {
        if (digits.length() > 19) {
            return -1;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
