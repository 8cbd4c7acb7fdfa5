package org.ovaflow.validate.ovf;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a hardware Item's HostResource names: a Disk of the DiskSection ({@code ovf:/disk/vmdisk1}), a File of
 * References ({@code ovf:/file/file1}), or something else (a host device, a bare file name).
 *
 * @param kind what is named
 * @param id   the diskId or File id; for {@link Kind#OTHER} the text as written
 */
public record HostResource(Kind kind, String id) {

    public enum Kind { DISK, FILE, OTHER }

    /**
     * DSP0243 writes {@code ovf:/disk/id} and {@code ovf:/file/id}; OVF 0.9 producers (VMware, VirtualBox) write
     * {@code /disk/id}, and a few {@code ovf://disk/id} or {@code ovf:disk/id}.
     */
    private static final Pattern REFERENCE = Pattern.compile("(?:ovf:)?/{0,2}(disk|file)/(.+)", Pattern.CASE_INSENSITIVE);

    public static HostResource parse(String text) {
        String trimmed = text.trim();
        Matcher m = REFERENCE.matcher(trimmed);
        if (!m.matches() || (!trimmed.startsWith("/") && !trimmed.toLowerCase(Locale.ROOT).startsWith("ovf:"))) {
            return new HostResource(Kind.OTHER, trimmed);
        }
        return new HostResource("disk".equalsIgnoreCase(m.group(1)) ? Kind.DISK : Kind.FILE, m.group(2).trim());
    }
}
