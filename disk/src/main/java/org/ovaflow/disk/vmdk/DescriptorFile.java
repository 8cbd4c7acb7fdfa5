package org.ovaflow.disk.vmdk;

import org.ovaflow.disk.InvalidDiskImageException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a VMDK descriptor says (a text file of its own, or embedded in a sparse extent): its create type, the
 * parent it is a delta of, if any, and its extents in order.
 */
record DescriptorFile(String createType, String parentCid, String parentFileNameHint, List<Extent> extents) {

    /** A descriptor file is a few hundred bytes; VMware caps the embedded ones at about 10 KiB. */
    static final int MAX_BYTES = 64 * 1024;
    static final String SIGNATURE = "# Disk DescriptorFile";
    /** The parentCID of a disk that has no parent. */
    static final String NO_PARENT = "ffffffff";

    private static final Pattern EXTENT = Pattern.compile(
            "(RW|RDONLY|NOACCESS)\\s+(\\d{1,19})\\s+([A-Za-z]+)(?:\\s+\"([^\"]*)\"(?:\\s+(\\d{1,19}))?)?(?:\\s+.*)?");
    private static final Pattern SETTING = Pattern.compile("([A-Za-z][A-Za-z0-9_.]*)\\s*=\\s*(.*)");
    /** Create types of disks that are not images of their own: raw devices, ESX snapshots. */
    private static final Set<String> UNSUPPORTED_TYPES = Set.of("vmfssparse", "sesparse", "vmfsrdm", "vmfsrdmp",
            "vmfsraw", "vmfspassthroughrawdevicemap", "fulldevice", "partitioneddevice");

    /** One extent line: {@code access sectors type ["file" [offset]]}. */
    record Extent(String access, long sectors, String type, String file, long offset) {
    }

    /** Parses the descriptor's text: up to its first NUL (embedded descriptors are zero-padded). */
    static DescriptorFile parse(byte[] bytes, int length, String file) throws InvalidDiskImageException {
        int end = 0;
        while (end < length && bytes[end] != 0) {
            end++;
        }
        String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
        String createType = null;
        String parentCid = null;
        String parentHint = null;
        List<Extent> extents = new ArrayList<>();
        for (String raw : text.split("\r?\n|\r")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher extent = EXTENT.matcher(line);
            if (extent.matches()) {
                extents.add(extent(extent, line, file));
                continue;
            }
            Matcher setting = SETTING.matcher(line);
            if (!setting.matches()) {
                throw new InvalidDiskImageException("disk.vmdk.descriptor", file + ": descriptor line '" + shorten(line)
                        + "' is neither a setting nor an extent");
            }
            String value = unquote(setting.group(2).strip());
            switch (setting.group(1)) {
                case "createType" -> createType = value;
                case "parentCID" -> parentCid = value;
                case "parentFileNameHint" -> parentHint = value;
                default -> {
                    // the disk database (ddb.*), CID, version, encoding: nothing a reader needs
                }
            }
        }
        return new DescriptorFile(createType, parentCid, parentHint, List.copyOf(extents));
    }

    /** Refuses delta disks (they need their parent) and raw-device or snapshot create types. */
    void checkStandalone(String file) throws InvalidDiskImageException {
        if ((parentCid != null && !parentCid.equalsIgnoreCase(NO_PARENT)) || parentFileNameHint != null) {
            throw new InvalidDiskImageException("disk.vmdk.parent", file + " is a differencing disk (parentCID="
                    + parentCid + (parentFileNameHint == null ? "" : ", parent " + shorten(parentFileNameHint))
                    + "); only standalone disks can be converted");
        }
        if (createType != null && UNSUPPORTED_TYPES.contains(createType.toLowerCase(Locale.ROOT))) {
            throw new InvalidDiskImageException("disk.vmdk.unsupported", file + " has createType \"" + shorten(createType)
                    + "\", which is not supported");
        }
    }

    private static Extent extent(Matcher m, String line, String file) throws InvalidDiskImageException {
        try {
            long sectors = Long.parseLong(m.group(2));
            long offset = m.group(5) == null ? 0 : Long.parseLong(m.group(5));
            return new Extent(m.group(1), sectors, m.group(3).toUpperCase(Locale.ROOT), m.group(4), offset);
        } catch (NumberFormatException e) {
            throw new InvalidDiskImageException("disk.vmdk.descriptor", file + ": extent line '" + shorten(line)
                    + "' has a number out of range");
        }
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    /** Descriptor text is the image's, not ours: keep what goes into messages short. */
    static String shorten(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "…";
    }
}
