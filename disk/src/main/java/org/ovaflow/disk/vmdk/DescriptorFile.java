package org.ovaflow.disk.vmdk;

import org.ovaflow.disk.DiskFormat;
import org.ovaflow.disk.DiskHeader;
import org.ovaflow.disk.DiskHeaders;
import org.ovaflow.disk.DiskReference;
import org.ovaflow.disk.HeaderText;
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
 * parent it is a delta of, if any, and its extents in order. The one parser of descriptors: the reader's, and
 * the header probe's ({@link #probe}), which names the files the descriptor reaches for.
 */
public record DescriptorFile(String createType, String parentCid, String parentFileNameHint, List<Extent> extents) {

    /** A descriptor file is a few hundred bytes; VMware caps the embedded ones at about 10 KiB. */
    static final int MAX_BYTES = 64 * 1024;
    static final String SIGNATURE = "# Disk DescriptorFile";
    /** The parentCID of a disk that has no parent. */
    static final String NO_PARENT = "ffffffff";

    /** The longest file name a package may hold (the checksum stage's tar.entry-name limit). */
    private static final int MAX_EXTENT_NAME = 255;

    // access, size in sectors, type, then for the types that have one a quoted file name and an offset
    private static final Pattern EXTENT = Pattern.compile(
            "(RW|RDONLY|NOACCESS)\\s+(\\d+)\\s+([A-Za-z]+)(?:\\s+\"([^\"]*)\"(?:\\s+(\\d+))?)?(?:\\s+.*)?");
    private static final Pattern SETTING = Pattern.compile("([A-Za-z][A-Za-z0-9_.:]*)\\s*=\\s*(.*)");
    /** Create types of disks that are not images of their own: raw devices, ESX snapshots. */
    private static final Set<String> UNSUPPORTED_TYPES = Set.of("vmfssparse", "sesparse", "vmfsrdm", "vmfsrdmp",
            "vmfsraw", "vmfspassthroughrawdevicemap", "fulldevice", "partitioneddevice");

    /** One extent line: {@code access sectors type ["file" [offset]]}. */
    record Extent(String access, long sectors, String type, String file, long offset) {
    }

    /** Parses the descriptor's text: up to its first NUL (embedded descriptors are zero-padded). */
    static DescriptorFile parse(byte[] bytes, int length, String file) throws InvalidDiskImageException {
        return parse(bytes, 0, length, file);
    }

    /**
     * Parses {@code bytes[from, to)} up to its first NUL; {@code file} starts the messages of its refusals
     * ({@code disk.vmdk.descriptor}), null for none (the header probe names the file itself).
     */
    static DescriptorFile parse(byte[] bytes, int from, int to, String file) throws InvalidDiskImageException {
        int end = from;
        while (end < to && bytes[end] != 0) {
            end++;
        }
        String text = new String(bytes, from, end - from, StandardCharsets.UTF_8);
        String refused = file == null ? "" : file + ": descriptor ";
        String createType = null;
        String parentCid = null;
        String parentHint = null;
        List<Extent> extents = new ArrayList<>();
        long sectors = 0;
        int number = 0;
        for (String raw : text.split("\r?\n|\r")) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher extent = EXTENT.matcher(line);
            if (extent.matches()) {
                Extent parsed = extent(extent, line, number, refused);
                // the disk is the extents one after the other: their sum must be a size in bytes
                if (parsed.sectors() > Long.MAX_VALUE / 512 - sectors) {
                    throw new InvalidDiskImageException("disk.vmdk.descriptor", refused + "line " + number
                            + " brings the extents' sizes past " + Long.MAX_VALUE / 512 + " sectors, out of range");
                }
                sectors += parsed.sectors();
                extents.add(parsed);
                continue;
            }
            Matcher setting = SETTING.matcher(line);
            if (!setting.matches()) {
                throw new InvalidDiskImageException("disk.vmdk.descriptor", refused + "line " + number + " ('"
                        + HeaderText.printable(line) + "') is neither a setting nor an extent");
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

    private static Extent extent(Matcher m, String line, int number, String refused)
            throws InvalidDiskImageException {
        try {
            long sectors = Long.parseLong(m.group(2));
            long offset = m.group(5) == null ? 0 : Long.parseLong(m.group(5));
            return new Extent(m.group(1), sectors, m.group(3).toUpperCase(Locale.ROOT), m.group(4), offset);
        } catch (NumberFormatException e) {
            throw new InvalidDiskImageException("disk.vmdk.descriptor", refused + "line " + number + " ('"
                    + HeaderText.printable(line) + "') is an extent with a number out of range");
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

    /** The disk's size: its extents one after the other (their sum fits, {@link #parse} checked). */
    long virtualSize() {
        return extents.stream().mapToLong(Extent::sectors).sum() * 512;
    }

    /**
     * The files the descriptor names, parent first, for the header probe: at most {@link DiskHeader#MAX_REFERENCES}
     * of its extents' files, each kept whole up to the longest tar name, so it can be compared with the package's.
     *
     * @param embedded the descriptor is a sparse extent's own, which names the extent itself
     */
    List<DiskReference> references(boolean embedded) {
        List<DiskReference> references = new ArrayList<>();
        if (parentFileNameHint != null) {
            references.add(new DiskReference(DiskReference.Kind.VMDK_PARENT,
                    "(parentFileNameHint=" + HeaderText.printable(parentFileNameHint) + ")", embedded));
        } else if (parentCid != null && !parentCid.equalsIgnoreCase(NO_PARENT)) {
            references.add(new DiskReference(DiskReference.Kind.VMDK_PARENT,
                    "(parentCID=" + HeaderText.printable(parentCid) + ")", embedded));
        }
        extents.stream().filter(e -> e.file() != null).limit(DiskHeader.MAX_REFERENCES)
                .forEach(e -> references.add(new DiskReference(DiskReference.Kind.VMDK_EXTENT,
                        HeaderText.printable(e.file(), MAX_EXTENT_NAME), embedded)));
        return references;
    }

    /**
     * The header probe's reading of a descriptor file of {@code size} bytes (-1: not known), whose start is
     * {@code head[0, length)}: the whole file must be there, a descriptor is a few hundred bytes.
     */
    public static DiskHeader probe(byte[] head, int length, long size) {
        if (size > MAX_BYTES || (size < 0 && length >= DiskHeaders.HEAD_BYTES)) {
            return DiskHeader.defective(DiskFormat.VMDK_DESCRIPTOR, "a VMDK descriptor file of "
                    + (size < 0 ? "more than " + MAX_BYTES : size) + " bytes; at most " + MAX_BYTES + " are valid");
        }
        DescriptorFile descriptor;
        try {
            descriptor = parse(head, 0, length, null);
        } catch (InvalidDiskImageException e) {
            return DiskHeader.defective(DiskFormat.VMDK_DESCRIPTOR, "an unreadable VMDK descriptor file: "
                    + e.getMessage());
        }
        if (descriptor.extents().isEmpty()) {
            return DiskHeader.defective(DiskFormat.VMDK_DESCRIPTOR, "a VMDK descriptor file without extents");
        }
        return new DiskHeader(DiskFormat.VMDK_DESCRIPTOR, descriptor.virtualSize(), false,
                descriptor.references(false), null);
    }
}
